// Profile: membership details, phone binding (getPhoneNumber button), log out.
const request = require('../../utils/request')
const session = require('../../utils/session')
const memberState = require('../../utils/member')
const format = require('../../utils/format')
const wxapi = require('../../utils/wxapi')

function memberView(member) {
  if (!member) return null
  return {
    idText: String(member.id),
    tierName: member.tier_name || '普通会员',
    joinedText: format.date(member.joined_at),
    joinedVia: member.joined_via === 'payment' ? '首次加油入会' : '绑定手机入会',
    phone: member.phone || '',
    referralCode: member.referral_code || '',
    balanceText: format.points(member.points_balance),
  }
}

Component({
  data: {
    // loading | member | guest | loggedOut | error
    status: 'loading',
    member: null,
    binding: false,
    errorMessage: '',
  },

  methods: {
    onShow: function () {
      return this.refresh()
    },

    /** Show the remembered member at once, then what /api/me says now. */
    refresh: function () {
      return memberState.refresh(this, memberView)
    },

    /** The getPhoneNumber button's answer: e.detail.code -> POST /api/me/phone. */
    onGetPhoneNumber: function (e) {
      const self = this
      const detail = (e && e.detail) || {}
      if (!detail.code) {
        // the driver said no, or this WeChat is too old to give a code
        wx.showToast({ title: '未授权手机号', icon: 'none', duration: 2000 })
        return Promise.resolve()
      }
      if (this.data.binding) return Promise.resolve()
      this.setData({ binding: true })
      return request.post('/api/me/phone', { code: detail.code }, { loading: '正在绑定' }).then(function (body) {
        session.setMember(body.member)
        self.setData({ binding: false, status: 'member', member: memberView(body.member) })
        wx.showToast({ title: '绑定成功', icon: 'success', duration: 2000 })
      }, function () {
        // the helper has shown the error
        self.setData({ binding: false })
      })
    },

    onLogoutTap: function () {
      const self = this
      return wxapi.confirm({
        title: '退出登录',
        content: '退出后需要重新登录才能查看积分和加油',
        confirmText: '退出',
        confirmColor: '#B91C1C',
      }).then(function (confirmed) {
        if (!confirmed) return null
        return session.logout().then(function () {
          self.setData({ status: 'loggedOut', member: null })
          wx.showToast({ title: '已退出登录', icon: 'none', duration: 2000 })
        })
      })
    },

    onLoginTap: function () {
      const self = this
      this.setData({ status: 'loading' })
      return session.login().then(function () {
        return self.refresh()
      }, function (error) {
        self.setData({ status: 'loggedOut' })
        request.showError(error)
      })
    },

    onRetryTap: function () {
      this.setData({ status: 'loading' })
      return this.refresh()
    },

    goFuel: function () {
      wx.switchTab({ url: '/pages/fuel/index' })
    },
  },
})
