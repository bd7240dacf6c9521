const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, fire, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

function setup(routes, options) {
  global.wx = createWx(Object.assign({
    routes: Object.assign({
      'POST /api/auth/login': { status: 200, body: fixtures.tokens() },
      'GET /api/me': { status: 200, body: { member: fixtures.member(), openid: 'o' } },
      'POST /api/auth/logout': { status: 200, body: { ok: true } },
    }, routes || {}),
  }, options || {}))
  session.restore()
  return global.wx
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  timing.RETRY_DELAY_MS = 1
})

test('a member sees their details and can bind a phone with getPhoneNumber', async () => {
  const wx = setup({ 'POST /api/me/phone': { status: 200, body: { member: fixtures.member({ phone: '138****8000' }) } } })
  const page = renderPage('profile')
  await page.instance.onShow()
  expect(text(page, '#profile-name')).toBe('会员 1')
  expect(text(page, '#referral-code')).toBe('ZT46WRT2')
  expect(find(page, '#phone')).toBeNull()
  const button = find(page, '#phone-btn')
  const attrs = button.toJSON().attrs.reduce((all, a) => Object.assign(all, { [a.name]: a.value }), {})
  expect(attrs.openType).toBe('getPhoneNumber')
  expect(button.toJSON().event.getphonenumber.handler).toBe('onGetPhoneNumber')

  await fire(page, '#phone-btn', 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' })
  await waitFor(() => find(page, '#phone'), 'the bound phone')
  expect(text(page, '#phone')).toBe('138****8000')
  expect(find(page, '#phone-btn')).toBeNull()
  const bind = wx.requests().find((r) => r.path === '/api/me/phone')
  expect(bind.data).toEqual({ code: 'phone-code-1' })
  expect(wx.toasts()).toEqual(['绑定成功'])
  expect(session.getMember().phone).toBe('138****8000')
})

test('refusing the phone prompt sends nothing', async () => {
  const wx = setup()
  const page = renderPage('profile')
  await page.instance.onShow()
  await page.instance.onGetPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })
  expect(wx.toasts()).toEqual(['未授权手机号'])
  expect(wx.requests().filter((r) => r.path === '/api/me/phone')).toHaveLength(0)
})

test('a phone code WeChat refused is explained', async () => {
  const wx = setup({ 'POST /api/me/phone': apiError(400, 'phone.code_invalid', 'The phone code is invalid.') })
  const page = renderPage('profile')
  await page.instance.onShow()
  await page.instance.onGetPhoneNumber({ detail: { code: 'stale' } })
  expect(wx.toasts()).toEqual(['手机号授权已失效，请重新授权'])
  expect(page.instance.data.binding).toBe(false)
})

test('a guest can bind a phone too, and is pointed to the pump', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: null, openid: 'o' } } })
  const page = renderPage('profile')
  await page.instance.onShow()
  expect(text(page, '#profile-name')).toBe('还不是会员')
  expect(find(page, '#phone-btn')).not.toBeNull()
  expect(find(page, '#go-fuel-btn')).not.toBeNull()
})

test('log out asks first, then forgets the session', async () => {
  const wx = setup()
  const page = renderPage('profile')
  await page.instance.onShow()
  await page.instance.onLogoutTap()
  expect(wx.named('showModal')[0].title).toBe('退出登录')
  expect(wx.requests().map((r) => r.path)).toContain('/api/auth/logout')
  expect(text(page, '#profile-name')).toBe('未登录')
  expect(session.isLoggedOut()).toBe(true)
  expect(wx.toasts()).toEqual(['已退出登录'])

  await tap(page, '#login-btn')
  await waitFor(() => text(page, '#profile-name') === '会员 1', 'the member after logging in again')
  expect(session.isLoggedOut()).toBe(false)
})

test('cancelling the log-out dialog keeps the session', async () => {
  const wx = setup({}, { modalConfirm: false })
  const page = renderPage('profile')
  await page.instance.onShow()
  await page.instance.onLogoutTap()
  expect(wx.requests().map((r) => r.path)).not.toContain('/api/auth/logout')
  expect(session.isLoggedOut()).toBe(false)
})
