/**
 * The app-wide session, in a plain module (not getApp()): tokens in storage, login with wx.login,
 * refresh, logout, and the member as last seen.
 *
 * - login(): wx.login -> POST /api/auth/login; one at a time (callers share the same promise).
 * - refresh(): POST /api/auth/refresh (the refresh token rotates); when the backend refuses it, the tokens
 *   are dropped and the driver is logged in again with wx.login.
 * - logout(): revokes the refresh token on the backend (sending only it, so an expired access token does not
 *   matter) and forgets everything; until login() is called again, requests that need a login fail with
 *   auth.logged_out instead of logging in silently.
 */
const http = require('./http')
const errors = require('./errors')

const KEYS = {
  access: 'yz_access_token',
  accessExpiresAt: 'yz_access_expires_at',
  refresh: 'yz_refresh_token',
  member: 'yz_member',
  loggedOut: 'yz_logged_out',
}

// refresh this long before the access token's stated expiry, so a request never races it
const EXPIRY_MARGIN_MS = 60 * 1000

let state = null
let loginFlight = null
let refreshFlight = null

function read(key) {
  try {
    const value = wx.getStorageSync(key)
    return value === '' ? null : value
  } catch (e) {
    return null
  }
}

function write(key, value) {
  try {
    if (value === null || value === undefined) wx.removeStorageSync(key)
    else wx.setStorageSync(key, value)
  } catch (e) {
    // storage full or unavailable: the session still works for this run
  }
}

function load() {
  if (!state) {
    state = {
      accessToken: read(KEYS.access),
      accessExpiresAt: Number(read(KEYS.accessExpiresAt)) || 0,
      refreshToken: read(KEYS.refresh),
      member: read(KEYS.member),
      loggedOut: read(KEYS.loggedOut) === true,
    }
  }
  return state
}

/** Read the session from storage again (app launch; tests). */
function restore() {
  state = null
  loginFlight = null
  refreshFlight = null
  return load()
}

function remember(answer) {
  const s = load()
  s.accessToken = answer.access_token
  s.refreshToken = answer.refresh_token
  s.accessExpiresAt = Date.now() + (Number(answer.expires_in) || 0) * 1000 - EXPIRY_MARGIN_MS
  s.member = answer.member || null
  s.loggedOut = false
  write(KEYS.access, s.accessToken)
  write(KEYS.accessExpiresAt, s.accessExpiresAt)
  write(KEYS.refresh, s.refreshToken)
  write(KEYS.member, s.member)
  write(KEYS.loggedOut, null)
  return s.accessToken
}

function forgetTokens() {
  const s = load()
  s.accessToken = null
  s.refreshToken = null
  s.accessExpiresAt = 0
  write(KEYS.access, null)
  write(KEYS.accessExpiresAt, null)
  write(KEYS.refresh, null)
}

function wxLogin() {
  return new Promise(function (resolve, reject) {
    wx.login({
      success: function (res) {
        if (res && res.code) resolve(res.code)
        else reject(errors.apiError({ code: 'wx.login_failed', backendMessage: res && res.errMsg }))
      },
      fail: function (res) {
        reject(errors.apiError({ code: 'wx.login_failed', backendMessage: res && res.errMsg }))
      },
    })
  })
}

function loginOnce() {
  return wxLogin().then(function (code) {
    return http.send({ url: '/api/auth/login', method: 'POST', data: { code: code }, retries: 1 })
  })
}

/** Log in with wx.login; resolves the access token. Concurrent callers share one login. */
function login() {
  if (!loginFlight) {
    loginFlight = loginOnce().catch(function (error) {
      // a code WeChat refused (used, or too old) is worth one more try with a fresh one
      if (error.code === 'auth.wechat_code_invalid') return loginOnce()
      throw error
    }).then(function (answer) {
      loginFlight = null
      return remember(answer)
    }, function (error) {
      loginFlight = null
      throw error
    })
  }
  return loginFlight
}

/** A new access token from the refresh token, or from a new login when the backend refuses it. */
function refresh() {
  if (loginFlight) return loginFlight
  if (!refreshFlight) {
    const s = load()
    const token = s.refreshToken
    const flight = token
      ? http.send({ url: '/api/auth/refresh', method: 'POST', data: { refresh_token: token }, retries: 1 })
        .then(remember, function (error) {
          if (error.status >= 400 && error.status < 500) {
            // refused (401 auth.token_invalid: expired, reused or revoked): start over with wx.login
            forgetTokens()
            return login()
          }
          throw error
        })
      : login()
    refreshFlight = flight.then(function (accessToken) {
      refreshFlight = null
      return accessToken
    }, function (error) {
      refreshFlight = null
      throw error
    })
  }
  return refreshFlight
}

/** A usable access token: the stored one, a refreshed one, or one from a new login. */
function ensureToken() {
  const s = load()
  if (s.loggedOut) return Promise.reject(errors.apiError({ code: 'auth.logged_out', status: 401 }))
  if (s.accessToken && Date.now() < s.accessExpiresAt) return Promise.resolve(s.accessToken)
  if (s.refreshToken) return refresh()
  return login()
}

/**
 * Log out: revoke the refresh token's family on the backend (best effort) and forget the session.
 * Only the refresh token is sent, no Authorization header: it is proof enough to revoke itself, so logging out
 * works when the access token has expired too.
 */
function logout() {
  const s = load()
  const refreshToken = s.refreshToken
  const finish = function () {
    forgetTokens()
    s.member = null
    s.loggedOut = true
    write(KEYS.member, null)
    write(KEYS.loggedOut, true)
  }
  if (!refreshToken) {
    finish()
    return Promise.resolve()
  }
  return http.send({
    url: '/api/auth/logout',
    method: 'POST',
    data: { refresh_token: refreshToken },
    // revoking twice is harmless
    retries: 1,
  }).catch(function () {
    // no network, or the token is already refused: the tokens are forgotten here all the same
  }).then(finish)
}

function getMember() {
  return load().member
}

/** Remember the member as /api/me (or a login) last answered: null for a guest. */
function setMember(member) {
  const s = load()
  s.member = member || null
  write(KEYS.member, s.member)
}

function isLoggedOut() {
  return load().loggedOut
}

function hasToken() {
  return !!load().accessToken
}

module.exports = {
  KEYS: KEYS,
  restore: restore,
  login: login,
  refresh: refresh,
  ensureToken: ensureToken,
  logout: logout,
  getMember: getMember,
  setMember: setMember,
  isLoggedOut: isLoggedOut,
  hasToken: hasToken,
}
