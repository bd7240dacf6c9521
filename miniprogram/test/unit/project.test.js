// The project as WeChat DevTools reads it: valid app.json / project.config.json / page files, ES2018 JS
// without Page()/getApp(), every event handler in the WXML defined, and no secrets shipped.
const fs = require('fs')
const path = require('path')
const acorn = require('acorn')

const ROOT = path.resolve(__dirname, '../..')
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8')
const json = (file) => JSON.parse(read(file))

function shippedJs() {
  const out = []
  ;(function walk(dir) {
    fs.readdirSync(path.join(ROOT, dir)).forEach((name) => {
      const rel = dir ? dir + '/' + name : name
      if (['node_modules', 'test', '.git'].includes(name)) return
      if (fs.statSync(path.join(ROOT, rel)).isDirectory()) walk(rel)
      else if (name.endsWith('.js') && rel !== 'jest.config.js') out.push(rel)
    })
  })('')
  return out
}

/** The source without its comments (which may well mention getApp() or secrets to say they are not here). */
function code(file) {
  const source = read(file)
  const comments = []
  acorn.parse(source, { ecmaVersion: 2018, sourceType: 'script', onComment: (block, text, start, end) => comments.push([start, end]) })
  let out = ''
  let at = 0
  comments.forEach(([start, end]) => {
    out += source.slice(at, start)
    at = end
  })
  return out + source.slice(at)
}

const app = json('app.json')
const PAGES = app.pages

test('app.json lists the five pages, each with its four files, built with Component()', () => {
  expect(PAGES).toEqual(['pages/home/index', 'pages/fuel/index', 'pages/result/index', 'pages/points/index', 'pages/profile/index'])
  PAGES.forEach((page) => {
    ;['.js', '.json', '.wxml', '.wxss'].forEach((ext) => expect(fs.existsSync(path.join(ROOT, page + ext))).toBe(true))
    expect(json(page + '.json').component).toBe(true)
    expect(json(page + '.json').navigationBarTitleText).toMatch(/[\u4e00-\u9fff]/)
    expect(read(page + '.js')).toMatch(/^Component\(\{/m)
  })
})

test('the tab bar has home, fuel, points, profile with text labels', () => {
  const tabs = app.tabBar.list
  expect(tabs.map((t) => t.pagePath)).toEqual(['pages/home/index', 'pages/fuel/index', 'pages/points/index', 'pages/profile/index'])
  tabs.forEach((t) => {
    expect(PAGES).toContain(t.pagePath)
    expect(t.text).toMatch(/[\u4e00-\u9fff]/)
  })
  expect(app.requiredPrivateInfos).toContain('getLocation')
  expect(app.permission['scope.userLocation'].desc).toBeTruthy()
  expect(json(app.sitemapLocation).rules.length).toBeGreaterThan(0)
})

test('project.config.json is valid for DevTools', () => {
  const project = json('project.config.json')
  expect(project.appid).toBe('touristappid')
  expect(project.compileType).toBe('miniprogram')
  expect(fs.existsSync(path.join(ROOT, project.miniprogramRoot, 'app.json'))).toBe(true)
  const ignored = project.packOptions.ignore.map((i) => i.value)
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'test', 'package.json']))
})

test('config.js is the one place for the backend URL and template ids', () => {
  const config = require('../../config')
  expect(typeof config.API_BASE_URL).toBe('string')
  expect(typeof config.TEMPLATE_IDS.POINTS_CREDITED).toBe('string')
  shippedJs().filter((f) => f !== 'config.js').forEach((file) => {
    expect(code(file)).not.toMatch(/https?:\/\/(?!\/)/)
  })
})

test.each(shippedJs())('%s is ES2018 CommonJS without Page() or getApp()', (file) => {
  expect(() => acorn.parse(read(file), { ecmaVersion: 2018, sourceType: 'script' })).not.toThrow()
  expect(code(file)).not.toMatch(/\bgetApp\(|\bPage\(|\bimport\s|\bexport\s/)
})

test('no secrets in the mini-program', () => {
  shippedJs().forEach((file) => {
    const source = code(file)
    expect(source).not.toMatch(/-----BEGIN/)
    expect(source).not.toMatch(/["']?\w*(secret|api_?v3_?key|mch_?key|private_?key|password)\w*["']?\s*[:=]/i)
  })
})

test.each(PAGES)('every handler %s.wxml names exists in its methods', (page) => {
  const wxml = read(page + '.wxml')
  const handlers = Array.from(wxml.matchAll(/\b(?:bind|catch)[a-z]*(?::[a-z]+)?="([A-Za-z]+)"/g)).map((m) => m[1])
  expect(handlers.length).toBeGreaterThan(0)
  const js = read(page + '.js')
  handlers.forEach((name) => expect(js).toMatch(new RegExp('\\b' + name + ': function')))
  // no optional chaining or nullish coalescing in templates either
  expect(wxml).not.toMatch(/\?\.|\?\?/)
})
