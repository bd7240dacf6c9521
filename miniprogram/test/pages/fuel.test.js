const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, text, tap, input, find, waitFor } = require('../helpers/pages')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const TPL = 'TPL_POINTS_CREDITED_SANDBOX'
const NEAR_STATION_2 = { latitude: 30.2090, longitude: 120.2110 }

function setup(options, routes) {
  global.wx = createWx(Object.assign({
    routes: Object.assign({
      'POST /api/auth/login': { status: 200, body: fixtures.tokens() },
      'GET /api/stations': { status: 200, body: fixtures.STATIONS },
      'POST /api/me/subscriptions': { status: 200, body: { available: { [TPL]: 1 } } },
      'POST /api/orders': { status: 201, body: { order: fixtures.order(), payment: fixtures.PAYMENT } },
    }, routes || {}),
  }, options || {}))
  session.restore()
  return global.wx
}

async function openPage() {
  const page = renderPage('fuel')
  await page.instance.onLoad({})
  return page
}

async function choose(page, pump, gradeIndex, amount) {
  await tap(page, '#pump-' + pump)
  if (gradeIndex !== undefined) await tap(page, '#grade-' + gradeIndex)
  if (amount !== undefined) await input(page, '#amount-input', amount)
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  config.TEMPLATE_IDS = { POINTS_CREDITED: TPL }
  timing.RETRY_DELAY_MS = 1
})

test('the nearest station comes first when the location is known', async () => {
  const wx = setup({ location: NEAR_STATION_2 })
  const page = await openPage()
  expect(text(page, '#station-name')).toBe('优站 滨江江南大道站')
  expect(text(page, '#station-current')).toMatch(/距您 \d+ 米 · 最近/)
  expect(find(page, '#location-notice')).toBeNull()
  expect(find(page, '#station-list')).toBeNull()
  expect(wx.named('getLocation')[0].type).toBe('gcj02')
  // the stations need no login
  expect(wx.requests()[0].header.Authorization).toBeUndefined()
  await tap(page, '#toggle-stations')
  expect(text(page, '#station-list')).toContain('优站 西湖文三路站')
})

test('without a location the driver picks from the list', async () => {
  setup({ location: null })
  const page = await openPage()
  expect(text(page, '#location-notice')).toBe('未能获取您的位置，请从列表中选择油站')
  expect(find(page, '#station-list')).not.toBeNull()
  expect(text(page, '#station-name')).toBe('优站 西湖文三路站')
  await tap(page, '#station-2')
  expect(text(page, '#station-name')).toBe('优站 滨江江南大道站')
  expect(find(page, '#station-list')).toBeNull()
  expect(page.instance.data.pumps.map((p) => p.pumpNo)).toEqual([1, 2])
})

test('a pump offers its grades with prices; a single-grade pump picks it', async () => {
  setup({ location: null })
  const page = await openPage()
  expect(text(page, '#grade-0')).toBeNull()
  await tap(page, '#pump-3')
  expect(text(page, '#grade-0')).toBe('95# 7.86 元/升')
  expect(text(page, '#grade-1')).toBe('98# 8.86 元/升')
  expect(page.instance.data.grade).toBe('')
  await tap(page, '#pump-4')
  expect(page.instance.data.grade).toBe('0#')
  expect(page.instance.data.priceText).toBe('7.12')
})

test('an amount shows litres, litres show the amount', async () => {
  setup({ location: null })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  expect(text(page, '#quote-litres')).toBe('约 40.65 升')
  expect(text(page, '#quote-amount')).toBe('¥300.00')
  expect(text(page, '#footer-amount')).toBe('¥300.00')
  await tap(page, '#mode-litres')
  expect(page.instance.data.input).toBe('')
  await input(page, '#amount-input', '30.5')
  expect(text(page, '#quote-amount')).toBe('¥225.09')
  await input(page, '#amount-input', '30.555')
  expect(text(page, '#input-error')).toBe('请输入正确的升数，最多两位小数')
  expect(find(page, '#quote-amount')).toBeNull()
  await tap(page, '#mode-amount')
  await tap(page, '#quick-1')
  expect(page.instance.data.input).toBe('200')
  expect(text(page, '#quote-litres')).toBe('约 27.10 升')
})

test('paying asks for the message, reports it, creates the order, pays and opens the result', async () => {
  const wx = setup({ location: { latitude: 30.2776, longitude: 120.128 } })
  const page = await openPage()
  await choose(page, 1, 0, '300')
  await tap(page, '#pay-btn')
  await waitFor(() => wx.named('navigateTo').length, 'the result page')
  expect(wx.named('requestSubscribeMessage')[0].tmplIds).toEqual([TPL])
  const posts = wx.requests().filter((r) => r.method === 'POST' && r.path !== '/api/auth/login')
  expect(posts.map((r) => r.path)).toEqual(['/api/me/subscriptions', '/api/orders'])
  expect(posts[0].data).toEqual({ grants: { [TPL]: 'accept' } })
  expect(posts[1].data).toEqual({ station_id: 1, pump_no: 1, grade: '92#', amount_fen: 30000 })
  expect(posts[1].header.Authorization).toBe('Bearer access-1')
  const pay = wx.named('requestPayment')[0]
  expect([pay.timeStamp, pay.nonceStr, pay.package, pay.signType, pay.paySign]).toEqual([
    fixtures.PAYMENT.timeStamp, fixtures.PAYMENT.nonceStr, fixtures.PAYMENT.package, 'RSA', fixtures.PAYMENT.paySign,
  ])
  expect(wx.named('navigateTo')[0].url).toBe('/pages/result/index?out_trade_no=YZ202611240930350908988504')
  expect(wx.named('showLoading')[0].title).toBe('正在下单')
  expect(page.instance.data.paying).toBe(false)
  // the next fill-up starts from an empty amount
  expect(page.instance.data.input).toBe('')
  expect(text(page, '#footer-amount')).toBe('--')
})

