const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, find } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

function pageOf(ids, next, extra) {
  return Object.assign({ items: ids.map((id) => fixtures.entry(id, id % 2 ? 300 : -100, 1000 + id)), next: next, balance: 1040, days: 92 }, extra || {})
}

function setup(pointsRoute) {
  global.wx = createWx({
    routes: {
      'POST /api/auth/login': { status: 200, body: fixtures.tokens() },
      'GET /api/me/points': pointsRoute,
    },
  })
  session.restore()
  return global.wx
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  timing.RETRY_DELAY_MS = 1
})

test('the history, newest first, with reasons, and the next page on reaching the bottom', async () => {
  const first = Array.from({ length: 20 }, (_, i) => 40 - i)
  const wx = setup((req) => ({ status: 200, body: req.query.cursor === '21' ? pageOf([20, 19], null) : pageOf(first, '21') }))
  const page = renderPage('points')
  await page.instance.onShow()
  expect(page.instance.data.items).toHaveLength(20)
  expect(text(page, '#entry-40')).toBe('加油消费 优站 西湖文三路站 92# 消费积分 · 2026年11月24日 09:30 -100 余额 1,040')
  expect(text(page, '#entry-39')).toContain('+300')
  expect(find(page, '#entry-39 .positive')).not.toBeNull()
  expect(find(page, '#load-more-btn')).not.toBeNull()
  expect(text(page, '#points-window')).toBe('近 3 个月的积分变动')
  expect(text(page, '#points-balance')).toBe('余额 1,040')

  await page.instance.onReachBottom()
  expect(page.instance.data.items.map((i) => i.id).slice(-3)).toEqual([21, 20, 19])
  expect(text(page, '#no-more')).toBe('没有更多了')
  const [a, b] = wx.requests().filter((r) => r.path === '/api/me/points')
  expect(a.query).toEqual({ limit: '20' })
  expect(b.query).toEqual({ limit: '20', cursor: '21' })
  // nothing more to ask for
  await page.instance.onReachBottom()
  expect(wx.requests().filter((r) => r.path === '/api/me/points')).toHaveLength(2)
})

test('the load-more button works for a thumb too', async () => {
  setup((req) => ({ status: 200, body: req.query.cursor ? pageOf([1], null) : pageOf([3, 2], '2') }))
  const page = renderPage('points')
  await page.instance.onShow()
  await tap(page, '#load-more-btn')
  await new Promise((r) => setTimeout(r, 30))
  expect(page.instance.data.items.map((i) => i.id)).toEqual([3, 2, 1])
})

test('the balance is the one the backend answers, and the window its days', async () => {
  // the newest entry in the window says 1,001: the balance now is what counts
  setup({ status: 200, body: pageOf([1], null, { balance: 12345, days: 30 }) })
  const page = renderPage('points')
  await page.instance.onShow()
  expect(text(page, '#points-balance')).toBe('余额 12,345')
  expect(text(page, '#points-window')).toBe('近 30 天的积分变动')
})

test('an answer without balance or days: the newest entry\'s balance, the last 3 months', async () => {
  setup({ status: 200, body: { items: pageOf([7], null).items, next: null } })
  const page = renderPage('points')
  await page.instance.onShow()
  expect(text(page, '#points-balance')).toBe('余额 1,007')
  expect(text(page, '#points-window')).toBe('近 3 个月的积分变动')
})

test('a balance without entries in the window shows the balance, not "no points yet"', async () => {
  const wx = setup({ status: 200, body: { items: [], next: null, balance: 800, days: 92 } })
  const page = renderPage('points')
  await page.instance.onShow()
  expect(find(page, '#points-empty')).toBeNull()
  expect(text(page, '#points-balance')).toBe('余额 800')
  expect(text(page, '#points-quiet')).toContain('近 3 个月没有积分变动')
  expect(find(page, '#no-more')).toBeNull()
  await tap(page, '#go-fuel-btn')
  expect(wx.named('switchTab')[0].url).toBe('/pages/fuel/index')
})

test('an empty history invites a first fill-up', async () => {
  const wx = setup({ status: 200, body: { items: [], next: null, balance: 0, days: 92 } })
  const page = renderPage('points')
  await page.instance.onShow()
  expect(text(page, '#points-empty')).toContain('还没有积分记录')
  await tap(page, '#go-fuel-btn')
  expect(wx.named('switchTab')[0].url).toBe('/pages/fuel/index')
})

test('pull-down refresh replaces the list', async () => {
  const wx = setup([{ status: 200, body: pageOf([1], null) }, { status: 200, body: pageOf([2, 1], null) }])
  const page = renderPage('points')
  await page.instance.onShow()
  await page.instance.onPullDownRefresh()
  expect(page.instance.data.items.map((i) => i.id)).toEqual([2, 1])
  expect(wx.named('stopPullDownRefresh')).toHaveLength(1)
})

test('a failed first page offers a retry; a failed next page keeps what is shown', async () => {
  setup([apiError(500, 'internal'), { status: 200, body: pageOf([3, 2], '2') }, apiError(422, 'request.cursor_invalid', 'x', 'cursor')])
  const page = renderPage('points')
  await page.instance.onShow()
  expect(text(page, '#error-message')).toBe('服务器开小差了，请稍后再试')
  await page.instance.onRetryTap()
  expect(page.instance.data.items).toHaveLength(2)
  await page.instance.onReachBottom()
  expect(page.instance.data.items).toHaveLength(2)
  expect(text(page, '.more-error')).toContain('列表已更新，请下拉刷新')
})
