/**
 * A `wx` for the end-to-end tests: the pages' own JavaScript runs under miniprogram-simulate, wx.request goes
 * to the real backend over HTTP, and what WeChat itself would answer (wx.login, wx.requestSubscribeMessage,
 * wx.requestPayment, the getPhoneNumber code) comes from the WeChat sandbox's control API.
 * Storage, toasts, loading, modals and navigation are the recorded in-memory ones of the unit tests.
 */
const http = require('http')
const { createWx } = require('../helpers/wx-stub')

/** One HTTP exchange: resolves {status, data, headers}; data is parsed JSON when it is JSON. */
function exchange({ method, url, body, headers, timeout }) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body))
    const req = http.request(url, {
      method,
      headers: Object.assign({}, payload !== undefined ? { 'Content-Length': Buffer.byteLength(payload) } : {}, headers || {}),
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let data = text
        try {
          data = text ? JSON.parse(text) : ''
        } catch (e) {
          // not JSON: wx.request hands over the text
        }
        resolve({ status: res.statusCode, data, headers: res.headers })
      })
    })
    req.setTimeout(timeout || 15000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

function queryOf(data) {
  if (!data || typeof data !== 'object') return ''
  const parts = Object.keys(data).map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(String(data[k])))
  return parts.length ? (parts.join('&')) : ''
}

/**
 * createSandboxWx({sandbox, location, subscribeAnswer}) -> wx, plus:
 *   wx.openid           the openid of the last wx.login
 *   wx.phoneCode(phone) a getPhoneNumber code for `phone`
 *   wx.messages()       the subscribe messages the sandbox "delivered" to this driver
 */
function createSandboxWx(options) {
  const sandbox = options.sandbox
  const wx = createWx({ location: options.location })

  function control(method, path, body) {
    return exchange({ method, url: sandbox + path, body, headers: { 'Content-Type': 'application/json' } })
  }

  function record(name, args) {
    wx.calls.push({ name, args })
  }

  function finish(opts, ok, result) {
    if (ok && opts.success) opts.success(result)
    if (!ok && opts.fail) opts.fail(result)
    if (opts.complete) opts.complete(result)
  }

  wx.request = function (opts) {
    const method = (opts.method || 'GET').toUpperCase()
    let url = opts.url
    let body
    if (method === 'GET') {
      const query = queryOf(opts.data)
      if (query) url += (url.indexOf('?') >= 0 ? '&' : '?') + query
    } else if (opts.data !== undefined) {
      body = opts.data
    }
    // the recorded request gets the answer's `status` (and `body`) when it comes
    const sent = { url, method, data: opts.data, header: opts.header || {}, path: new URL(url).pathname }
    record('request', sent)
    exchange({ method, url, body, headers: opts.header, timeout: opts.timeout }).then(
      (res) => {
        sent.status = res.status
        sent.body = res.data
        finish(opts, true, { statusCode: res.status, data: res.data, header: res.headers, errMsg: 'request:ok' })
      },
      (error) => finish(opts, false, { errMsg: 'request:fail ' + error.message }),
    )
    return { abort() {} }
  }

  wx.login = function (opts) {
    record('login', opts)
    // one phone, one WeChat user: after the first code, codes are for the same openid
    control('POST', '/sandbox/login-code', wx.openid ? { openid: wx.openid } : {}).then((res) => {
      if (res.status !== 200) return finish(opts, false, { errMsg: 'login:fail ' + JSON.stringify(res.data) })
      wx.openid = res.data.openid
      return finish(opts, true, { errMsg: 'login:ok', code: res.data.code })
    }, (error) => finish(opts, false, { errMsg: 'login:fail ' + error.message }))
  }

  wx.requestSubscribeMessage = function (opts) {
    record('requestSubscribeMessage', opts)
    const answer = options.subscribeAnswer || 'accept'
    control('POST', '/sandbox/subscribe', { openid: wx.openid, template_ids: opts.tmplIds, answer }).then((res) => {
      if (res.status !== 200) return finish(opts, false, { errMsg: 'requestSubscribeMessage:fail', errCode: 20004 })
      return finish(opts, true, Object.assign({ errMsg: 'requestSubscribeMessage:ok' }, res.data.grants))
    }, () => finish(opts, false, { errMsg: 'requestSubscribeMessage:fail' }))
  }

  wx.requestPayment = function (opts) {
    record('requestPayment', opts)
    const params = {
      timeStamp: opts.timeStamp, nonceStr: opts.nonceStr, package: opts.package, signType: opts.signType, paySign: opts.paySign,
    }
    control('POST', '/sandbox/request-payment', params).then((res) => {
      if (res.status === 200) return finish(opts, true, { errMsg: 'requestPayment:ok' })
      return finish(opts, false, { errMsg: (res.data && res.data.errMsg) || 'requestPayment:fail' })
    }, (error) => finish(opts, false, { errMsg: 'requestPayment:fail ' + error.message }))
  }

  wx.phoneCode = function (phone) {
    return control('POST', '/sandbox/phone-code', { phone }).then((res) => res.data.code)
  }

  wx.messages = function () {
    return control('GET', '/sandbox/records?kind=messages&openid=' + encodeURIComponent(wx.openid)).then((res) => res.data.items)
  }

  return wx
}

module.exports = { createSandboxWx, exchange }
