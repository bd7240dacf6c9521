/**
 * Backend error codes -> plain Chinese for drivers, in one table.
 *
 * Every failure the request helper reports is an ApiError: an Error whose `message` is the Chinese text
 * to show, with `code` (the backend's code, or "network" / "http.<status>" for failures without one),
 * `status` (HTTP status, 0 for network failures), `field` and `backendMessage` (the backend's own words).
 */

const GENERIC = '出错了，请稍后再试'
const NETWORK = '网络不给力，请检查网络后重试'

// the field names the backend reports on 422, in the driver's words
const FIELD_LABELS = {
  station_id: '油站',
  pump_no: '油枪',
  grade: '油品',
  amount_fen: '金额',
  litres: '升数',
  code: '授权码',
  phone: '手机号',
  cursor: '翻页位置',
  grants: '消息订阅',
  refresh_token: '登录状态',
  request_id: '下单编号',
}

function invalidField(error) {
  const label = FIELD_LABELS[error.field]
  return label ? label + '填写有误，请检查后重试' : '填写的信息有误，请检查后重试'
}

const MESSAGES = {
  network: NETWORK,
  'request.malformed_json': '请求格式有误，请升级小程序后重试',
  'request.invalid': invalidField,
  'request.cursor_invalid': '列表已更新，请下拉刷新',
  'request.rejected': '请求未被受理，请稍后再试',
  'auth.required': '请先登录',
  'auth.token_invalid': '登录已过期，请重新登录',
  'auth.logged_out': '您已退出登录，请先登录',
  'auth.wechat_code_invalid': '微信登录失败，请重试',
  'auth.session_expired': '微信登录已过期，请重试',
  'auth.forbidden': '没有权限进行此操作',
  'wx.login_failed': '微信登录失败，请重试',
  'station.not_found': '找不到这个油站，请重新选择',
  'station.pump_unknown': '这个油站没有该油枪，请重新选择',
  'station.grade_unknown': '该油枪不加这个油品，请重新选择',
  // the fuel page checks the amount against GET /api/stations' order_limits and names the range itself
  'order.amount_out_of_range': '金额超出单笔可支付的范围，请修改后重试',
  'order.amount_or_litres': '请输入金额或升数（二选一）',
  'order.not_found': '找不到这笔订单',
  'order.paid': '这笔订单已经支付过了',
  'order.request_id_reused': '订单信息有变化，请重新点击支付',
  'order.not_payable': '这笔订单已支付或已关闭，请查看积分记录后再下单',
  'phone.code_invalid': '手机号授权已失效，请重新授权',
  'phone.data_invalid': '无法读取手机号，请重新授权',
  'member.required': '请先加一次油，成为会员后再试',
  'member.not_found': '找不到会员信息',
  'points.insufficient': '积分不足',
  'upstream.unavailable': '微信暂时没有响应，请稍后重试',
  'route.not_found': '该功能暂不可用，请升级小程序',
  'route.method_not_allowed': '该功能暂不可用，请升级小程序',
  not_found: '找不到相关内容',
  conflict: '操作冲突，请刷新后重试',
  internal: '服务器开小差了，请稍后再试',
}

/** The Chinese text for an error {code, field, backendMessage, status}. */
function messageFor(error) {
  const entry = MESSAGES[error.code]
  if (typeof entry === 'function') return entry(error)
  if (entry) return entry
  if (error.backendMessage) return error.backendMessage
  if (error.status >= 500) return MESSAGES.internal
  return GENERIC
}

/** An ApiError; `message` is filled from the table unless given. */
function apiError(fields) {
  const details = {
    code: fields.code || 'unknown',
    status: fields.status || 0,
    field: fields.field || null,
    backendMessage: fields.backendMessage || '',
  }
  const error = new Error(fields.message || messageFor(details))
  error.name = 'ApiError'
  error.isApiError = true
  error.code = details.code
  error.status = details.status
  error.field = details.field
  error.backendMessage = details.backendMessage
  return error
}

/** The ApiError of an HTTP answer that is not 2xx. */
function fromResponse(statusCode, data) {
  const body = data && typeof data === 'object' ? data.error : null
  if (body && typeof body === 'object' && body.code) {
    return apiError({ code: body.code, status: statusCode, field: body.field, backendMessage: body.message })
  }
  return apiError({ code: 'http.' + statusCode, status: statusCode })
}

/** The ApiError of a wx.request that never got an answer. */
function networkError(errMsg) {
  return apiError({ code: 'network', status: 0, backendMessage: errMsg || '', message: NETWORK })
}

/** Any thrown thing as text for the driver. */
function describe(error) {
  if (error && error.isApiError) return error.message
  return GENERIC
}

module.exports = {
  GENERIC: GENERIC,
  NETWORK: NETWORK,
  MESSAGES: MESSAGES,
  messageFor: messageFor,
  apiError: apiError,
  fromResponse: fromResponse,
  networkError: networkError,
  describe: describe,
}
