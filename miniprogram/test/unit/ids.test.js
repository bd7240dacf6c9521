const ids = require('../../utils/ids')

test('a request_id is 8 to 64 characters of [A-Za-z0-9_-], different each time', () => {
  const seen = new Set()
  for (let i = 0; i < 1000; i += 1) {
    const id = ids.requestId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    seen.add(id)
  }
  expect(seen.size).toBe(1000)
})

test('a request_id starts with the time, so ids from different moments never meet', () => {
  const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 24, 1, 30, 35))
  try {
    expect(ids.requestId()).toMatch(new RegExp('^mp-' + Date.UTC(2026, 10, 24, 1, 30, 35).toString(36) + '-[a-z0-9]{12}$'))
  } finally {
    now.mockRestore()
  }
})
