// Result: waits for the payment to be confirmed (polls the order while it is "created") and shows the
// points it earned. Opened after wx.requestPayment, and from the "points credited" message.
const request = require('../../utils/request')
const format = require('../../utils/format')
const timing = require('../../utils/timing')

function orderView(order) {
  return {
    outTradeNo: order.out_trade_no,
    stationName: order.station_name || '',
    pumpNo: order.pump_no,
    grade: order.grade,
    litres: order.litres,
    amountText: format.money(order.payable_fen),
    pointsText: format.pointsDelta(order.points_earned || 0),
    pointsEarned: order.points_earned || 0,
    paidAt: format.dateTime(order.paid_at || order.created_at),
  }
}

Component({
  data: {
    // waiting | paid | pending (still not confirmed after the wait) | closed | refunded | error
    status: 'waiting',
    order: null,
    errorMessage: '',
  },

  lifetimes: {
    created: function () {
      this._timer = null
      this._polling = false
      this._settle = null
    },
    detached: function () {
      this.stopPolling()
    },
  },

  methods: {
    onLoad: function (query) {
      this._outTradeNo = decodeURIComponent((query && query.out_trade_no) || '')
      if (!this._outTradeNo) {
        this.setData({ status: 'error', errorMessage: '找不到这笔订单' })
        return Promise.resolve()
      }
      return this.startPolling()
    },

    onUnload: function () {
      this.stopPolling()
    },

    /** Ask for the order every ORDER_POLL_INTERVAL_MS while it is "created", for ORDER_POLL_TIMEOUT_MS. */
    startPolling: function () {
      const self = this
      this.stopPolling()
      this._polling = true
      const deadline = Date.now() + timing.ORDER_POLL_TIMEOUT_MS
      this.setData({ status: 'waiting', errorMessage: '' })
      return new Promise(function (done) {
        function resolve() {
          self._settle = null
          done()
        }
        self._settle = resolve
        function poll() {
          self._timer = null
          if (!self._polling) return resolve()
          request.get('/api/orders/' + encodeURIComponent(self._outTradeNo), null, { showError: false })
            .then(function (body) {
              if (!self._polling) return resolve()
              const order = body.order
              if (order.status === 'created') {
                if (Date.now() + timing.ORDER_POLL_INTERVAL_MS > deadline) {
                  self._polling = false
                  self.setData({ status: 'pending', order: orderView(order) })
                  return resolve()
                }
                self.setData({ order: orderView(order) })
                self._timer = setTimeout(poll, timing.ORDER_POLL_INTERVAL_MS)
                return null
              }
              self._polling = false
              self.setData({ status: order.status === 'paid' ? 'paid' : order.status, order: orderView(order) })
              return resolve()
            }, function (error) {
              self._polling = false
              self.setData({ status: 'error', errorMessage: error.message })
              resolve()
            })
        }
        poll()
      })
    },

    stopPolling: function () {
      this._polling = false
      if (this._timer) {
        clearTimeout(this._timer)
        this._timer = null
      }
      // let whoever waits for the polling go on
      if (this._settle) this._settle()
    },

    onCheckAgainTap: function () {
      return this.startPolling()
    },

    goPoints: function () {
      wx.switchTab({ url: '/pages/points/index' })
    },

    goHome: function () {
      wx.switchTab({ url: '/pages/home/index' })
    },
  },
})
