/**
 * Stations for the fuel page: nearest first when the driver's location is known.
 */
const format = require('./format')

const EARTH_RADIUS_M = 6371000

function radians(degrees) {
  return degrees * Math.PI / 180
}

/** Great-circle distance in metres between {latitude, longitude} points. */
function distanceMetres(a, b) {
  const dLat = radians(b.latitude - a.latitude)
  const dLng = radians(b.longitude - a.longitude)
  const h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
    + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLng / 2) * Math.sin(dLng / 2)
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

/**
 * The backend's stations, each with `distance` (metres, or null) and `distanceText`; nearest first when
 * `here` is given, else in the backend's order.
 */
function arrange(stations, here) {
  const list = (stations || []).map(function (station, index) {
    const known = here && typeof station.latitude === 'number' && typeof station.longitude === 'number'
    const metres = known ? distanceMetres(here, station) : null
    return Object.assign({}, station, {
      order: index,
      distance: metres,
      distanceText: metres === null ? '' : format.distance(metres),
    })
  })
  if (here) {
    list.sort(function (a, b) {
      if (a.distance === null) return 1
      if (b.distance === null) return -1
      return a.distance - b.distance || a.order - b.order
    })
  }
  return list
}

/** The grades `pumpNo` sells at `station`, with their prices: [{grade, priceFen, priceText}]. */
function gradesOfPump(station, pumpNo) {
  if (!station) return []
  const pump = (station.pumps || []).filter(function (p) { return p.pump_no === pumpNo })[0]
  if (!pump) return []
  const prices = {}
  ;(station.grades || []).forEach(function (g) { prices[g.grade] = g.price_fen_per_litre })
  return (pump.grades || []).filter(function (grade) { return prices[grade] > 0 }).map(function (grade) {
    return { grade: grade, priceFen: prices[grade], priceText: format.pricePerLitre(prices[grade]) }
  })
}

module.exports = {
  distanceMetres: distanceMetres,
  arrange: arrange,
  gradesOfPump: gradesOfPump,
}
