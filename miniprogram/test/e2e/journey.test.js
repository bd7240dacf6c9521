/**
 * End to end: the pages' own JavaScript under miniprogram-simulate, against the real backend and the WeChat
 * sandbox (app.devstack). A new driver opens the app, fuels and pays, and sees the points on the home page
 * and in the history; WeChat delivers the "points credited" message; backend errors show in Chinese.
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

  // points: the entry with its reason
  const points = renderPage('points')
  await points.instance.onShow()
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

  // nothing went wrong on the way
  expect(wx.toasts()).toEqual([])
})

test('an error from the backend shows its message in Chinese', async () => {
  const wx = newDriver({ location: null })
  const fuel = renderPage('fuel')
  await fuel.instance.onLoad({})
  // no location: the list, in the backend's order
  expect(text(fuel, '#location-notice')).toBe('未能获取您的位置，请从列表中选择油站')
  expect(find(fuel, '#station-list')).not.toBeNull()
  await fillIn(fuel, 1, 0, '0.5')
  await tap(fuel, '#pay-btn')
  await waitFor(() => find(fuel, '#form-error'), 'the error', 10000)
  expect(text(fuel, '#form-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  expect(wx.toasts()).toEqual(['单笔金额需在 1.00 元至 5000.00 元之间'])
  expect(wx.named('requestPayment')).toHaveLength(0)
  expect(wx.named('hideLoading')).toHaveLength(wx.named('showLoading').length)
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

  const refreshToken = wx.storage[session.KEYS.refresh]
  await profile.instance.onLogoutTap()
  expect(text(profile, '#profile-name')).toBe('未登录')
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
