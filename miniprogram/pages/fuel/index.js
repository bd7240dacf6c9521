// Fuel: station (nearest first by wx.getLocation, else the list), pump, grade, an amount or litres with its
// price; paying asks for the "points credited" message, creates the order and opens wx.requestPayment.
// Each purchase has its own request_id, so a retried request or a second tap never makes a second order.
const config = require('../../config')
const request = require('../../utils/request')
const errors = require('../../utils/errors')
const format = require('../../utils/format')
const ids = require('../../utils/ids')
const stations = require('../../utils/stations')
const wxapi = require('../../utils/wxapi')

const QUICK = {
  amount: [
    { value: '100', label: '100元' },
    { value: '200', label: '200元' },
    { value: '300', label: '300元' },
    { value: '500', label: '500元' },
  ],
  litres: [
    { value: '20', label: '20升' },
    { value: '30', label: '30升' },
    { value: '40', label: '40升' },
    { value: '50', label: '50升' },
  ],
}

// the bounds of one order when GET /api/stations does not say (the backend's defaults: 1.00 to 5,000.00 yuan)
const DEFAULT_LIMITS = { minFen: 100, maxFen: 500000, fromBackend: false }

function wholeFen(value) {
  return typeof value === 'number' && isFinite(value) && Math.floor(value) === value && value > 0
}

/** GET /api/stations' order_limits {min_fen, max_fen} -> {minFen, maxFen, fromBackend}; the defaults when absent. */
function orderLimits(answer) {
  const given = answer && answer.order_limits
  if (given && wholeFen(given.min_fen) && wholeFen(given.max_fen) && given.min_fen <= given.max_fen) {
    return { minFen: given.min_fen, maxFen: given.max_fen, fromBackend: true }
  }
  return DEFAULT_LIMITS
}

function rangeText(limits) {
  return '单笔金额需在 ' + format.fen(limits.minFen) + ' 元至 ' + format.fen(limits.maxFen) + ' 元之间'
}

/** What makes two orders the same purchase for the backend: station, pump, grade and amount (or litres). */
function purchaseKey(body) {
  return [body.station_id, body.pump_no, body.grade, body.amount_fen === undefined ? 'L' + body.litres : body.amount_fen]
    .join('|')
}

function stationView(station) {
  return { id: station.id, name: station.name, address: station.address, distanceText: station.distanceText }
}

function subscribeTemplateIds() {
  const ids = config.TEMPLATE_IDS || {}
  return Object.keys(ids).map(function (key) { return ids[key] }).filter(function (id) { return !!id })
}

