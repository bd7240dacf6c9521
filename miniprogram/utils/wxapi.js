/**
 * The few wx.* calls the pages wait for, as Promises that never leave a callback dangling.
 */

/** wx.getLocation -> {latitude, longitude}, or null when the driver refuses or it fails. */
function getLocation() {
  return new Promise(function (resolve) {
    wx.getLocation({
      type: 'gcj02',
      success: function (res) {
        if (res && typeof res.latitude === 'number' && typeof res.longitude === 'number') {
          resolve({ latitude: res.latitude, longitude: res.longitude })
        } else {
          resolve(null)
        }
      },
      fail: function () { resolve(null) },
    })
  })
}

/**
 * wx.requestSubscribeMessage -> {templateId: 'accept'|'reject'|'ban'|'filter'} for the ids asked,
 * or null when WeChat did not ask (the driver turned subscriptions off, or the call failed).
 * Must be called straight from a tap handler, before anything asynchronous.
 */
function requestSubscribe(templateIds) {
  return new Promise(function (resolve) {
    if (!templateIds.length || typeof wx.requestSubscribeMessage !== 'function') {
      resolve(null)
      return
    }
    wx.requestSubscribeMessage({
      tmplIds: templateIds,
      success: function (res) {
        const grants = {}
        templateIds.forEach(function (id) {
          const answer = res && res[id]
          if (answer === 'accept' || answer === 'reject' || answer === 'ban' || answer === 'filter') {
            grants[id] = answer
          }
        })
        resolve(Object.keys(grants).length ? grants : null)
      },
      fail: function () { resolve(null) },
    })
  })
}

/**
 * wx.requestPayment with the parameters the backend returned -> resolves when WeChat says paid;
 * rejects with {cancelled: true} when the driver closed the cashier, or {cancelled: false, errMsg}.
 */
function requestPayment(payment) {
  return new Promise(function (resolve, reject) {
    wx.requestPayment({
      timeStamp: payment.timeStamp,
      nonceStr: payment.nonceStr,
      package: payment.package,
      signType: payment.signType,
      paySign: payment.paySign,
      success: function () { resolve() },
      fail: function (res) {
        const errMsg = (res && res.errMsg) || 'requestPayment:fail'
        reject({ cancelled: /cancel/.test(errMsg), errMsg: errMsg })
      },
    })
  })
}

/** wx.showModal -> true when confirmed. */
function confirm(options) {
  return new Promise(function (resolve) {
    wx.showModal(Object.assign({}, options, {
      success: function (res) { resolve(!!(res && res.confirm)) },
      fail: function () { resolve(false) },
    }))
  })
}

module.exports = {
  getLocation: getLocation,
  requestSubscribe: requestSubscribe,
  requestPayment: requestPayment,
  confirm: confirm,
}
