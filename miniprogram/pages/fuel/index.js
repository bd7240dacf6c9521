// Fuel: station (nearest first by wx.getLocation, else the list), pump, grade, an amount or litres with its
// price; paying asks for the "points credited" message, creates the order and opens wx.requestPayment.
const config = require('../../config')
const request = require('../../utils/request')
const errors = require('../../utils/errors')
const format = require('../../utils/format')
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
      }
      this.setData({
        inputError: inputError,
        quote: quote,
        canPay: !!(this.data.station && this.data.pumpNo && this.data.grade && quote),
      })
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
      return ''
    },

    orderBody: function () {
      const d = this.data
      const body = { station_id: d.station.id, pump_no: d.pumpNo, grade: d.grade }
      if (d.mode === 'amount') body.amount_fen = this.parsedInput()
      else body.litres = this.parsedInput() / 1000
      return body
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
      this.setData({ paying: true, formError: '' })
      return wxapi.requestSubscribe(subscribeTemplateIds()).then(function (grants) {
        if (!grants) return null
        return request.post('/api/me/subscriptions', { grants: grants }, { showError: false, retries: 1 })
          .catch(function () { return null })
      }).then(function () {
        return request.post('/api/orders', body, { loading: '正在下单', showError: false, retries: 1 })
      }).then(function (answer) {
        return wxapi.requestPayment(answer.payment).then(function () { return answer.order })
      }).then(function (order) {
        // paid: the next fill-up starts from an empty amount
        self.setData({ paying: false, input: '', formError: '' })
        self.updateQuote()
        wx.navigateTo({ url: '/pages/result/index?out_trade_no=' + encodeURIComponent(order.out_trade_no) })
      }, function (error) {
        let message
        if (error && error.cancelled) message = '已取消支付'
        else if (error && error.errMsg) message = '支付未完成，请重试'
        else message = errors.describe(error)
        self.setData({ paying: false, formError: error && error.cancelled ? '' : message })
        wx.showToast({ title: message, icon: 'none', duration: 2500 })
      })
    },

    onRetryTap: function () {
      return this.loadStations()
    },
  },
})
