/**
 * A stubbed `wx` for unit and page tests: requests answered by a route table, every call recorded,
 * storage in memory, and the WeChat dialogs (location, subscribe, payment, modal) answered as told.
 *
 *   const wx = createWx({ routes: { 'GET /api/me': { status: 200, body: {...} } } })
 *
 * A route is keyed "METHOD /path" (no query) and answers with {status, body}, the string 'network-fail',
 * an array of those (consumed in order, the last one repeats), or a function (req) -> one of those.
 */

function splitUrl(url) {
  const match = /^https?:\/\/[^/]+(\/[^?#]*)?(?:\?([^#]*))?/.exec(url)
  const path = match ? (match[1] || '/') : url
  const query = {}
  if (match && match[2]) {
    match[2].split('&').forEach(function (pair) {
      const i = pair.indexOf('=')
      const key = decodeURIComponent(i < 0 ? pair : pair.slice(0, i))
      query[key] = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1))
    })
  }
  return { path: path, query: query }
}

function later(fn) {
  setTimeout(fn, 0)
}

function createWx(options) {
  options = options || {}
  const routes = Object.assign({}, options.routes || {})
  const storage = {}
  const calls = []
  let codes = 0

  function record(name, args) {
    calls.push({ name: name, args: args })
  }

  function answerFor(req) {
    const key = req.method + ' ' + req.path
    let route = routes[key]
    if (route === undefined) {
      // a path with an id: 'GET /api/orders/*'
      const wildcard = Object.keys(routes).filter(function (k) {
        return k.slice(-2) === '/*' && key.indexOf(k.slice(0, -1)) === 0
      })[0]
      route = wildcard ? routes[wildcard] : undefined
    }
    if (route === undefined) return { status: 404, body: { error: { code: 'route.not_found', message: 'No such endpoint.' } } }
    if (Array.isArray(route)) route = route.length > 1 ? route.shift() : route[0]
    if (typeof route === 'function') route = route(req)
    return route
  }

  const wx = {
    calls: calls,
    storage: storage,
    routes: routes,

    request: function (opts) {
      const parts = splitUrl(opts.url)
      const req = {
        url: opts.url,
        method: (opts.method || 'GET').toUpperCase(),
        path: parts.path,
        query: parts.query,
        data: opts.data,
        header: opts.header || {},
      }
      record('request', req)
      later(function () {
        Promise.resolve(answerFor(req)).then(function (answer) {
          if (answer === 'network-fail') {
            if (opts.fail) opts.fail({ errMsg: 'request:fail timeout' })
          } else if (opts.success) {
            opts.success({ statusCode: answer.status, data: answer.body, header: {} })
          }
          if (opts.complete) opts.complete({})
        })
      })
      return { abort: function () {} }
    },

    login: function (opts) {
      record('login', opts)
      const fail = options.loginFails
      later(function () {
        if (fail) opts.fail({ errMsg: 'login:fail' })
        else opts.success({ errMsg: 'login:ok', code: 'wx-code-' + (++codes) })
        if (opts.complete) opts.complete({})
      })
    },

    getLocation: function (opts) {
      record('getLocation', opts)
      later(function () {
        if (options.location) opts.success(Object.assign({ errMsg: 'getLocation:ok' }, options.location))
        else opts.fail({ errMsg: 'getLocation:fail auth deny' })
        if (opts.complete) opts.complete({})
      })
    },

    requestSubscribeMessage: function (opts) {
      record('requestSubscribeMessage', opts)
      later(function () {
        const answer = options.subscribeAnswer === undefined ? 'accept' : options.subscribeAnswer
        if (answer === 'fail') {
          opts.fail({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 })
        } else {
          const res = { errMsg: 'requestSubscribeMessage:ok' }
          opts.tmplIds.forEach(function (id) { res[id] = answer })
          opts.success(res)
        }
        if (opts.complete) opts.complete({})
      })
    },

    requestPayment: function (opts) {
      record('requestPayment', opts)
      later(function () {
        const outcome = options.payment || 'ok'
        if (outcome === 'ok') opts.success({ errMsg: 'requestPayment:ok' })
        else opts.fail({ errMsg: outcome === 'cancel' ? 'requestPayment:fail cancel' : 'requestPayment:fail ' + outcome })
        if (opts.complete) opts.complete({})
      })
    },

    showModal: function (opts) {
      record('showModal', opts)
      later(function () {
        const confirm = options.modalConfirm !== false
        if (opts.success) opts.success({ confirm: confirm, cancel: !confirm })
      })
    },

    getStorageSync: function (key) {
      return Object.prototype.hasOwnProperty.call(storage, key) ? storage[key] : ''
    },
    setStorageSync: function (key, value) {
      storage[key] = JSON.parse(JSON.stringify(value))
    },
    removeStorageSync: function (key) {
      delete storage[key]
    },
    clearStorageSync: function () {
      Object.keys(storage).forEach(function (key) { delete storage[key] })
    },

    // what the tests read back
    requests: function () {
      return calls.filter(function (c) { return c.name === 'request' }).map(function (c) { return c.args })
    },
    named: function (name) {
      return calls.filter(function (c) { return c.name === name }).map(function (c) { return c.args })
    },
    toasts: function () {
      return calls.filter(function (c) { return c.name === 'showToast' }).map(function (c) { return c.args.title })
    },
  }

  ;['showToast', 'hideToast', 'showLoading', 'hideLoading', 'navigateTo', 'redirectTo', 'switchTab',
    'navigateBack', 'reLaunch', 'stopPullDownRefresh'].forEach(function (name) {
    wx[name] = function (opts) {
      record(name, opts || {})
      if (opts && opts.success) later(function () { opts.success({ errMsg: name + ':ok' }) })
    }
  })

  return wx
}

/** {status, body} for the backend's error format. */
function apiError(status, code, message, field) {
  return { status: status, body: { error: { code: code, message: message || code, field: field || null } } }
}

module.exports = {
  createWx: createWx,
  apiError: apiError,
  splitUrl: splitUrl,
}
