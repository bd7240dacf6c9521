/**
 * The one request helper every page uses.
 *
 *   request({url: '/api/me'}).then(function (body) { ... })
 *
 * - the base URL comes from config.js (API_BASE_URL);
 * - `auth` (default true): the access token is attached; without one the driver is logged in first
 *   (wx.login); a 401 (auth.token_invalid / auth.required) refreshes the token and tries once more, and
 *   when the refresh is refused the driver is logged in again (utils/session.js);
 * - failures reject with an ApiError whose `message` is plain Chinese (utils/errors.js), shown as a toast
 *   unless `showError: false`;
 * - network errors and 502 upstream.unavailable are retried `retries` times (default 2 for GET, 0 for
 *   others: pass it where repeating a POST is harmless);
 * - `loading: '加载中'` shows wx.showLoading for as long as the request runs.
 */
const http = require('./http')
const session = require('./session')
const errors = require('./errors')

const REFRESH_ON = ['auth.token_invalid', 'auth.required']

let loadingCount = 0

function startLoading(title) {
  if (!title) return false
  loadingCount += 1
  if (loadingCount === 1) wx.showLoading({ title: title, mask: true })
  return true
}

function stopLoading(started) {
  if (!started) return
  loadingCount = Math.max(0, loadingCount - 1)
  if (loadingCount === 0) wx.hideLoading()
}

/** Show an error as a toast (long texts wrap; icon none allows two lines). */
function showError(error) {
  wx.showToast({ title: errors.describe(error), icon: 'none', duration: 2500 })
}

function run(options) {
  const method = (options.method || 'GET').toUpperCase()
  const retries = typeof options.retries === 'number' ? options.retries : (method === 'GET' ? 2 : 0)
  const base = { url: options.url, method: method, data: options.data, retries: retries }
  if (options.auth === false) return http.send(base)

  function withToken(token) {
    return http.send(Object.assign({}, base, { header: { Authorization: 'Bearer ' + token } }))
  }

  return session.ensureToken().then(function (token) {
    return withToken(token).catch(function (error) {
      if (error.status === 401 && REFRESH_ON.indexOf(error.code) >= 0) {
        return session.refresh().then(withToken)
      }
      throw error
    })
  })
}

/**
 * request({url, method = 'GET', data, auth = true, loading = false, showError = true, retries})
 * -> Promise of the response body.
 */
function request(options) {
  const started = startLoading(options.loading)
  return run(options).then(function (body) {
    stopLoading(started)
    return body
  }, function (error) {
    stopLoading(started)
    if (options.showError !== false) showError(error)
    throw error
  })
}

function get(url, data, options) {
  return request(Object.assign({ url: url, method: 'GET', data: data }, options || {}))
}

function post(url, data, options) {
  return request(Object.assign({ url: url, method: 'POST', data: data }, options || {}))
}

module.exports = {
  request: request,
  get: get,
  post: post,
  showError: showError,
}
