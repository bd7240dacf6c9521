/**
 * Ids the mini-program makes up itself.
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

function randomChars(count) {
  let out = ''
  for (let i = 0; i < count; i += 1) out += ALPHABET.charAt(Math.floor(Math.random() * ALPHABET.length))
  return out
}

/**
 * The request_id of one purchase (POST /api/orders): the time and 12 random characters, e.g.
 * "mp-mfz3k2a1-4h7q0c9x2kdp" (8 to 64 characters of [A-Za-z0-9_-], as the backend wants). The backend
 * keeps it per driver, so a retry or a second tap with it gets the same order, never a second one.
 */
function requestId() {
  return 'mp-' + Date.now().toString(36) + '-' + randomChars(12)
}

module.exports = {
  requestId: requestId,
}
