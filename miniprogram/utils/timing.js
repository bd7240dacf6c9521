/**
 * Delays the app waits for; a plain module so tests can shorten them.
 */
module.exports = {
  // network errors and "WeChat did not answer" (502) are retried after RETRY_DELAY_MS * attempt
  RETRY_DELAY_MS: 600,
  // wx.request's own timeout
  REQUEST_TIMEOUT_MS: 15000,
  // the result page asks for the order this often while it is still "created" ...
  ORDER_POLL_INTERVAL_MS: 1000,
  // ... for at most this long
  ORDER_POLL_TIMEOUT_MS: 30000,
}
