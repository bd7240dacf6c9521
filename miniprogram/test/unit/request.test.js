const { createWx, apiError } = require('../helpers/wx-stub')
const fixtures = require('../helpers/fixtures')
const config = require('../../config')
const timing = require('../../utils/timing')
const session = require('../../utils/session')
const request = require('../../utils/request')

const BASE = 'https://api.test.example'
const ME = { status: 200, body: { member: fixtures.member(), openid: 'o-1' } }
const TOKEN_INVALID = apiError(401, 'auth.token_invalid', 'The token is invalid or has expired.')

function setup(routes, options) {
  global.wx = createWx(Object.assign({ routes: routes }, options || {}))
  session.restore()
  return global.wx
}

function loginAnswer(n) {
  return { status: 200, body: fixtures.tokens({ access_token: 'access-login-' + n, refresh_token: 'refresh-login-' + n }) }
}

function authOf(req) {
  return req.header.Authorization
}

beforeAll(() => {
  config.API_BASE_URL = BASE + '/'
  timing.RETRY_DELAY_MS = 1
})

test('logs in with wx.login first, then attaches the token to the base URL from config', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me': ME })
  const body = await request.get('/api/me')
  expect(body.member.points_balance).toBe(1280)
  const [login, me] = wx.requests()
  expect(login.url).toBe(BASE + '/api/auth/login')
  expect(login.data).toEqual({ code: 'wx-code-1' })
  expect(login.header.Authorization).toBeUndefined()
  expect(me.url).toBe(BASE + '/api/me')
  expect(authOf(me)).toBe('Bearer access-login-1')
  // the tokens are kept in storage for the next launch
  expect(wx.storage[session.KEYS.access]).toBe('access-login-1')
  expect(wx.storage[session.KEYS.refresh]).toBe('refresh-login-1')
})

test('a stored, unexpired token is used without logging in', async () => {
  const wx = setup({ 'GET /api/me': ME })
  wx.setStorageSync(session.KEYS.access, 'stored-access')
  wx.setStorageSync(session.KEYS.accessExpiresAt, Date.now() + 60000)
  wx.setStorageSync(session.KEYS.refresh, 'stored-refresh')
  session.restore()
  await request.get('/api/me')
  expect(wx.named('login')).toHaveLength(0)
  expect(authOf(wx.requests()[0])).toBe('Bearer stored-access')
})

test('GET data becomes the query string, leaving out empty values', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me/points': { status: 200, body: { items: [], next: null } } })
  await request.get('/api/me/points', { limit: 20, cursor: null })
  await request.get('/api/me/points', { limit: 20, cursor: '17' })
  const [, first, second] = wx.requests()
  expect(first.url).toBe(BASE + '/api/me/points?limit=20')
  expect(second.query).toEqual({ limit: '20', cursor: '17' })
})

test('a 401 refreshes the token and tries once more', async () => {
  const wx = setup({
    'POST /api/auth/login': loginAnswer(1),
    'GET /api/me': (req) => (authOf(req) === 'Bearer access-refreshed' ? ME : TOKEN_INVALID),
    'POST /api/auth/refresh': { status: 200, body: fixtures.tokens({ access_token: 'access-refreshed', refresh_token: 'refresh-2' }) },
  })
  const body = await request.get('/api/me')
  expect(body.member.id).toBe(1)
  const paths = wx.requests().map((r) => r.method + ' ' + r.path)
  expect(paths).toEqual(['POST /api/auth/login', 'GET /api/me', 'POST /api/auth/refresh', 'GET /api/me'])
  expect(wx.requests()[2].data).toEqual({ refresh_token: 'refresh-login-1' })
  expect(wx.storage[session.KEYS.refresh]).toBe('refresh-2')
  expect(wx.toasts()).toEqual([])
})

test('an expired access token is refreshed before the request', async () => {
  const wx = setup({
    'GET /api/me': ME,
    'POST /api/auth/refresh': { status: 200, body: fixtures.tokens({ access_token: 'access-refreshed', refresh_token: 'refresh-2' }) },
  })
  wx.setStorageSync(session.KEYS.access, 'old-access')
  wx.setStorageSync(session.KEYS.accessExpiresAt, Date.now() - 1000)
  wx.setStorageSync(session.KEYS.refresh, 'old-refresh')
  session.restore()
  await request.get('/api/me')
  expect(wx.requests().map((r) => r.path)).toEqual(['/api/auth/refresh', '/api/me'])
  expect(authOf(wx.requests()[1])).toBe('Bearer access-refreshed')
})

