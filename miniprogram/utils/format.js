/**
 * Display helpers: money from integer fen, points, litres, dates in Beijing time, distances.
 * Integer arithmetic only, so 0.1 + 0.2 never shows up on a receipt.
 */

function pad(n, width) {
  let s = String(n)
  while (s.length < (width || 2)) s = '0' + s
  return s
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 30000 -> "300.00"; -150 -> "-1.50"; anything that is not an integer -> "0.00". */
function fen(value) {
  if (typeof value !== 'number' || !isFinite(value) || Math.floor(value) !== value) return '0.00'
  const sign = value < 0 ? '-' : ''
  const abs = Math.abs(value)
  return sign + Math.floor(abs / 100) + '.' + pad(abs % 100, 2)
}

/** 30000 -> "¥300.00". */
function money(value) {
  const text = fen(value)
  return text.charAt(0) === '-' ? '-¥' + text.slice(1) : '¥' + text
}

/** A yuan amount as typed ("300", "300.5", "0.50") -> integer fen, or null when it is not one. */
function parseYuan(text) {
  const match = /^\s*(\d{0,7})(?:\.(\d{0,2}))?\s*$/.exec(String(text === undefined || text === null ? '' : text))
  if (!match || (match[1] === '' && !match[2])) return null
  return parseInt(match[1] || '0', 10) * 100 + parseInt(((match[2] || '') + '00').slice(0, 2), 10)
}

/** Litres as typed ("40", "40.65") -> thousandths of a litre, or null. */
function parseLitresMilli(text) {
  const match = /^\s*(\d{0,5})(?:\.(\d{0,2}))?\s*$/.exec(String(text === undefined || text === null ? '' : text))
  if (!match || (match[1] === '' && !match[2])) return null
  return parseInt(match[1] || '0', 10) * 1000 + parseInt(((match[2] || '') + '000').slice(0, 3), 10)
}

/** round(a / b) half up, for non-negative integers. */
function divHalfUp(a, b) {
  return Math.floor((2 * a + b) / (2 * b))
}

/** Thousandths of a litre -> "40.65" (half to even, as the backend prints it). */
function litresText(milli) {
  let hundredths = Math.floor(milli / 10)
  const rest = milli % 10
  if (rest > 5 || (rest === 5 && hundredths % 2 === 1)) hundredths += 1
  return Math.floor(hundredths / 100) + '.' + pad(hundredths % 100, 2)
}

/**
 * What an order will cost, computed the way the backend does:
 * {priceFen, amountFen} or {priceFen, litresMilli} -> {amountFen, litresMilli, litres: "40.65"}.
 */
function quote(options) {
  const price = options.priceFen
  if (!price || price <= 0) return null
  let amountFen
  let litresMilli
  if (typeof options.litresMilli === 'number') {
    litresMilli = options.litresMilli
    amountFen = divHalfUp(litresMilli * price, 1000)
  } else if (typeof options.amountFen === 'number') {
    amountFen = options.amountFen
    litresMilli = divHalfUp(amountFen * 1000, price)
  } else {
    return null
  }
  return { amountFen: amountFen, litresMilli: litresMilli, litres: litresText(litresMilli) }
}

/** 738 fen a litre -> "7.38". */
function pricePerLitre(priceFen) {
  return fen(priceFen)
}

/** Points: 12345 -> "12,345". */
function points(value) {
  if (typeof value !== 'number' || !isFinite(value)) return '0'
  const sign = value < 0 ? '-' : ''
  return sign + groupThousands(String(Math.abs(Math.round(value))))
}

/** A signed points change: 300 -> "+300", -50 -> "-50". */
function pointsDelta(value) {
  if (typeof value !== 'number' || !isFinite(value)) return '0'
  return (value > 0 ? '+' : '') + points(value)
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * An ISO 8601 time from the backend -> the same instant's fields in Beijing time (UTC+8), or null.
 * Parsed by hand: some phones' Date cannot read "2026-11-24T01:30:35.494679+00:00".
 */
function beijingParts(iso) {
  const match = ISO.exec(String(iso || ''))
  if (!match) return null
  let offsetMin = 8 * 60
  if (match[7] === 'Z') offsetMin = 0
  else if (match[7]) {
    const digits = match[7].replace(':', '')
    offsetMin = (digits.charAt(0) === '-' ? -1 : 1) * (parseInt(digits.slice(1, 3), 10) * 60 + parseInt(digits.slice(3, 5), 10))
  }
  const utcMs = Date.UTC(+match[1], +match[2] - 1, +match[3], +(match[4] || 0), +(match[5] || 0), +(match[6] || 0))
    - offsetMin * 60000
  const local = new Date(utcMs + 8 * 3600000)
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  }
}

/** "2026-11-24T01:30:35+00:00" -> "2026年11月24日". */
function date(iso) {
  const p = beijingParts(iso)
  return p ? p.year + '年' + p.month + '月' + p.day + '日' : ''
}

/** "2026-11-24T01:30:35+00:00" -> "2026年11月24日 09:30". */
function dateTime(iso) {
  const p = beijingParts(iso)
  return p ? date(iso) + ' ' + pad(p.hour, 2) + ':' + pad(p.minute, 2) : ''
}

/** metres -> "350 米" / "1.2 公里" / "35 公里". */
function distance(metres) {
  if (typeof metres !== 'number' || !isFinite(metres) || metres < 0) return ''
  if (metres < 1000) return Math.round(metres) + ' 米'
  if (metres < 10000) return (Math.round(metres / 100) / 10).toFixed(1) + ' 公里'
  return Math.round(metres / 1000) + ' 公里'
}

module.exports = {
  fen: fen,
  money: money,
  parseYuan: parseYuan,
  parseLitresMilli: parseLitresMilli,
  litresText: litresText,
  quote: quote,
  pricePerLitre: pricePerLitre,
  points: points,
  pointsDelta: pointsDelta,
  date: date,
  dateTime: dateTime,
  distance: distance,
}
