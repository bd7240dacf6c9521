// App-wide state lives in utils/session.js (a plain module), not in getApp(): pages stay Component()s
// that miniprogram-simulate can render.
const session = require('./utils/session')

App({
  onLaunch: function () {
    session.restore()
  },
})
