const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const NO = 'YZ202611240930350908988504'
const PAID = fixtures.order({ status: 'paid', points_earned: 300, paid_at: '2026-11-24T01:30:36.100000+00:00' })

function setup(orderAnswers) {
  global.wx = createWx({
    routes: {
      'POST /api/auth/login': { status: 200, body: fixtures.tokens() },
      'GET /api/orders/*': orderAnswers,
    },
  })
  session.restore()
  return global.wx
}

function created() {
  return { status: 200, body: { order: fixtures.order() } }
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  timing.RETRY_DELAY_MS = 1
})

beforeEach(() => {
  timing.ORDER_POLL_INTERVAL_MS = 10
  timing.ORDER_POLL_TIMEOUT_MS = 2000
})

test('waits while the order is created, then shows the points earned', async () => {
  const wx = setup([created(), created(), { status: 200, body: { order: PAID } }])
  const page = renderPage('result')
  const done = page.instance.onLoad({ out_trade_no: NO })
  expect(text(page, '#result-title')).toBe('正在确认支付结果')
  await done
  expect(text(page, '#result-title')).toBe('支付成功')
  expect(text(page, '#points-earned')).toBe('+300 积分')
  expect(text(page, '#paid-amount')).toBe('¥300.00')
  expect(text(page, '#order-details')).toContain('1号枪 · 92#')
  expect(text(page, '#order-details')).toContain('40.65 升')
  expect(text(page, '#order-details')).toContain('2026年11月24日 09:30')
  const polls = wx.requests().filter((r) => r.path === '/api/orders/' + NO)
  expect(polls).toHaveLength(3)
  expect(polls[0].header.Authorization).toBe('Bearer access-1')
  await tap(page, '#go-points-btn')
  await tap(page, '#go-home-btn')
  expect(wx.named('switchTab').map((c) => c.url)).toEqual(['/pages/points/index', '/pages/home/index'])
})

test('still not confirmed after the wait: says so and can ask again', async () => {
  timing.ORDER_POLL_TIMEOUT_MS = 60
  const wx = setup(created())
  const page = renderPage('result')
  await page.instance.onLoad({ out_trade_no: NO })
  expect(text(page, '#result-title')).toBe('支付结果确认中')
  const asked = wx.requests().length
  expect(asked).toBeGreaterThan(2)
  wx.routes['GET /api/orders/*'] = { status: 200, body: { order: PAID } }
  await tap(page, '#check-again-btn')
  await waitFor(() => text(page, '#result-title') === '支付成功', 'the paid state')
})

test('closed and refunded orders say so', async () => {
  setup({ status: 200, body: { order: fixtures.order({ status: 'closed' }) } })
  let page = renderPage('result')
  await page.instance.onLoad({ out_trade_no: NO })
  expect(text(page, '#result-title')).toBe('订单已关闭')

  setup({ status: 200, body: { order: fixtures.order({ status: 'refunded' }) } })
  page = renderPage('result')
  await page.instance.onLoad({ out_trade_no: NO })
  expect(text(page, '#result-title')).toBe('订单已退款')
})

test('an unknown order shows the backend error in Chinese', async () => {
  setup(apiError(404, 'order.not_found', 'No such order.'))
  const page = renderPage('result')
  await page.instance.onLoad({ out_trade_no: 'YZ-nope' })
  expect(text(page, '#result-title')).toBe('无法查询订单')
  expect(text(page, '#error-message')).toBe('找不到这笔订单')
})

test('leaving the page stops the polling', async () => {
  timing.ORDER_POLL_INTERVAL_MS = 30
  const wx = setup(created())
  const page = renderPage('result')
  const done = page.instance.onLoad({ out_trade_no: NO })
  await waitFor(() => wx.requests().length >= 2, 'a first poll')
  page.instance.onUnload()
  await done
  const count = wx.requests().length
  await new Promise((r) => setTimeout(r, 100))
  expect(wx.requests().length).toBe(count)
})

test('opened without an order number', async () => {
  const wx = setup(created())
  const page = renderPage('result')
  await page.instance.onLoad({})
  expect(text(page, '#error-message')).toBe('找不到这笔订单')
  expect(wx.requests()).toHaveLength(0)
  expect(find(page, '#order-details')).toBeNull()
})
