/**
 * End to end: the pages' own JavaScript under miniprogram-simulate, against the real backend and the WeChat
 * sandbox (app.devstack). A new driver opens the app, fuels and pays, and sees the points on the home page
 * and in the history; WeChat delivers the "points credited" message; a purchase sent twice is one order;
 * backend errors show in Chinese; logging out needs only the refresh token.
 */
const { startStack } = require('./stack')
const { createSandboxWx, exchange } = require('./harness')
const { renderPage, text, tap, input, fire, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const TPL = 'TPL_POINTS_CREDITED_SANDBOX'
const NEAR_STATION_1 = { latitude: 30.2776, longitude: 120.1280 }

let stack

function newDriver(options) {
  global.wx = createSandboxWx(Object.assign({ sandbox: stack.sandbox, location: NEAR_STATION_1 }, options || {}))
  session.restore()
  return global.wx
}

/** Poll an async probe until it answers something truthy. */
async function eventually(probe, what, timeout) {
  const limit = Date.now() + (timeout || 10000)
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > limit) throw new Error('timed out waiting for ' + what)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A GET of the backend with the driver's access token, as the page would send it. */
function backendGet(wx, path) {
  return exchange({ method: 'GET', url: stack.api + path, headers: { Authorization: 'Bearer ' + wx.storage[session.KEYS.access] } })
}

/** The driver's orders, as GET /api/orders lists them (newest first). */
async function myOrders(wx) {
  const answer = await backendGet(wx, '/api/orders?limit=10')
  expect(answer.status).toBe(200)
  return answer.data.items
}

/** The POST /api/orders the page sent, each with the backend's answer (status, body). */
function orderPosts(wx) {
  return wx.requests().filter((r) => r.method === 'POST' && r.path === '/api/orders')
}

async function fillIn(fuel, pump, gradeIndex, amount) {
  await tap(fuel, '#pump-' + pump)
  await tap(fuel, '#grade-' + gradeIndex)
  await input(fuel, '#amount-input', amount)
}

beforeAll(async () => {
  stack = await startStack()
  config.API_BASE_URL = stack.api
  config.TEMPLATE_IDS = { POINTS_CREDITED: TPL }
  timing.RETRY_DELAY_MS = 100
}, 90000)

afterAll(async () => {
  if (stack) await stack.stop()
}, 30000)

test('a new driver fuels and pays, then sees the points on the home page and in the history', async () => {
  const wx = newDriver()

  // the app opens on home: a guest, told to pay once to join
  const home = renderPage('home')
  await home.instance.onShow()
  expect(text(home, '#join-card')).toContain('加一次油，就是会员')
  expect(wx.openid).toMatch(/./)

  // fuel: the nearest station first; pump 1, 92#, 300 yuan
  await tap(home, '#join-btn')
  expect(wx.named('switchTab')[0].url).toBe('/pages/fuel/index')
  const fuel = renderPage('fuel')
  await fuel.instance.onLoad({})
  expect(text(fuel, '#station-name')).toBe('优站 西湖文三路站')
  expect(text(fuel, '#station-current')).toContain('最近')
  await fillIn(fuel, 1, 0, '300')
  expect(fuel.instance.data.grade).toBe('92#')
  expect(text(fuel, '#quote-litres')).toBe('约 40.65 升')
  expect(text(fuel, '#quote-amount')).toBe('¥300.00')

  await tap(fuel, '#pay-btn')
  await waitFor(() => wx.named('navigateTo').length, 'the result page', 15000)
  expect(wx.named('requestSubscribeMessage')[0].tmplIds).toEqual([TPL])
  expect(wx.named('requestPayment')).toHaveLength(1)
  const url = wx.named('navigateTo')[0].url
  const match = /^\/pages\/result\/index\?out_trade_no=([A-Za-z0-9]+)$/.exec(url)
  expect(match).not.toBeNull()
  const outTradeNo = match[1]

  // result: waits for the confirmation and shows the points
  const result = renderPage('result')
  await result.instance.onLoad({ out_trade_no: outTradeNo })
  expect(text(result, '#result-title')).toBe('支付成功')
  expect(text(result, '#points-earned')).toBe('+300 积分')
  expect(text(result, '#paid-amount')).toBe('¥300.00')
  expect(text(result, '#order-details')).toContain('优站 西湖文三路站')

  // home: now a member with the balance
  await tap(result, '#go-home-btn')
  await home.instance.onShow()
  expect(text(home, '#balance')).toBe('300')
  expect(text(home, '#tier')).toBe('普通会员')
  expect(text(home, '#joined')).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 加入$/)

  // points: the balance the backend answers, the window, and the entry with its reason
  const points = renderPage('points')
  await points.instance.onShow()
  const history = await backendGet(wx, '/api/me/points')
  expect([history.data.balance, history.data.days]).toEqual([300, 92])
  expect(text(points, '#points-balance')).toBe('余额 300')
  expect(text(points, '#points-window')).toBe('近 3 个月的积分变动')
  expect(points.instance.data.items).toHaveLength(1)
  const entry = points.instance.data.items[0]
  expect(text(points, '#entry-' + entry.id)).toMatch(/^加油消费 优站 西湖文三路站 92# 消费积分 · \d{4}年.* \+300 余额 300$/)
  expect(text(points, '#no-more')).toBe('没有更多了')

  // WeChat delivered the "points credited" message the driver agreed to
  const messages = await eventually(async () => {
    const items = await wx.messages()
    return items.length ? items : null
  }, 'the points-credited message')
  expect(messages).toHaveLength(1)
  expect(messages[0].template_id).toBe(TPL)
  expect(messages[0].page).toBe('pages/result/index?out_trade_no=' + outTradeNo)

  // one purchase, one order, one request_id
  expect(orderPosts(wx)).toHaveLength(1)
  expect(orderPosts(wx)[0].data.request_id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
  expect((await myOrders(wx)).map((o) => [o.out_trade_no, o.status])).toEqual([[outTradeNo, 'paid']])

  // nothing went wrong on the way
  expect(wx.toasts()).toEqual([])
})

test('a purchase sent twice with the same request_id is one order', async () => {
  const wx = newDriver()
  const fuel = renderPage('fuel')
  await fuel.instance.onLoad({})
  await fillIn(fuel, 2, 1, '200')
  expect(fuel.instance.data.grade).toBe('95#')

  // the backend creates the order, but its answer is lost on the way back: the page sends it again
  const send = wx.request
  let lost = 0
  wx.request = function (opts) {
    if ((opts.method || 'GET').toUpperCase() === 'POST' && /\/api\/orders$/.test(opts.url) && !lost) {
      lost += 1
      return send.call(wx, Object.assign({}, opts, { success: () => opts.fail({ errMsg: 'request:fail timeout' }) }))
    }
    return send.call(wx, opts)
  }
  // and the driver closes the cashier the first time, then taps 微信支付 again
  const pay = wx.requestPayment
  let cashiers = 0
  wx.requestPayment = function (opts) {
    cashiers += 1
    if (cashiers > 1) return pay.call(wx, opts)
    wx.calls.push({ name: 'requestPayment', args: opts })
    setTimeout(() => opts.fail({ errMsg: 'requestPayment:fail cancel' }), 0)
    return undefined
  }

  await tap(fuel, '#pay-btn')
  await waitFor(() => wx.toasts().length, 'the closed cashier', 15000)
  expect(wx.toasts()).toEqual(['已取消支付'])
  expect(lost).toBe(1)
  await tap(fuel, '#pay-btn')
  await waitFor(() => wx.named('navigateTo').length, 'the result page', 15000)

  // three requests with one request_id; the backend answered the same order and the same prepay each time
  const posts = orderPosts(wx)
  expect(posts).toHaveLength(3)
  expect(new Set(posts.map((r) => r.data.request_id)).size).toBe(1)
  expect(posts.map((r) => r.status)).toEqual([201, 201, 201])
  const outTradeNo = posts[0].body.order.out_trade_no
  posts.forEach((r) => {
    expect(r.body.order.out_trade_no).toBe(outTradeNo)
    expect(r.body.payment.package).toBe(posts[0].body.payment.package)
  })
  expect(wx.named('navigateTo')[0].url).toBe('/pages/result/index?out_trade_no=' + outTradeNo)

  // GET /api/orders: one order, paid
  const orders = await eventually(async () => {
    const items = await myOrders(wx)
    return items.length === 1 && items[0].status === 'paid' ? items : null
  }, 'the order paid')
  expect(orders[0].out_trade_no).toBe(outTradeNo)
  expect(orders[0].amount_fen).toBe(20000)
})

test('an error from the backend shows its message in Chinese', async () => {
  const wx = newDriver({ location: null })
  const fuel = renderPage('fuel')
  await fuel.instance.onLoad({})
  // no location: the list, in the backend's order
  expect(text(fuel, '#location-notice')).toBe('未能获取您的位置，请从列表中选择油站')
  expect(find(fuel, '#station-list')).not.toBeNull()

  // an amount outside the backend's order limits is refused before anything is sent
  const stations = wx.requests().find((r) => r.path === '/api/stations')
  expect(stations.body.order_limits).toEqual({ min_fen: 100, max_fen: 500000 })
  await fillIn(fuel, 1, 0, '0.5')
  expect(text(fuel, '#input-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  await tap(fuel, '#pay-btn')
  expect(text(fuel, '#form-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  expect(orderPosts(wx)).toHaveLength(0)

  // WeChat takes the money but its answer to the page is lost: the page offers to pay again
  await input(fuel, '#amount-input', '100')
  const pay = wx.requestPayment
  wx.requestPayment = function (opts) {
    return pay.call(wx, Object.assign({}, opts, { success: () => opts.fail({ errMsg: 'requestPayment:fail system error' }) }))
  }
  await tap(fuel, '#pay-btn')
  await waitFor(() => wx.toasts().length, 'the failed payment', 15000)
  expect(text(fuel, '#form-error')).toBe('支付未完成，请重试')
  await eventually(async () => {
    const items = await myOrders(wx)
    return items.length === 1 && items[0].status === 'paid'
  }, 'the order paid')

  // the second tap sends the same purchase: the backend says it is paid, in Chinese on the page
  await tap(fuel, '#pay-btn')
  await waitFor(() => wx.toasts().length === 2, 'the error', 10000)
  const [first, second] = orderPosts(wx)
  expect(second.data.request_id).toBe(first.data.request_id)
  expect([second.status, second.body.error.code]).toEqual([409, 'order.not_payable'])
  expect(text(fuel, '#form-error')).toBe('这笔订单已支付或已关闭，请查看积分记录后再下单')
  expect(wx.toasts()).toEqual(['支付未完成，请重试', '这笔订单已支付或已关闭，请查看积分记录后再下单'])
  expect(wx.named('requestPayment')).toHaveLength(1)
  expect(wx.named('hideLoading')).toHaveLength(wx.named('showLoading').length)
  expect(await myOrders(wx)).toHaveLength(1)
})

test('a driver binds a phone and logs out; the backend forgets the session', async () => {
  const wx = newDriver()
  const profile = renderPage('profile')
  await profile.instance.onShow()
  expect(text(profile, '#profile-name')).toBe('还不是会员')

  const code = await wx.phoneCode('13800138000')
  await fire(profile, '#phone-btn', 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code })
  await waitFor(() => find(profile, '#phone'), 'the bound phone', 10000)
  expect(text(profile, '#phone')).toBe('138****8000')
  // binding a phone makes a guest a member
  expect(text(profile, '#profile-name')).toMatch(/^会员 \d+$/)

  // the access token has expired by the time the driver logs out: the refresh token alone is enough
  const refreshToken = wx.storage[session.KEYS.refresh]
  wx.setStorageSync(session.KEYS.access, 'expired-access-token')
  wx.setStorageSync(session.KEYS.accessExpiresAt, Date.now() - 1000)
  session.restore()
  const before = wx.requests().length
  await profile.instance.onLogoutTap()
  expect(text(profile, '#profile-name')).toBe('未登录')
  const sent = wx.requests().slice(before)
  expect(sent.map((r) => r.path)).toEqual(['/api/auth/logout'])
  expect(sent[0].header.Authorization).toBeUndefined()
  expect(sent[0].data).toEqual({ refresh_token: refreshToken })
  expect([sent[0].status, sent[0].body]).toEqual([200, { ok: true }])
  // revoked: the refresh token is refused from now on
  const reuse = await exchange({
    method: 'POST', url: stack.api + '/api/auth/refresh', body: { refresh_token: refreshToken },
    headers: { 'Content-Type': 'application/json' },
  })
  expect(reuse.status).toBe(401)
  expect(reuse.data.error.code).toBe('auth.token_invalid')

  const home = renderPage('home')
  await home.instance.onShow()
  expect(find(home, '#logged-out-card')).not.toBeNull()
  // logging in again is the same WeChat user: the same member, with the phone
  const openid = wx.openid
  await tap(home, '#login-btn')
  await waitFor(() => find(home, '#balance'), 'the member after logging in again', 10000)
  expect(wx.openid).toBe(openid)
  expect(text(home, '#balance')).toBe('0')
})

test('a rejected access token is refreshed; a spent refresh token means logging in again', async () => {
  const wx = newDriver()
  const home = renderPage('home')
  await home.instance.onShow()
  expect(find(home, '#join-card')).not.toBeNull()
  const firstRefresh = wx.storage[session.KEYS.refresh]

  // the backend refuses the access token: refresh, and the refresh token rotates
  wx.setStorageSync(session.KEYS.access, 'not-a-token')
  session.restore()
  await home.instance.onShow()
  expect(find(home, '#join-card')).not.toBeNull()
  const paths = wx.requests().map((r) => r.path)
  expect(paths.slice(-3)).toEqual(['/api/me', '/api/auth/refresh', '/api/me'])
  expect(wx.storage[session.KEYS.refresh]).not.toBe(firstRefresh)
  expect(wx.named('login')).toHaveLength(1)

  // a refresh token used before is refused (and its family revoked): the driver is logged in again
  wx.setStorageSync(session.KEYS.access, 'not-a-token')
  wx.setStorageSync(session.KEYS.refresh, firstRefresh)
  session.restore()
  await home.instance.onShow()
  expect(find(home, '#join-card')).not.toBeNull()
  expect(wx.named('login')).toHaveLength(2)
  expect(wx.requests().map((r) => r.path).slice(-4)).toEqual(['/api/me', '/api/auth/refresh', '/api/auth/login', '/api/me'])
  expect(wx.toasts()).toEqual([])
})
