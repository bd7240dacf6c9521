const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, input, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const TPL = 'TPL_POINTS_CREDITED_SANDBOX'
const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/
const NEAR_STATION_2 = { latitude: 30.2090, longitude: 120.2110 }

function setup(options, routes) {
  global.wx = createWx(Object.assign({
    routes: Object.assign({
      'POST /api/auth/login': { status: 200, body: fixtures.tokens() },
      'GET /api/stations': { status: 200, body: fixtures.STATIONS },
      'POST /api/me/subscriptions': { status: 200, body: { available: { [TPL]: 1 } } },
      'POST /api/orders': { status: 201, body: { order: fixtures.order(), payment: fixtures.PAYMENT } },
    }, routes || {}),
  }, options || {}))
  session.restore()
  return global.wx
}

async function openPage() {
  const page = renderPage('fuel')
  await page.instance.onLoad({})
  return page
}

/** The bodies of POST /api/orders, in order. */
function orderPosts(wx) {
  return wx.requests().filter((r) => r.method === 'POST' && r.path === '/api/orders').map((r) => r.data)
}

function withoutRequestId(body) {
  const copy = Object.assign({}, body)
  delete copy.request_id
  return copy
}

async function choose(page, pump, gradeIndex, amount) {
  await tap(page, '#pump-' + pump)
  if (gradeIndex !== undefined) await tap(page, '#grade-' + gradeIndex)
  if (amount !== undefined) await input(page, '#amount-input', amount)
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  config.TEMPLATE_IDS = { POINTS_CREDITED: TPL }
  timing.RETRY_DELAY_MS = 1
})

test('the nearest station comes first when the location is known', async () => {
  const wx = setup({ location: NEAR_STATION_2 })
  const page = await openPage()
  expect(text(page, '#station-name')).toBe('优站 滨江江南大道站')
  expect(text(page, '#station-current')).toMatch(/距您 \d+ 米 · 最近/)
  expect(find(page, '#location-notice')).toBeNull()
  expect(find(page, '#station-list')).toBeNull()
  expect(wx.named('getLocation')[0].type).toBe('gcj02')
  // the stations need no login
  expect(wx.requests()[0].header.Authorization).toBeUndefined()
  await tap(page, '#toggle-stations')
  expect(text(page, '#station-list')).toContain('优站 西湖文三路站')
})

test('without a location the driver picks from the list', async () => {
  setup({ location: null })
  const page = await openPage()
  expect(text(page, '#location-notice')).toBe('未能获取您的位置，请从列表中选择油站')
  expect(find(page, '#station-list')).not.toBeNull()
  expect(text(page, '#station-name')).toBe('优站 西湖文三路站')
  await tap(page, '#station-2')
  expect(text(page, '#station-name')).toBe('优站 滨江江南大道站')
  expect(find(page, '#station-list')).toBeNull()
  expect(page.instance.data.pumps.map((p) => p.pumpNo)).toEqual([1, 2])
})

test('a pump offers its grades with prices; a single-grade pump picks it', async () => {
  setup({ location: null })
  const page = await openPage()
  expect(text(page, '#grade-0')).toBeNull()
  await tap(page, '#pump-3')
  expect(text(page, '#grade-0')).toBe('95# 7.86 元/升')
  expect(text(page, '#grade-1')).toBe('98# 8.86 元/升')
  expect(page.instance.data.grade).toBe('')
  await tap(page, '#pump-4')
  expect(page.instance.data.grade).toBe('0#')
  expect(page.instance.data.priceText).toBe('7.12')
})

test('an amount shows litres, litres show the amount', async () => {
  setup({ location: null })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  expect(text(page, '#quote-litres')).toBe('约 40.65 升')
  expect(text(page, '#quote-amount')).toBe('¥300.00')
  expect(text(page, '#footer-amount')).toBe('¥300.00')
  await tap(page, '#mode-litres')
  expect(page.instance.data.input).toBe('')
  await input(page, '#amount-input', '30.5')
  expect(text(page, '#quote-amount')).toBe('¥225.09')
  await input(page, '#amount-input', '30.555')
  expect(text(page, '#input-error')).toBe('请输入正确的升数，最多两位小数')
  expect(find(page, '#quote-amount')).toBeNull()
  await tap(page, '#mode-amount')
  await tap(page, '#quick-1')
  expect(page.instance.data.input).toBe('200')
  expect(text(page, '#quote-litres')).toBe('约 27.10 升')
})