Component({
  data: {
    loading: true,
    loadError: '',
    located: true,
    stations: [],
    stationIndex: -1,
    station: null,
    showStations: false,
    pumps: [],
    pumpNo: 0,
    grades: [],
    grade: '',
    priceText: '',
    mode: 'amount',
    input: '',
    inputError: '',
    quick: QUICK.amount,
    quote: null,
    canPay: false,
    paying: false,
    formError: '',
  },

  lifetimes: {
    created: function () {
      this._stations = []
      this._limits = DEFAULT_LIMITS
      // the purchase being paid for: {key, requestId}, kept until it is paid or the driver changes it
      this._purchase = null
    },
  },

  methods: {
    onLoad: function () {
      return this.loadStations()
    },

    /** Pull down: find the stations again (the driver may have moved); what was chosen is cleared. */
    onPullDownRefresh: function () {
      return this.loadStations().then(function () { wx.stopPullDownRefresh() })
    },

    /** The stations and, at the same time, where the driver is; nearest first when that is known. */
    loadStations: function () {
      const self = this
      this.setData({ loading: true, loadError: '' })
      return Promise.all([
        request.get('/api/stations', null, { auth: false, showError: false }),
        wxapi.getLocation(),
      ]).then(function (answers) {
        const here = answers[1]
        const list = stations.arrange(answers[0].items, here)
        self._stations = list
        self._limits = orderLimits(answers[0])
        self.setData({
          loading: false,
          located: !!here,
          stations: list.map(stationView),
          // without a location the driver picks from the list
          showStations: !here && list.length > 1,
        })
        if (list.length) self.selectStation(0, !here && list.length > 1)
      }, function (error) {
        self.setData({ loading: false, loadError: error.message })
      })
    },

    selectStation: function (index, keepListOpen) {
      const station = this._stations[index]
      if (!station) return
      this.setData({
        stationIndex: index,
        station: stationView(station),
        showStations: !!keepListOpen,
        pumps: (station.pumps || []).map(function (p) { return { pumpNo: p.pump_no, label: p.pump_no + '号枪' } }),
        pumpNo: 0,
        grades: [],
        grade: '',
        priceText: '',
        formError: '',
      })
      this.updateQuote()
    },

    onStationTap: function (e) {
      this.selectStation(Number(e.currentTarget.dataset.index), false)
    },

    toggleStations: function () {
      this.setData({ showStations: !this.data.showStations })
    },

    onPumpTap: function (e) {
      const pumpNo = Number(e.currentTarget.dataset.pump)
      const grades = stations.gradesOfPump(this._stations[this.data.stationIndex], pumpNo)
      const keep = grades.filter(function (g) { return g.grade === this.data.grade }, this)[0]
      const chosen = keep || (grades.length === 1 ? grades[0] : null)
      this.setData({
        pumpNo: pumpNo,
        grades: grades,
        grade: chosen ? chosen.grade : '',
        priceText: chosen ? chosen.priceText : '',
        formError: '',
      })
      this.updateQuote()
    },

    onGradeTap: function (e) {
      const grade = e.currentTarget.dataset.grade
      const chosen = this.data.grades.filter(function (g) { return g.grade === grade })[0]
      if (!chosen) return
      this.setData({ grade: chosen.grade, priceText: chosen.priceText, formError: '' })
      this.updateQuote()
    },

    onModeTap: function (e) {
      const mode = e.currentTarget.dataset.mode
      if (mode === this.data.mode || !QUICK[mode]) return
      this.setData({ mode: mode, input: '', quick: QUICK[mode], formError: '' })
      this.updateQuote()
    },

    onInput: function (e) {
      this.setData({ input: String(e.detail.value || ''), formError: '' })
      this.updateQuote()
    },

    onQuickTap: function (e) {
      this.setData({ input: String(e.currentTarget.dataset.value), formError: '' })
      this.updateQuote()
    },

    selectedPriceFen: function () {
      const grade = this.data.grade
      const chosen = this.data.grades.filter(function (g) { return g.grade === grade })[0]
      return chosen ? chosen.priceFen : 0
    },

    /** The typed amount: fen (amount mode) or thousandths of a litre; null when it is not a number. */
    parsedInput: function () {
      return this.data.mode === 'amount' ? format.parseYuan(this.data.input) : format.parseLitresMilli(this.data.input)
    },

    /** The amount, in fen, the typed amount or litres cost at the chosen grade's price; null when unknown. */
    amountFen: function () {
      const parsed = this.parsedInput()
      const priceFen = this.selectedPriceFen()
      if (!priceFen || !parsed) return null
      const q = this.data.mode === 'amount'
        ? format.quote({ priceFen: priceFen, amountFen: parsed })
        : format.quote({ priceFen: priceFen, litresMilli: parsed })
      return q ? q.amountFen : null
    },

    /** The bounds of one order (GET /api/stations' order_limits) as text when `amountFen` is outside them. */
    rangeProblem: function (amountFen) {
      const limits = this._limits
      if (amountFen === null || (amountFen >= limits.minFen && amountFen <= limits.maxFen)) return ''
      return rangeText(limits)
    },

    updateQuote: function () {
      const input = this.data.input
      const parsed = this.parsedInput()
      let inputError = ''
      if (input && parsed === null) {
        inputError = this.data.mode === 'amount' ? '请输入正确的金额，最多两位小数' : '请输入正确的升数，最多两位小数'
      }
      const priceFen = this.selectedPriceFen()
      let quote = null
      if (priceFen && parsed) {
        const q = this.data.mode === 'amount'
          ? format.quote({ priceFen: priceFen, amountFen: parsed })
          : format.quote({ priceFen: priceFen, litresMilli: parsed })
        if (q) quote = { amountText: format.fen(q.amountFen), litres: q.litres }
        if (q && !inputError) inputError = this.rangeProblem(q.amountFen)
      }
      const ready = !!(this.data.station && this.data.pumpNo && this.data.grade && quote)
      this.setData({
        inputError: inputError,
        quote: quote,
        canPay: ready && !inputError,
      })
      // a changed station, pump, grade or amount is another purchase
      if (this._purchase && (!ready || purchaseKey(this.orderBody()) !== this._purchase.key)) this._purchase = null
    },

    /** What is missing before paying, in the driver's words; '' when nothing is. */
    problem: function () {
      const d = this.data
      if (!d.station) return '请选择油站'
      if (!d.pumpNo) return '请选择油枪'
      if (!d.grade) return '请选择油品'
      if (!d.input) return d.mode === 'amount' ? '请输入加油金额' : '请输入加油升数'
      const parsed = this.parsedInput()
      if (parsed === null) return d.inputError || '请输入正确的数字'
      if (parsed <= 0) return d.mode === 'amount' ? '金额需大于 0' : '升数需大于 0'
      return this.rangeProblem(this.amountFen())
    },

    orderBody: function () {
      const d = this.data
      const body = { station_id: d.station.id, pump_no: d.pumpNo, grade: d.grade }
      if (d.mode === 'amount') body.amount_fen = this.parsedInput()
      else body.litres = this.parsedInput() / 1000
      return body
    },

    /**
     * The request_id of the purchase `body` describes: the same while it is retried (a lost answer, a closed
     * cashier, a second tap), so the backend answers the same order; a new one for another purchase.
     */
    requestIdFor: function (body) {
      const key = purchaseKey(body)
      if (!this._purchase || this._purchase.key !== key) this._purchase = { key: key, requestId: ids.requestId() }
      return this._purchase.requestId
    },

    /** An order error in the driver's words. */
    orderErrorText: function (error) {
      if (error && error.code === 'order.amount_out_of_range' && this._limits.fromBackend) return rangeText(this._limits)
      return errors.describe(error)
    },

    /**
     * Pay: ask for the subscribe message first (WeChat only allows it straight from the tap), report the
     * answer, create the order, then wx.requestPayment; on success the result page waits for the points.
     */
    onPay: function () {
      const self = this
      if (this.data.paying) return Promise.resolve()
      const problem = this.problem()
      if (problem) {
        this.setData({ formError: problem })
        return Promise.resolve()
      }
      const body = this.orderBody()
      body.request_id = this.requestIdFor(body)
      this.setData({ paying: true, formError: '' })
      return wxapi.requestSubscribe(subscribeTemplateIds()).then(function (grants) {
        if (!grants) return null
        return request.post('/api/me/subscriptions', { grants: grants }, { showError: false, retries: 1 })
          .catch(function () { return null })
      }).then(function () {
        // retrying is safe: the same request_id gets the same order
        return request.post('/api/orders', body, { loading: '正在下单', showError: false, retries: 1 })
      }).then(function (answer) {
        return wxapi.requestPayment(answer.payment).then(function () { return answer.order })
      }).then(function (order) {
        // paid: the next fill-up is another purchase, from an empty amount
        self._purchase = null
        self.setData({ paying: false, input: '', formError: '' })
        self.updateQuote()
        wx.navigateTo({ url: '/pages/result/index?out_trade_no=' + encodeURIComponent(order.out_trade_no) })
      }, function (error) {
        let message
        if (error && error.cancelled) message = '已取消支付'
        else if (error && error.errMsg) message = '支付未完成，请重试'
        else message = self.orderErrorText(error)
        // this purchase's order cannot be paid any more (paid, closed, or another content): the next tap is new
        if (error && (error.code === 'order.not_payable' || error.code === 'order.request_id_reused')) self._purchase = null
        self.setData({ paying: false, formError: error && error.cancelled ? '' : message })
        wx.showToast({ title: message, icon: 'none', duration: 2500 })
      })
    },

    onRetryTap: function () {
      return this.loadStations()
    },
  },
})
