/**
 * The member as a page shows it: the logged-out check, the remembered member at once, then what /api/me
 * says now. Shared by the home and profile pages; each passes itself and its own memberView(member).
 *
 * The page's data is expected to have status (loading | member | guest | loggedOut | error), member and
 * errorMessage.
 */
const request = require('./request')
const session = require('./session')

/** Refresh page.data.{status, member, errorMessage}; resolves when /api/me has answered (never rejects). */
function refresh(page, memberView) {
  if (session.isLoggedOut()) {
    page.setData({ status: 'loggedOut', member: null })
    return Promise.resolve()
  }
  const cached = session.getMember()
  if (cached && page.data.status === 'loading') {
    page.setData({ status: 'member', member: memberView(cached) })
  }
  return request.get('/api/me', null, { showError: false }).then(function (body) {
    session.setMember(body.member)
    page.setData({
      status: body.member ? 'member' : 'guest',
      member: memberView(body.member),
      errorMessage: '',
    })
  }, function (error) {
    if (error.code === 'auth.logged_out') {
      page.setData({ status: 'loggedOut', member: null })
      return
    }
    // keep what is on screen when there is something, and say why it may be stale
    page.setData({ status: page.data.member ? 'member' : 'error', errorMessage: error.message })
  })
}

module.exports = {
  refresh: refresh,
}