test('paying asks for the message, reports it, creates the order, pays and opens the result', async () => {
  const wx = setup({ location: { latitude: 30.2776, longitude: 120.128 } })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  await tap(page, '#pay-btn')
  await waitFor(() => wx.named('navigateTo').length, 'the result page')
  expect(wx.named('requestSubscribeMessage')[0].tmplIds).toEqual([TPL])
  const posts = wx.requests().filter((r) => r.method === 'POST' && r.path !== '/api/auth/login')
  expect(posts.map((r) => r.path)).toEqual(['/api/me/subscriptions', '/api/orders'])
  expect(posts[0].data).toEqual({ grants: { [TPL]: 'accept' } })
  expect(withoutRequestId(posts[1].data)).toEqual({ station_id: 1, pump_no: 1, grade: '92#', amount_fen: 30000 })
  expect(posts[1].data.request_id).toMatch(REQUEST_ID)
  expect(posts[1].header.Authorization).toBe('Bearer access-1')
  const pay = wx.named('requestPayment')[0]
  expect([pay.timeStamp, pay.nonceStr, pay.package, pay.signType, pay.paySign]).toEqual([
    fixtures.PAYMENT.timeStamp, fixtures.PAYMENT.nonceStr, fixtures.PAYMENT.package, 'RSA', fixtures.PAYMENT.paySign,
  ])
  expect(wx.named('navigateTo')[0].url).toBe('/pages/result/index?out_trade_no=YZ202611240930350908988504')
  expect(wx.named('showLoading')[0].title).toBe('正在下单')
  expect(page.instance.data.paying).toBe(false)
  // the next fill-up starts from an empty amount
  expect(page.instance.data.input).toBe('')
  expect(text(page, '#footer-amount')).toBe('--')
})

test('pull down finds the stations again', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await tap(page, '#pump-1')
  await page.instance.onPullDownRefresh()
  expect(wx.requests().filter((r) => r.path === '/api/stations')).toHaveLength(2)
  expect(wx.named('getLocation')).toHaveLength(2)
  expect(wx.named('stopPullDownRefresh')).toHaveLength(1)
  expect(page.instance.data.pumpNo).toBe(0)
})

test('litres are sent as litres', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await choose(page, 3, 1)
  await tap(page, '#mode-litres')
  await input(page, '#amount-input', '40.5')
  await page.instance.onPay()
  expect(withoutRequestId(orderPosts(wx)[0])).toEqual({ station_id: 1, pump_no: 3, grade: '98#', litres: 40.5 })
  expect(orderPosts(wx)[0].request_id).toMatch(REQUEST_ID)
})

test('what is missing is said before anything is sent', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请选择油枪')
  await tap(page, '#pump-1')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请选择油品')
  await tap(page, '#grade-0')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请输入加油金额')
  await input(page, '#amount-input', '0')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('金额需大于 0')
  expect(wx.named('requestSubscribeMessage')).toHaveLength(0)
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(0)
})

test('the amount is checked against the order limits the backend gives, before anything is sent', async () => {
  const wx = setup({ location: null }, {
    'GET /api/stations': { status: 200, body: Object.assign({}, fixtures.STATIONS, { order_limits: { min_fen: 500, max_fen: 20000 } }) },
  })
  const page = await openPage()
  await choose(page, 1, 0, '4.99')
  expect(text(page, '#input-error')).toBe('单笔金额需在 5.00 元至 200.00 元之间')
  expect(page.instance.data.canPay).toBe(false)
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('单笔金额需在 5.00 元至 200.00 元之间')
  await input(page, '#amount-input', '200')
  expect(find(page, '#input-error')).toBeNull()
  expect(page.instance.data.canPay).toBe(true)
  // litres count by what they cost: 30 L of 92# is 221.40 yuan
  await tap(page, '#mode-litres')
  await input(page, '#amount-input', '30')
  expect(text(page, '#input-error')).toBe('单笔金额需在 5.00 元至 200.00 元之间')
  await page.instance.onPay()
  expect(wx.named('requestSubscribeMessage')).toHaveLength(0)
  expect(orderPosts(wx)).toHaveLength(0)
})

