// Home: points balance, tier, joined date, shortcuts; a guest is told that paying once makes them a member.
const config = require('../../config')
const request = require('../../utils/request')
const session = require('../../utils/session')
const memberState = require('../../utils/member')
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
      return memberState.refresh(this, memberView)
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
