/**
 * The transport under utils/request.js (pages use request.js, never this): one wx.request as a Promise,
 * against config.API_BASE_URL, with retries for network errors and for "WeChat did not answer" (502).
 * Resolves with the JSON body of a 2xx answer; rejects with an ApiError (utils/errors.js).
 */
const config = require('../config')
const errors = require('./errors')
const timing = require('./timing')

function absoluteUrl(url) {
  if (/^https?:\/\//.test(url)) return url
  return String(config.API_BASE_URL || '').replace(/\/+$/, '') + url
}

/** {cursor: null, limit: 20} -> "?limit=20" (null and undefined are left out). */
function queryString(params) {
  if (!params) return ''
  const parts = []
  Object.keys(params).forEach(function (key) {
    const value = params[key]
    if (value === undefined || value === null || value === '') return
    parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(value)))
  })
  return parts.length ? '?' + parts.join('&') : ''
}

function sleep(ms) {
  return new Promise(function (resolve) { setTimeout(resolve, ms) })
}

/** One wx.request: resolves {statusCode, data}; rejects with a network ApiError. */
function once(options) {
  return new Promise(function (resolve, reject) {
    wx.request({
      url: options.url,
      method: options.method,
      data: options.data,
      header: options.header,
      timeout: timing.REQUEST_TIMEOUT_MS,
      dataType: 'json',
      success: function (res) { resolve({ statusCode: res.statusCode, data: res.data }) },
      fail: function (res) { reject(errors.networkError(res && res.errMsg)) },
    })
  })
}

function retryable(error) {
  return error.code === 'network' || error.code === 'upstream.unavailable'
}

/**
 * send({url, method, data, header, retries}) -> the body of a 2xx answer.
 * GET sends `data` as the query string; other methods send it as JSON.
 * `retries`: further attempts after a network error or a 502 upstream.unavailable (default 0).
 */
function send(options) {
  const method = (options.method || 'GET').toUpperCase()
  const isGet = method === 'GET'
  const request = {
    url: absoluteUrl(options.url) + (isGet ? queryString(options.data) : ''),
    method: method,
    data: isGet ? undefined : (options.data === undefined ? {} : options.data),
    header: Object.assign({ 'Content-Type': 'application/json' }, options.header || {}),
  }
  const retries = options.retries || 0

  function attempt(n) {
    return once(request).then(function (res) {
      if (res.statusCode >= 200 && res.statusCode < 300) return res.data
      throw errors.fromResponse(res.statusCode, res.data)
    }).catch(function (error) {
      if (n < retries && retryable(error)) {
        return sleep(timing.RETRY_DELAY_MS * (n + 1)).then(function () { return attempt(n + 1) })
      }
      throw error
    })
  }
  return attempt(0)
}

module.exports = {
  send: send,
  queryString: queryString,
  absoluteUrl: absoluteUrl,
}
