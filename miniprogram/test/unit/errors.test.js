const errors = require('../../utils/errors')

const CODES = [
  'request.malformed_json', 'request.invalid', 'auth.required', 'auth.token_invalid', 'auth.wechat_code_invalid',
  'auth.session_expired', 'station.not_found', 'station.pump_unknown', 'station.grade_unknown',
  'order.amount_out_of_range', 'order.amount_or_litres', 'order.not_found', 'phone.code_invalid',
  'phone.data_invalid', 'member.required', 'upstream.unavailable', 'route.not_found', 'internal',
  'points.insufficient', 'order.request_id_reused', 'order.not_payable',
]

const CJK = /[\u4e00-\u9fff]/

describe('backend codes in plain Chinese', () => {
  test.each(CODES)('%s has a Chinese message', (code) => {
    const error = errors.fromResponse(400, { error: { code: code, message: 'English text.', field: null } })
    expect(error.code).toBe(code)
    expect(error.message).toMatch(CJK)
    expect(error.message).not.toMatch(/English/)
    expect(error.backendMessage).toBe('English text.')
  })

  test('the amount range is not parsed from the English message (the fuel page knows the order limits)', () => {
    const error = errors.fromResponse(422, {
      error: { code: 'order.amount_out_of_range', message: 'The amount must be between 1.00 and 5000.00 yuan.', field: 'amount_fen' },
    })
    expect(error.message).toBe('金额超出单笔可支付的范围，请修改后重试')
    expect(error.status).toBe(422)
    expect(error.field).toBe('amount_fen')
  })

  test('a request_id used again is explained', () => {
    const reused = errors.fromResponse(409, {
      error: { code: 'order.request_id_reused', message: 'This request_id was used for another order.', field: 'request_id' },
    })
    expect(reused.message).toBe('订单信息有变化，请重新点击支付')
    const closed = errors.fromResponse(409, { error: { code: 'order.not_payable', message: 'This order is already paid or closed.' } })
    expect(closed.message).toBe('这笔订单已支付或已关闭，请查看积分记录后再下单')
  })

  test('request.invalid names the field', () => {
    const error = errors.fromResponse(422, { error: { code: 'request.invalid', message: 'litres: bad', field: 'litres' } })
    expect(error.message).toBe('升数填写有误，请检查后重试')
    const other = errors.fromResponse(422, { error: { code: 'request.invalid', message: 'x', field: 'zzz' } })
    expect(other.message).toBe('填写的信息有误，请检查后重试')
  })

  test('an unknown code shows the backend message', () => {
    const error = errors.fromResponse(409, { error: { code: 'coupon.used', message: '优惠券已使用', field: null } })
    expect(error.message).toBe('优惠券已使用')
  })

  test('without a code or message: generic text', () => {
    expect(errors.fromResponse(418, '<html>').message).toBe('出错了，请稍后再试')
    expect(errors.fromResponse(418, '<html>').code).toBe('http.418')
    expect(errors.fromResponse(503, null).message).toBe('服务器开小差了，请稍后再试')
  })

  test('network failures', () => {
    const error = errors.networkError('request:fail timeout')
    expect(error.code).toBe('network')
    expect(error.status).toBe(0)
    expect(error.message).toBe('网络不给力，请检查网络后重试')
    expect(error).toBeInstanceOf(Error)
  })

  test('describe never shows a programming error to a driver', () => {
    expect(errors.describe(new TypeError('x is undefined'))).toBe('出错了，请稍后再试')
    expect(errors.describe(errors.apiError({ code: 'points.insufficient' }))).toBe('积分不足')
  })
})
