/**
 * Backend answers shaped as the real API answers them (taken from a run of the dev stack).
 */

const STATIONS = {
  items: [
    {
      id: 1, code: 'HZ-XH-001', name: '优站 西湖文三路站', address: '杭州市西湖区文三路 398 号',
      latitude: 30.2776, longitude: 120.128,
      pumps: [
        { pump_no: 1, grades: ['92#', '95#'] },
        { pump_no: 2, grades: ['92#', '95#'] },
        { pump_no: 3, grades: ['95#', '98#'] },
        { pump_no: 4, grades: ['0#'] },
      ],
      grades: [
        { grade: '0#', price_fen_per_litre: 712, category: 'fuel' },
        { grade: '92#', price_fen_per_litre: 738, category: 'fuel' },
        { grade: '95#', price_fen_per_litre: 786, category: 'fuel' },
        { grade: '98#', price_fen_per_litre: 886, category: 'fuel' },
      ],
    },
    {
      id: 2, code: 'HZ-BJ-002', name: '优站 滨江江南大道站', address: '杭州市滨江区江南大道 1088 号',
      latitude: 30.2085, longitude: 120.212,
      pumps: [
        { pump_no: 1, grades: ['92#', '95#'] },
        { pump_no: 2, grades: ['92#', '95#'] },
      ],
      grades: [
        { grade: '92#', price_fen_per_litre: 738, category: 'fuel' },
        { grade: '95#', price_fen_per_litre: 786, category: 'fuel' },
      ],
    },
  ],
  order_limits: { min_fen: 100, max_fen: 500000 },
}

function member(overrides) {
  return Object.assign({
    id: 1, points_balance: 1280, tier: 'standard', tier_name: '普通会员', growth_value: 0,
    joined_via: 'payment', joined_at: '2026-11-24T01:30:35.493980+00:00', phone: null, referral_code: 'ZT46WRT2',
  }, overrides || {})
}

function tokens(overrides) {
  return Object.assign({
    access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'Bearer', expires_in: 900, member: null,
  }, overrides || {})
}

function entry(id, delta, balanceAfter, overrides) {
  return Object.assign({
    id: id, delta: delta, kind: 'earn', kind_label: '消费积分', reason: '加油消费 优站 西湖文三路站 92#',
    balance_after: balanceAfter, source_type: 'order', source_id: 'YZ2026112409303509089885' + id,
    explanation: { rule: 'base' }, created_at: '2026-11-24T01:30:35.494679+00:00',
  }, overrides || {})
}

function order(overrides) {
  return Object.assign({
    out_trade_no: 'YZ202611240930350908988504', status: 'created', station_id: 1, station_name: '优站 西湖文三路站',
    pump_no: 1, grade: '92#', price_fen_per_litre: 738, litres: '40.65', amount_fen: 30000, discount_fen: 0,
    payable_fen: 30000, points_used: 0, points_earned: 0, created_at: '2026-11-24T01:30:35.377810+00:00', paid_at: null,
  }, overrides || {})
}

const PAYMENT = {
  timeStamp: '1795483835', nonceStr: '8c7330df62c209deaa61f2c51d8db43a',
  package: 'prepay_id=wx20261124093035c1aa6af3b96fa81ca501', signType: 'RSA', paySign: 'c2lnbmF0dXJl',
}

module.exports = {
  STATIONS: STATIONS,
  PAYMENT: PAYMENT,
  member: member,
  tokens: tokens,
  entry: entry,
  order: order,
}
