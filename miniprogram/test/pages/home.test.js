const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const LOGIN = { status: 200, body: fixtures.tokens() }

function setup(routes) {
  global.wx = createWx({ routes: Object.assign({ 'POST /api/auth/login': LOGIN }, routes) })
  session.restore()
  return global.wx
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  timing.RETRY_DELAY_MS = 1
})

test('a member sees the balance, tier and joined date', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member({ points_balance: 12800 }), openid: 'o' } } })
  const page = renderPage('home')
  expect(find(page, '#loading-card')).not.toBeNull()
  await page.instance.onShow()
  expect(text(page, '#balance')).toBe('12,800')
  expect(text(page, '#tier')).toBe('普通会员')
  expect(text(page, '#joined')).toBe('2026年11月24日 加入')
  expect(find(page, '#join-card')).toBeNull()
})

test('a guest is told that paying once makes them a member', async () => {
  const wx = setup({ 'GET /api/me': { status: 200, body: { member: null, openid: 'o' } } })
  const page = renderPage('home')
  await page.instance.onShow()
  expect(text(page, '#join-card')).toContain('加一次油，就是会员')
  expect(text(page, '#join-card')).toContain('支付一次')
  expect(find(page, '#balance')).toBeNull()
  await tap(page, '#join-btn')
  expect(wx.named('switchTab')).toEqual([{ url: '/pages/fuel/index' }])
})

test('the shortcuts switch tabs', async () => {
  const wx = setup({})
  const page = renderPage('home')
  await tap(page, '#shortcut-fuel')
  await tap(page, '#shortcut-points')
  await tap(page, '#shortcut-profile')
  expect(wx.named('switchTab').map((c) => c.url)).toEqual(['/pages/fuel/index', '/pages/points/index', '/pages/profile/index'])
})

test('the remembered member shows at once; a failed refresh keeps it and says why', async () => {
  const wx = setup({ 'GET /api/me': apiError(500, 'internal', 'Something went wrong on our side; try again.') })
  session.setMember(fixtures.member({ points_balance: 300 }))
  const page = renderPage('home')
  const shown = page.instance.onShow()
  expect(text(page, '#balance')).toBe('300')
  await shown
  expect(text(page, '#member-card')).toContain('服务器开小差了，请稍后再试')
  expect(wx.toasts()).toEqual([])
})

test('an error with nothing to show offers a retry', async () => {
  const wx = setup({ 'GET /api/me': ['network-fail', 'network-fail', 'network-fail', { status: 200, body: { member: null, openid: 'o' } }] })
  const page = renderPage('home')
  await page.instance.onShow()
  expect(text(page, '#error-message')).toBe('网络不给力，请检查网络后重试')
  await tap(page, '#retry-btn')
  await waitFor(() => find(page, '#join-card'), 'the guest card')
  expect(wx.requests().filter((r) => r.path === '/api/me')).toHaveLength(4)
})

test('pull-down refresh reloads and stops the spinner', async () => {
  const wx = setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member(), openid: 'o' } } })
  const page = renderPage('home')
  await page.instance.onPullDownRefresh()
  expect(wx.named('stopPullDownRefresh')).toHaveLength(1)
  expect(text(page, '#balance')).toBe('1,280')
})

test('after logging out, home offers to log in', async () => {
  const wx = setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member(), openid: 'o' } } })
  wx.setStorageSync(session.KEYS.loggedOut, true)
  session.restore()
  const page = renderPage('home')
  await page.instance.onShow()
  expect(text(page, '#logged-out-card')).toContain('您已退出登录')
  expect(wx.requests()).toHaveLength(0)
  await tap(page, '#login-btn')
  await waitFor(() => find(page, '#balance'), 'the balance after logging in')
  expect(wx.named('login')).toHaveLength(1)
})