test('without order limits from the backend, the defaults (1.00 to 5000.00 yuan) apply', async () => {
  const wx = setup({ location: null }, { 'GET /api/stations': { status: 200, body: { items: fixtures.STATIONS.items } } })
  const page = await openPage()
  await choose(page, 1, 0, '0.99')
  expect(text(page, '#input-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  await input(page, '#amount-input', '5000.01')
  expect(text(page, '#input-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  await input(page, '#amount-input', '5000')
  expect(find(page, '#input-error')).toBeNull()
  await page.instance.onPay()
  expect(orderPosts(wx)).toHaveLength(1)
})

test('a backend error is shown in plain Chinese', async () => {
  const outOfRange = apiError(422, 'order.amount_out_of_range', 'The amount must be between 1.00 and 3000.00 yuan.', 'amount_fen')
  // the backend's limits changed since the stations were loaded: the range the page knows is named
  let wx = setup({ location: null }, { 'POST /api/orders': outOfRange })
  let page = await openPage()
  await choose(page, 1, 0, '4000')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  expect(wx.toasts()).toEqual(['单笔金额需在 1.00 元至 5000.00 元之间'])
  expect(wx.named('requestPayment')).toHaveLength(0)
  expect(wx.named('navigateTo')).toHaveLength(0)
  expect(wx.named('hideLoading')).toHaveLength(1)

  // limits never given: the English message is not parsed, the table's text is shown
  wx = setup({ location: null }, {
    'GET /api/stations': { status: 200, body: { items: fixtures.STATIONS.items } },
    'POST /api/orders': outOfRange,
  })
  page = await openPage()
  await choose(page, 1, 0, '4000')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('金额超出单笔可支付的范围，请修改后重试')
})

test('closing the cashier is not an error', async () => {
  const wx = setup({ location: null, payment: 'cancel' })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.toasts()).toEqual(['已取消支付'])
  expect(find(page, '#form-error')).toBeNull()
  expect(wx.named('navigateTo')).toHaveLength(0)
  expect(text(page, '#pay-btn')).toBe('微信支付')
})

test('a failed payment says so', async () => {
  const wx = setup({ location: null, payment: 'system error' })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('支付未完成，请重试')
  expect(wx.named('navigateTo')).toHaveLength(0)
})

test('a refused or failed subscription still pays; a refusal is reported', async () => {
  let wx = setup({ location: null, subscribeAnswer: 'reject' })
  let page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.requests().find((r) => r.path === '/api/me/subscriptions').data).toEqual({ grants: { [TPL]: 'reject' } })
  expect(wx.named('navigateTo')).toHaveLength(1)

  wx = setup({ location: null, subscribeAnswer: 'fail' }, { 'POST /api/me/subscriptions': apiError(500, 'internal') })
  page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.requests().filter((r) => r.path === '/api/me/subscriptions')).toHaveLength(0)
  expect(wx.named('navigateTo')).toHaveLength(1)
})

test('no template configured: no subscribe prompt', async () => {
  const saved = config.TEMPLATE_IDS
  config.TEMPLATE_IDS = { POINTS_CREDITED: '' }
  try {
    const wx = setup({ location: null })
    const page = await openPage()
    await choose(page, 1, 0, '100')
    await page.instance.onPay()
    expect(wx.named('requestSubscribeMessage')).toHaveLength(0)
    expect(wx.named('navigateTo')).toHaveLength(1)
  } finally {
    config.TEMPLATE_IDS = saved
  }
})

test('a double tap pays once', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await Promise.all([page.instance.onPay(), page.instance.onPay()])
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(1)
})

test('a retried order creation sends the same request_id', async () => {
  const wx = setup({ location: null }, {
    'POST /api/orders': ['network-fail', { status: 201, body: { order: fixtures.order(), payment: fixtures.PAYMENT } }],
  })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  await page.instance.onPay()
  const [first, retry] = orderPosts(wx)
  expect(orderPosts(wx)).toHaveLength(2)
  expect(first.request_id).toMatch(REQUEST_ID)
  expect(retry).toEqual(first)
  expect(wx.named('requestPayment')).toHaveLength(1)
  expect(wx.named('navigateTo')).toHaveLength(1)
})