test('pull down finds the stations again', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await tap(page, '#pump-1')
  await page.instance.onPullDownRefresh()
  expect(wx.requests().filter((r) => r.path === '/api/stations')).toHaveLength(2)
  expect(wx.named('getLocation')).toHaveLength(2)
  expect(wx.named('stopPullDownRefresh')).toHaveLength(1)
  expect(page.instance.data.pumpNo).toBe(0)
})

test('litres are sent as litres', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await choose(page, 3, 1)
  await tap(page, '#mode-litres')
  await input(page, '#amount-input', '40.5')
  await page.instance.onPay()
  const order = wx.requests().find((r) => r.path === '/api/orders')
  expect(order.data).toEqual({ station_id: 1, pump_no: 3, grade: '98#', litres: 40.5 })
})

test('what is missing is said before anything is sent', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请选择油枪')
  await tap(page, '#pump-1')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请选择油品')
  await tap(page, '#grade-0')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('请输入加油金额')
  await input(page, '#amount-input', '0')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('金额需大于 0')
  expect(wx.named('requestSubscribeMessage')).toHaveLength(0)
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(0)
})

test('a backend error is shown in plain Chinese', async () => {
  const wx = setup({ location: null }, {
    'POST /api/orders': apiError(422, 'order.amount_out_of_range', 'The amount must be between 1.00 and 5000.00 yuan.', 'amount_fen'),
  })
  const page = await openPage()
  await choose(page, 1, 0, '0.5')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('单笔金额需在 1.00 元至 5000.00 元之间')
  expect(wx.toasts()).toEqual(['单笔金额需在 1.00 元至 5000.00 元之间'])
  expect(wx.named('requestPayment')).toHaveLength(0)
  expect(wx.named('navigateTo')).toHaveLength(0)
  expect(wx.named('hideLoading')).toHaveLength(1)
})

test('closing the cashier is not an error', async () => {
  const wx = setup({ location: null, payment: 'cancel' })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.toasts()).toEqual(['已取消支付'])
  expect(find(page, '#form-error')).toBeNull()
  expect(wx.named('navigateTo')).toHaveLength(0)
  expect(text(page, '#pay-btn')).toBe('微信支付')
})

test('a failed payment says so', async () => {
  const wx = setup({ location: null, payment: 'system error' })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(text(page, '#form-error')).toBe('支付未完成，请重试')
  expect(wx.named('navigateTo')).toHaveLength(0)
})

test('a refused or failed subscription still pays; a refusal is reported', async () => {
  let wx = setup({ location: null, subscribeAnswer: 'reject' })
  let page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.requests().find((r) => r.path === '/api/me/subscriptions').data).toEqual({ grants: { [TPL]: 'reject' } })
  expect(wx.named('navigateTo')).toHaveLength(1)

  wx = setup({ location: null, subscribeAnswer: 'fail' }, { 'POST /api/me/subscriptions': apiError(500, 'internal') })
  page = await openPage()
  await choose(page, 1, 0, '100')
  await page.instance.onPay()
  expect(wx.requests().filter((r) => r.path === '/api/me/subscriptions')).toHaveLength(0)
  expect(wx.named('navigateTo')).toHaveLength(1)
})

test('no template configured: no subscribe prompt', async () => {
  const saved = config.TEMPLATE_IDS
  config.TEMPLATE_IDS = { POINTS_CREDITED: '' }
  try {
    const wx = setup({ location: null })
    const page = await openPage()
    await choose(page, 1, 0, '100')
    await page.instance.onPay()
    expect(wx.named('requestSubscribeMessage')).toHaveLength(0)
    expect(wx.named('navigateTo')).toHaveLength(1)
  } finally {
    config.TEMPLATE_IDS = saved
  }
})

test('a double tap pays once', async () => {
  const wx = setup({ location: null })
  const page = await openPage()
  await choose(page, 1, 0, '100')
  await Promise.all([page.instance.onPay(), page.instance.onPay()])
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(1)
})

test('stations that fail to load offer a retry', async () => {
  const wx = setup({ location: null }, { 'GET /api/stations': ['network-fail', 'network-fail', 'network-fail', { status: 200, body: fixtures.STATIONS }] })
  const page = await openPage()
  expect(text(page, '#stations-error')).toContain('网络不给力，请检查网络后重试')
  await tap(page, '#stations-retry')
  await waitFor(() => find(page, '#station-name'), 'the stations')
  expect(wx.requests().filter((r) => r.path === '/api/stations')).toHaveLength(4)
})
