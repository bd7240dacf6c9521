// Home: points balance, tier, joined date, shortcuts; a guest is told that paying once makes them a member.
const config = require('../../config')
const request = require('../../utils/request')
const session = require('../../utils/session')
const format = require('../../utils/format')

function memberView(member) {
  if (!member) return null
  return {
    balanceText: format.points(member.points_balance),
    tierName: member.tier_name || '普通会员',
    growthText: format.points(member.growth_value || 0),
    joinedText: format.date(member.joined_at),
    phone: member.phone || '',
  }
}

Component({
  data: {
    brand: config.BRAND_NAME,
    // loading | member | guest | loggedOut | error
    status: 'loading',
    member: null,
    errorMessage: '',
  },

  methods: {
    onShow: function () {
      return this.refresh()
    },

    onPullDownRefresh: function () {
      return this.refresh().then(function () { wx.stopPullDownRefresh() })
    },

    /** Show the remembered member at once, then what /api/me says now. */
    refresh: function () {
      const self = this
      if (session.isLoggedOut()) {
        this.setData({ status: 'loggedOut', member: null })
        return Promise.resolve()
      }
      const cached = session.getMember()
      if (cached && this.data.status === 'loading') {
        this.setData({ status: 'member', member: memberView(cached) })
      }
      return request.get('/api/me', null, { showError: false }).then(function (body) {
        session.setMember(body.member)
        self.setData({
          status: body.member ? 'member' : 'guest',
          member: memberView(body.member),
          errorMessage: '',
        })
      }, function (error) {
        if (error.code === 'auth.logged_out') {
          self.setData({ status: 'loggedOut', member: null })
          return
        }
        // keep what is on screen when there is something, and say why it may be stale
        self.setData({ status: self.data.member ? 'member' : 'error', errorMessage: error.message })
      })
    },

    onLoginTap: function () {
      const self = this
      this.setData({ status: 'loading' })
      return session.login().then(function () {
        return self.refresh()
      }, function (error) {
        self.setData({ status: 'loggedOut', errorMessage: error.message })
        request.showError(error)
      })
    },

    onRetryTap: function () {
      this.setData({ status: 'loading', errorMessage: '' })
      return this.refresh()
    },

    goFuel: function () {
      wx.switchTab({ url: '/pages/fuel/index' })
    },

    goPoints: function () {
      wx.switchTab({ url: '/pages/points/index' })
    },

    goProfile: function () {
      wx.switchTab({ url: '/pages/profile/index' })
    },
  },
})