test('the same purchase keeps its request_id until it is paid; a new purchase gets a new one', async () => {
  const wx = setup({ location: null, payment: 'cancel' }, {
    'POST /api/orders': ['network-fail', 'network-fail', { status: 201, body: { order: fixtures.order(), payment: fixtures.PAYMENT } }],
  })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  // no answer even after the retry: tapping again is the same purchase
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('网络不给力，请检查网络后重试')
  // the cashier closed: tapping again is the same purchase still
  await page.instance.onPay()
  expect(wx.toasts().slice(-1)).toEqual(['已取消支付'])
  await page.instance.onPay()
  const sent = orderPosts(wx)
  expect(sent).toHaveLength(4)
  expect(new Set(sent.map((b) => b.request_id)).size).toBe(1)
  expect(wx.named('requestPayment')).toHaveLength(2)

  // paid: the next fill-up, even of the same amount, is another purchase
  const paidWx = setup({ location: null })
  const again = await openPage()
  await choose(again, 1, 0, '300')
  await again.instance.onPay()
  await choose(again, 1, 0, '300')
  await again.instance.onPay()
  const [one, two] = orderPosts(paidWx)
  expect(withoutRequestId(one)).toEqual(withoutRequestId(two))
  expect(one.request_id).not.toBe(two.request_id)
})

test('changing the station, pump, grade or amount makes another purchase', async () => {
  const wx = setup({ location: null, payment: 'cancel' })
  const page = await openPage()
  const ids = () => orderPosts(wx).map((b) => b.request_id)
  await choose(page, 1, 0, '300')
  await page.instance.onPay()
  await page.instance.onPay()
  expect(new Set(ids()).size).toBe(1)
  await input(page, '#amount-input', '200')
  await page.instance.onPay()
  await tap(page, '#grade-1')
  await page.instance.onPay()
  await choose(page, 2, 1)
  await page.instance.onPay()
  // back to what was paid for first: a new purchase all the same
  await choose(page, 1, 0, '300')
  await page.instance.onPay()
  expect(ids()).toHaveLength(6)
  expect(new Set(ids()).size).toBe(5)
  expect(orderPosts(wx).map(withoutRequestId).slice(2)).toEqual([
    { station_id: 1, pump_no: 1, grade: '92#', amount_fen: 20000 },
    { station_id: 1, pump_no: 1, grade: '95#', amount_fen: 20000 },
    { station_id: 1, pump_no: 2, grade: '95#', amount_fen: 20000 },
    { station_id: 1, pump_no: 1, grade: '92#', amount_fen: 30000 },
  ])
})

test('an order that cannot be paid any more is explained, and the next tap is a new purchase', async () => {
  const wx = setup({ location: null }, {
    'POST /api/orders': [
      apiError(409, 'order.not_payable', 'This order is already paid or closed.'),
      apiError(409, 'order.request_id_reused', 'This request_id was used for another order.', 'request_id'),
      { status: 201, body: { order: fixtures.order(), payment: fixtures.PAYMENT } },
    ],
  })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('这笔订单已支付或已关闭，请查看积分记录后再下单')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('订单信息有变化，请重新点击支付')
  await page.instance.onPay()
  expect(wx.named('navigateTo')).toHaveLength(1)
  const sent = orderPosts(wx).map((b) => b.request_id)
  expect(new Set(sent).size).toBe(3)
})

test('stations that fail to load offer a retry', async () => {
  const wx = setup({ location: null }, { 'GET /api/stations': ['network-fail', 'network-fail', 'network-fail', { status: 200, body: fixtures.STATIONS }] })
  const page = await openPage()
  expect(text(page, '#stations-error')).toContain('网络不给力，请检查网络后重试')
  await tap(page, '#stations-retry')
  await waitFor(() => find(page, '#station-name'), 'the stations')
  expect(wx.requests().filter((r) => r.path === '/api/stations')).toHaveLength(4)
})