test('when the refresh is refused, the driver is logged in again', async () => {
  let logins = 0
  const wx = setup({
    'POST /api/auth/login': () => loginAnswer(++logins),
    'GET /api/me': (req) => (authOf(req) === 'Bearer access-login-2' ? ME : TOKEN_INVALID),
    'POST /api/auth/refresh': apiError(401, 'auth.token_invalid', 'The refresh token was already used or revoked; log in again.'),
  })
  const body = await request.get('/api/me')
  expect(body.member.id).toBe(1)
  expect(wx.requests().map((r) => r.path)).toEqual(['/api/auth/login', '/api/me', '/api/auth/refresh', '/api/auth/login', '/api/me'])
  expect(wx.named('login')).toHaveLength(2)
  expect(wx.storage[session.KEYS.access]).toBe('access-login-2')
})

test('when logging in again fails too, the error is shown in Chinese', async () => {
  let logins = 0
  const wx = setup({
    'POST /api/auth/login': () => (++logins === 1 ? loginAnswer(1) : apiError(401, 'auth.wechat_code_invalid', 'The WeChat login code is invalid.')),
    'GET /api/me': TOKEN_INVALID,
    'POST /api/auth/refresh': TOKEN_INVALID,
  })
  await expect(request.get('/api/me')).rejects.toMatchObject({ code: 'auth.wechat_code_invalid', message: '微信登录失败，请重试' })
  expect(wx.toasts()).toEqual(['微信登录失败，请重试'])
  // a refused code is tried once more with a fresh one
  expect(wx.named('login')).toHaveLength(3)
})

test('concurrent requests share one login', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me': ME, 'GET /api/me/points': { status: 200, body: { items: [], next: null } } })
  await Promise.all([request.get('/api/me'), request.get('/api/me/points'), request.get('/api/me')])
  expect(wx.named('login')).toHaveLength(1)
  expect(wx.requests().filter((r) => r.path === '/api/auth/login')).toHaveLength(1)
})

test('network errors are retried, then succeed', async () => {
  const wx = setup({ 'GET /api/stations': ['network-fail', 'network-fail', { status: 200, body: { items: [] } }] })
  const body = await request.get('/api/stations', null, { auth: false })
  expect(body).toEqual({ items: [] })
  expect(wx.requests()).toHaveLength(3)
  expect(wx.requests()[0].header.Authorization).toBeUndefined()
})

test('a network error that persists says so in Chinese', async () => {
  const wx = setup({ 'GET /api/stations': 'network-fail' })
  await expect(request.get('/api/stations', null, { auth: false })).rejects.toMatchObject({ code: 'network' })
  expect(wx.requests()).toHaveLength(3)
  expect(wx.toasts()).toEqual(['网络不给力，请检查网络后重试'])
})

test('POSTs are not repeated unless asked; 502 upstream.unavailable is retried when asked', async () => {
  const upstream = apiError(502, 'upstream.unavailable', 'WeChat did not answer; try again in a moment.')
  let wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'POST /api/orders': ['network-fail', { status: 201, body: { ok: 1 } }] })
  await expect(request.post('/api/orders', {}, { showError: false })).rejects.toMatchObject({ code: 'network' })
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(1)

  wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'POST /api/orders': [upstream, { status: 201, body: { ok: 1 } }] })
  await expect(request.post('/api/orders', {}, { retries: 1 })).resolves.toEqual({ ok: 1 })
  expect(wx.requests().filter((r) => r.path === '/api/orders')).toHaveLength(2)
})

test('backend errors become Chinese messages, shown unless told not to', async () => {
  const wx = setup({
    'POST /api/auth/login': loginAnswer(1),
    'POST /api/orders': apiError(404, 'station.not_found', 'No such station.', 'station_id'),
  })
  await expect(request.post('/api/orders', { station_id: 9 })).rejects.toMatchObject({
    code: 'station.not_found', status: 404, message: '找不到这个油站，请重新选择', field: 'station_id',
  })
  expect(wx.toasts()).toEqual(['找不到这个油站，请重新选择'])
  await expect(request.post('/api/orders', {}, { showError: false })).rejects.toMatchObject({ code: 'station.not_found' })
  expect(wx.toasts()).toHaveLength(1)
})

