// Points: the balance and the history of the last months (the backend's window), newest first, with the
// reason of each entry; more on reaching the bottom.
const request = require('../../utils/request')
const session = require('../../utils/session')
const format = require('../../utils/format')

const PAGE_SIZE = 20
// the backend's window when it does not say: GET /api/me/points answers `days`, 92 by default
const DEFAULT_DAYS = 92

/** The window of the history in words: 92 days -> "近 3 个月", else "近 N 天". */
function windowText(days) {
  const n = typeof days === 'number' && isFinite(days) && days > 0 ? Math.floor(days) : DEFAULT_DAYS
  return n === 92 ? '近 3 个月' : '近 ' + n + ' 天'
}

/** The balance GET /api/me/points answers; older answers without it: the newest entry's, or the member's. */
function balanceOf(body, member) {
  if (typeof body.balance === 'number' && isFinite(body.balance)) return body.balance
  if (body.items.length) return body.items[0].balance_after
  return member ? member.points_balance : null
}

function entryView(entry) {
  return {
    id: entry.id,
    reason: entry.reason || entry.kind_label || '',
    kindLabel: entry.kind_label || '',
    timeText: format.dateTime(entry.created_at),
    deltaText: format.pointsDelta(entry.delta),
    positive: entry.delta >= 0,
    balanceText: format.points(entry.balance_after),
  }
}

Component({
  data: {
    items: [],
    // loading (first page) | ready | error | loggedOut
    status: 'loading',
    next: null,
    loadingMore: false,
    moreError: '',
    errorMessage: '',
    balanceText: '',
    // a balance above 0: worth showing even when the window holds no entries
    hasBalance: false,
    windowText: windowText(DEFAULT_DAYS),
  },

  lifetimes: {
    created: function () {
      this._generation = 0
    },
  },

  methods: {
    onShow: function () {
      return this.reload()
    },

    onPullDownRefresh: function () {
      return this.reload().then(function () { wx.stopPullDownRefresh() })
    },

    onReachBottom: function () {
      return this.loadMore()
    },

    /** The first page again; answers to older requests are ignored. */
    reload: function () {
      const self = this
      if (session.isLoggedOut()) {
        this.setData({ status: 'loggedOut', items: [], next: null })
        return Promise.resolve()
      }
      const generation = ++this._generation
      if (!this.data.items.length) this.setData({ status: 'loading' })
      return request.get('/api/me/points', { limit: PAGE_SIZE }, { showError: false }).then(function (body) {
        if (generation !== self._generation) return
        const balance = balanceOf(body, session.getMember())
        self.setData({
          status: 'ready',
          items: body.items.map(entryView),
          next: body.next || null,
          moreError: '',
          errorMessage: '',
          balanceText: typeof balance === 'number' ? format.points(balance) : '',
          hasBalance: typeof balance === 'number' && balance > 0,
          windowText: windowText(body.days),
        })
      }, function (error) {
        if (generation !== self._generation) return
        if (error.code === 'auth.logged_out') {
          self.setData({ status: 'loggedOut', items: [], next: null })
          return
        }
        if (self.data.items.length) request.showError(error)
        else self.setData({ status: 'error', errorMessage: error.message })
      })
    },

    /** The page after the last one shown, when there is one. */
    loadMore: function () {
      const self = this
      if (!this.data.next || this.data.loadingMore || this.data.status !== 'ready') return Promise.resolve()
      const generation = this._generation
      this.setData({ loadingMore: true, moreError: '' })
      return request.get('/api/me/points', { limit: PAGE_SIZE, cursor: this.data.next }, { showError: false })
        .then(function (body) {
          if (generation !== self._generation) return
          self.setData({
            items: self.data.items.concat(body.items.map(entryView)),
            next: body.next || null,
            loadingMore: false,
          })
        }, function (error) {
          if (generation !== self._generation) return
          self.setData({ loadingMore: false, moreError: error.message })
        })
    },

    onRetryTap: function () {
      this.setData({ status: 'loading' })
      return this.reload()
    },

    goFuel: function () {
      wx.switchTab({ url: '/pages/fuel/index' })
    },

    goHome: function () {
      wx.switchTab({ url: '/pages/home/index' })
    },
  },
})
