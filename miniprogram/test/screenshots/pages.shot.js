/**
 * Renders each page with miniprogram-simulate, a stubbed wx and realistic backend answers, in the state a
 * driver sees, and writes it as HTML (preview.js) to $SHOTS_HTML_DIR for shoot.js to photograph.
 */
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createWx } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const { renderPage, tap, input } = require('../helpers/pages')
const { pageHtml } = require('./preview')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')

const OUT = process.env.SHOTS_HTML_DIR || path.join(os.tmpdir(), 'youzhan-screens-html')
const NO = 'YZ202611240930350908988504'

const MEMBER = fixtures.member({ id: 1024, points_balance: 1280, phone: '138****8000', joined_at: '2026-03-08T02:15:00+00:00' })
const HISTORY = [
  fixtures.entry(9, 300, 1280, { created_at: '2026-11-24T01:30:35+00:00' }),
  fixtures.entry(8, -200, 980, { kind: 'spend', kind_label: '积分使用', reason: '积分抵扣 优站 滨江江南大道站', source_type: 'order', created_at: '2026-11-18T10:02:11+00:00' }),
  fixtures.entry(7, 250, 1180, { reason: '加油消费 优站 滨江江南大道站 95#', created_at: '2026-11-18T10:02:11+00:00' }),
  fixtures.entry(6, 400, 930, { reason: '加油消费 优站 西湖文三路站 98#', created_at: '2026-11-09T23:47:50+00:00' }),
  fixtures.entry(5, -30, 530, { kind: 'expire', kind_label: '积分过期', reason: '积分到期失效', source_type: 'expiry', created_at: '2026-11-01T00:00:00+08:00' }),
  fixtures.entry(4, 260, 560, { reason: '加油消费 优站 西湖文三路站 92#', created_at: '2026-10-27T08:12:00+00:00' }),
  fixtures.entry(3, 300, 300, { reason: '加油消费 优站 西湖文三路站 92#', created_at: '2026-10-12T05:40:00+00:00' }),
]

function stubWx(routes, options) {
  global.wx = createWx(Object.assign({
    location: { latitude: 30.2790, longitude: 120.1290 },
    routes: Object.assign({
      'POST /api/auth/login': { status: 200, body: fixtures.tokens({ member: MEMBER }) },
      'GET /api/me': { status: 200, body: { member: MEMBER, openid: 'o-demo' } },
      'GET /api/stations': { status: 200, body: fixtures.STATIONS },
      'GET /api/me/points': { status: 200, body: { items: HISTORY, next: null, balance: MEMBER.points_balance, days: 92 } },
      'GET /api/orders/*': {
        status: 200,
        body: { order: fixtures.order({ status: 'paid', points_earned: 300, paid_at: '2026-11-24T01:30:36+00:00' }) },
      },
    }, routes || {}),
  }, options || {}))
  session.restore()
}

function save(name, pageName, page) {
  fs.mkdirSync(OUT, { recursive: true })
  fs.writeFileSync(path.join(OUT, name + '.html'), pageHtml(pageName, page))
}

beforeAll(() => {
  config.API_BASE_URL = 'https://api.example.com'
  timing.ORDER_POLL_INTERVAL_MS = 5
})

test('home: a member', async () => {
  stubWx()
  const page = renderPage('home')
  await page.instance.onShow()
  save('home', 'home', page)
})

test('home: a guest', async () => {
  stubWx({ 'GET /api/me': { status: 200, body: { member: null, openid: 'o-demo' } } })
  const page = renderPage('home')
  await page.instance.onShow()
  save('home-guest', 'home', page)
})

test('fuel: nearest station, pump 1, 92#, 300 yuan', async () => {
  stubWx()
  const page = renderPage('fuel')
  await page.instance.onLoad({})
  await tap(page, '#pump-1')
  await tap(page, '#grade-0')
  await input(page, '#amount-input', '300')
  save('fuel', 'fuel', page)
})

test('result: paid, with the points', async () => {
  stubWx()
  const page = renderPage('result')
  await page.instance.onLoad({ out_trade_no: NO })
  save('result', 'result', page)
})

test('points: the history', async () => {
  stubWx()
  const page = renderPage('points')
  await page.instance.onShow()
  save('points', 'points', page)
})

test('profile: a member with a phone', async () => {
  stubWx()
  const page = renderPage('profile')
  await page.instance.onShow()
  save('profile', 'profile', page)
})

test('profile: a member who has not bound a phone', async () => {
  const unbound = Object.assign({}, MEMBER, { phone: null })
  stubWx({ 'GET /api/me': { status: 200, body: { member: unbound, openid: 'o-demo' } } })
  const page = renderPage('profile')
  await page.instance.onShow()
  save('profile-bind-phone', 'profile', page)
})