test('a loading state is shown for the length of the request', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'POST /api/me/phone': apiError(400, 'phone.code_invalid', 'bad') })
  const pending = request.post('/api/me/phone', { code: 'x' }, { loading: '正在绑定' })
  expect(wx.named('showLoading')).toEqual([{ title: '正在绑定', mask: true }])
  expect(wx.named('hideLoading')).toHaveLength(0)
  await expect(pending).rejects.toMatchObject({ message: '手机号授权已失效，请重新授权' })
  expect(wx.named('hideLoading')).toHaveLength(1)
})

test('logout revokes the refresh token, forgets the session and stops silent logins', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me': ME, 'POST /api/auth/logout': { status: 200, body: { ok: true } } })
  await request.get('/api/me')
  await session.logout()
  const logout = wx.requests().find((r) => r.path === '/api/auth/logout')
  // the refresh token alone: no Authorization header
  expect(logout.data).toEqual({ refresh_token: 'refresh-login-1' })
  expect(authOf(logout)).toBeUndefined()
  expect(wx.storage[session.KEYS.access]).toBeUndefined()
  expect(wx.storage[session.KEYS.refresh]).toBeUndefined()
  expect(session.isLoggedOut()).toBe(true)

  await expect(request.get('/api/me', null, { showError: false })).rejects.toMatchObject({ code: 'auth.logged_out' })
  expect(wx.named('login')).toHaveLength(1)
  // the flag survives a relaunch, and login() clears it
  session.restore()
  expect(session.isLoggedOut()).toBe(true)
  await session.login()
  expect(session.isLoggedOut()).toBe(false)
  await expect(request.get('/api/me')).resolves.toMatchObject({ openid: 'o-1' })
})

test('logout works with an expired access token: only the refresh token is sent, nothing refreshed first', async () => {
  const wx = setup({ 'POST /api/auth/logout': { status: 200, body: { ok: true } } })
  wx.setStorageSync(session.KEYS.access, 'old-access')
  wx.setStorageSync(session.KEYS.accessExpiresAt, Date.now() - 1000)
  wx.setStorageSync(session.KEYS.refresh, 'old-refresh')
  session.restore()
  await session.logout()
  expect(wx.requests().map((r) => r.method + ' ' + r.path)).toEqual(['POST /api/auth/logout'])
  expect(wx.requests()[0].data).toEqual({ refresh_token: 'old-refresh' })
  expect(authOf(wx.requests()[0])).toBeUndefined()
  expect(wx.named('login')).toHaveLength(0)
  expect(session.isLoggedOut()).toBe(true)
  expect(wx.storage[session.KEYS.refresh]).toBeUndefined()
})

test('logout without a refresh token just forgets the session', async () => {
  const wx = setup({})
  wx.setStorageSync(session.KEYS.access, 'stored-access')
  wx.setStorageSync(session.KEYS.accessExpiresAt, Date.now() + 60000)
  session.restore()
  await session.logout()
  expect(wx.requests()).toHaveLength(0)
  expect(session.isLoggedOut()).toBe(true)
  expect(wx.storage[session.KEYS.access]).toBeUndefined()
})

test('a refused logout is no error: the session is forgotten all the same', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me': ME, 'POST /api/auth/logout': TOKEN_INVALID })
  await request.get('/api/me')
  await session.logout()
  expect(session.isLoggedOut()).toBe(true)
  expect(wx.toasts()).toEqual([])
})

test('logout works offline too', async () => {
  const wx = setup({ 'POST /api/auth/login': loginAnswer(1), 'GET /api/me': ME, 'POST /api/auth/logout': 'network-fail' })
  await request.get('/api/me')
  await session.logout()
  expect(session.isLoggedOut()).toBe(true)
  expect(wx.storage[session.KEYS.refresh]).toBeUndefined()
  // tried once more, as revoking twice is harmless
  expect(wx.requests().filter((r) => r.path === '/api/auth/logout')).toHaveLength(2)
})

test('wx.login failing is reported, not thrown raw', async () => {
  const wx = setup({ 'GET /api/me': ME }, { loginFails: true })
  await expect(request.get('/api/me')).rejects.toMatchObject({ code: 'wx.login_failed', message: '微信登录失败，请重试' })
  expect(wx.toasts()).toEqual(['微信登录失败，请重试'])
})
