/**
 * Rendering the pages with miniprogram-simulate (the official WXML compiler), and reading them back.
 */
const path = require('path')
const simulate = require('miniprogram-simulate')

const ROOT = path.resolve(__dirname, '../..')

// jest keeps required modules, so a page's Component() runs once per test file: load each page once
const loaded = {}

/** Load and attach pages/<name>/index; lifecycle methods (onLoad, onShow...) are left to the test. */
function renderPage(name) {
  if (!loaded[name]) loaded[name] = simulate.load(path.join(ROOT, 'pages', name, 'index'), { rootPath: ROOT })
  const page = simulate.render(loaded[name])
  page.attach(document.createElement('parent-wrapper'))
  return page
}

function find(page, selector) {
  return page.querySelector(selector) || null
}

/** The text under `selector` (or the whole page), one space between elements; null when absent. */
function text(page, selector) {
  const node = selector ? page.querySelector(selector) : page
  if (!node) return null
  const parts = []
  ;(function walk(dom) {
    dom.childNodes.forEach(function (child) {
      if (child.nodeType === 3) parts.push(child.textContent)
      else if (child.nodeType === 1 && child.tagName !== 'STYLE') walk(child)
    })
  })(node.dom)
  // text from separate elements is separated by a space
  return parts.map(function (p) { return p.replace(/\s+/g, ' ').trim() }).filter(Boolean).join(' ')
}

/** Tap what `selector` finds; events are delivered asynchronously, so await it. */
function tap(page, selector) {
  const node = page.querySelector(selector)
  if (!node) throw new Error('nothing to tap at ' + selector + ' in: ' + text(page))
  node.dispatchEvent('tap')
  return settle(0)
}

/** Type `value` into the input at `selector` (a bindinput event). */
function input(page, selector, value) {
  const node = page.querySelector(selector)
  if (!node) throw new Error('no input at ' + selector)
  node.dispatchEvent('input', { detail: { value: value } })
  return settle(0)
}

/** Fire a component event such as getphonenumber with its detail. */
function fire(page, selector, name, detail) {
  const node = page.querySelector(selector)
  if (!node) throw new Error('nothing at ' + selector)
  node.dispatchEvent(name, { detail: detail })
  return settle(0)
}

/** Resolve when fn() is truthy; fail with `what` after `timeout` ms. */
function waitFor(fn, what, timeout) {
  const limit = Date.now() + (timeout || 5000)
  return new Promise(function (resolve, reject) {
    (function check() {
      let value
      try {
        value = fn()
      } catch (e) {
        value = false
      }
      if (value) return resolve(value)
      if (Date.now() > limit) return reject(new Error('timed out waiting for ' + (what || 'a condition')))
      setTimeout(check, 20)
    })()
  })
}

/** Let pending callbacks and promise chains run. */
function settle(ms) {
  return new Promise(function (resolve) { setTimeout(resolve, ms || 10) })
}

module.exports = {
  ROOT: ROOT,
  renderPage: renderPage,
  find: find,
  text: text,
  tap: tap,
  input: input,
  fire: fire,
  waitFor: waitFor,
  settle: settle,
}
