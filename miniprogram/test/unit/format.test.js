const format = require('../../utils/format')
const stations = require('../../utils/stations')
const { STATIONS } = require('../helpers/fixtures')

describe('money from fen', () => {
  test.each([
    [30000, '300.00'], [0, '0.00'], [1, '0.01'], [99, '0.99'], [100, '1.00'], [123456789, '1234567.89'],
    [-150, '-1.50'], [1.5, '0.00'], [NaN, '0.00'], [undefined, '0.00'], ['300', '0.00'],
  ])('fen(%p) is %p', (value, text) => {
    expect(format.fen(value)).toBe(text)
  })

  test('money adds the yuan sign', () => {
    expect(format.money(30000)).toBe('¥300.00')
    expect(format.money(-5)).toBe('-¥0.05')
  })

  test.each([
    ['300', 30000], ['300.5', 30050], ['300.05', 30005], ['0.5', 50], ['.5', 50], ['300.', 30000], [' 12 ', 1200],
    ['', null], ['.', null], ['abc', null], ['1.234', null], ['-3', null], ['1e3', null], [null, null],
  ])('parseYuan(%p) is %p', (text, fen) => {
    expect(format.parseYuan(text)).toBe(fen)
  })

  test.each([['40', 40000], ['40.65', 40650], ['0.5', 500], ['40.655', null], ['x', null]])(
    'parseLitresMilli(%p) is %p', (text, milli) => {
      expect(format.parseLitresMilli(text)).toBe(milli)
    })
})

describe('quote, computed as the backend computes it', () => {
  test('an amount gives litres', () => {
    // 300.00 yuan at 7.38 a litre: the backend answered litres "40.65"
    expect(format.quote({ priceFen: 738, amountFen: 30000 })).toEqual({ amountFen: 30000, litresMilli: 40650, litres: '40.65' })
  })

  test('litres give an amount, half up', () => {
    // 30.5 litres at 7.38: the backend answered amount_fen 22509 (225.09)
    expect(format.quote({ priceFen: 738, litresMilli: 30500 }).amountFen).toBe(22509)
  })

  test('no price, no quote', () => {
    expect(format.quote({ priceFen: 0, amountFen: 100 })).toBeNull()
    expect(format.quote({ priceFen: 738 })).toBeNull()
  })

  test('litres print half to even like the backend', () => {
    expect(format.litresText(40645)).toBe('40.64')
    expect(format.litresText(40655)).toBe('40.66')
    expect(format.litresText(40651)).toBe('40.65')
    expect(format.litresText(999)).toBe('1.00')
  })
})

describe('points and dates', () => {
  test('points group thousands and sign changes', () => {
    expect(format.points(1280)).toBe('1,280')
    expect(format.points(0)).toBe('0')
    expect(format.pointsDelta(300)).toBe('+300')
    expect(format.pointsDelta(-1500)).toBe('-1,500')
    expect(format.pointsDelta(0)).toBe('0')
  })

  test('backend times show in Beijing time, in Chinese', () => {
    expect(format.date('2026-11-24T01:30:35.493980+00:00')).toBe('2026年11月24日')
    expect(format.dateTime('2026-11-24T01:30:35.493980+00:00')).toBe('2026年11月24日 09:30')
    // late evening UTC is the next morning in Beijing
    expect(format.dateTime('2026-12-31T16:05:00Z')).toBe('2027年1月1日 00:05')
    expect(format.dateTime('2026-11-24T09:30:00+08:00')).toBe('2026年11月24日 09:30')
    expect(format.date('not a date')).toBe('')
    expect(format.date(null)).toBe('')
  })

  test('distances', () => {
    expect(format.distance(350.4)).toBe('350 米')
    expect(format.distance(1234)).toBe('1.2 公里')
    expect(format.distance(35400)).toBe('35 公里')
    expect(format.distance(null)).toBe('')
  })
})

describe('stations', () => {
  test('nearest first when the location is known', () => {
    const near2 = { latitude: 30.21, longitude: 120.21 }
    const list = stations.arrange(STATIONS.items, near2)
    expect(list.map((s) => s.id)).toEqual([2, 1])
    expect(list[0].distanceText).toMatch(/米|公里/)
  })

  test('the backend order without a location', () => {
    const list = stations.arrange(STATIONS.items, null)
    expect(list.map((s) => s.id)).toEqual([1, 2])
    expect(list[0].distanceText).toBe('')
  })

  test('the grades of a pump, with prices', () => {
    expect(stations.gradesOfPump(STATIONS.items[0], 3)).toEqual([
      { grade: '95#', priceFen: 786, priceText: '7.86' },
      { grade: '98#', priceFen: 886, priceText: '8.86' },
    ])
    expect(stations.gradesOfPump(STATIONS.items[0], 9)).toEqual([])
  })

  test('distance is about right', () => {
    const d = stations.distanceMetres({ latitude: 30.2776, longitude: 120.128 }, { latitude: 30.2085, longitude: 120.212 })
    expect(d).toBeGreaterThan(10000)
    expect(d).toBeLessThan(12000)
  })
})
