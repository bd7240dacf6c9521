const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')
const memberState = require('../../utils/member')

const LOGIN = { status: 200, body: fixtures.tokens() }

function setup(routes) {
  global.wx = createWx({ routes: Object.assign({ 'POST /api/auth/login': LOGIN }, routes) })
  session.restore()
  return global.wx
}

/** A stand-in for a page: data plus a setData that merges and records every call. */
function fakePage(data) {
  const page = {
    data: Object.assign({ status: 'loading', member: null, errorMessage: '' }, data || {}),
    calls: [],
    setData: function (patch) {
      page.calls.push(patch)
      Object.assign(page.data, patch)
    },
  }
  return page
}

const view = (m) => (m ? { balance: m.points_balance } : null)

beforeAll(() => {
  config.API_BASE_URL = 'https://api.test.example'
  timing.RETRY_DELAY_MS = 1
})

test('a member from /api/me is shown through the view function and remembered', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member({ points_balance: 42 }), openid: 'o' } } })
  const page = fakePage({ errorMessage: 'stale' })
  await memberState.refresh(page, view)
  expect(page.data).toEqual({ status: 'member', member: { balance: 42 }, errorMessage: '' })
  expect(session.getMember().points_balance).toBe(42)
})

test('a guest gets status guest and no member', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: null, openid: 'o' } } })
  const page = fakePage()
  await memberState.refresh(page, view)
  expect(page.data).toEqual({ status: 'guest', member: null, errorMessage: '' })
  expect(session.getMember()).toBeNull()
})

test('the remembered member shows at once while loading, before /api/me answers', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member({ points_balance: 7 }), openid: 'o' } } })
  session.setMember(fixtures.member({ points_balance: 3 }))
  const page = fakePage()
  const done = memberState.refresh(page, view)
  expect(page.calls).toEqual([{ status: 'member', member: { balance: 3 } }])
  await done
  expect(page.data.member).toEqual({ balance: 7 })
})

test('the remembered member is not shown again once the page is past loading', async () => {
  setup({ 'GET /api/me': { status: 200, body: { member: fixtures.member({ points_balance: 7 }), openid: 'o' } } })
  session.setMember(fixtures.member({ points_balance: 3 }))
  const page = fakePage({ status: 'guest' })
  const done = memberState.refresh(page, view)
  expect(page.calls).toEqual([])
  await done
})

test('logged out: no request, status loggedOut', async () => {
  const wx = setup({})
  await session.logout()
  const page = fakePage({ status: 'member', member: { balance: 1 } })
  await memberState.refresh(page, view)
  expect(page.data.status).toBe('loggedOut')
  expect(page.data.member).toBeNull()
  expect(wx.requests().filter((r) => r.path === '/api/me')).toEqual([])
})

test('a failure keeps a shown member and says why; with nothing shown it is an error', async () => {
  const wx = setup({ 'GET /api/me': apiError(500, 'internal', 'Something went wrong on our side; try again.') })
  const shown = fakePage({ status: 'member', member: { balance: 1 } })
  await memberState.refresh(shown, view)
  expect(shown.data.status).toBe('member')
  expect(shown.data.member).toEqual({ balance: 1 })
  expect(shown.data.errorMessage).toBeTruthy()

  const empty = fakePage()
  await memberState.refresh(empty, view)
  expect(empty.data.status).toBe('error')
  expect(empty.data.errorMessage).toBe(shown.data.errorMessage)
  // the page shows the message itself: no toast
  expect(wx.toasts()).toEqual([])
})
