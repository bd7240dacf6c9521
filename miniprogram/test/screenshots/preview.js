/**
 * A faithful HTML preview of a page rendered by miniprogram-simulate: the element tree the official WXML
 * compiler produced (toJSON), styled by the same app.wxss and page .wxss (rpx -> px for a 375 px wide
 * phone), inside WeChat's navigation bar and tab bar as app.json and the page's .json describe them.
 */
const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '../..')
const PHONE_WIDTH = 375
const TAGS = ['scroll-view', 'view', 'text', 'button', 'input', 'image', 'navigator', 'block']

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** WXSS as a browser reads it: `page` is the page's root, tags are wx-*, rpx are 0.5 px on a 375 px phone. */
function wxssToCss(wxss) {
  let css = wxss.replace(/\/\*[\s\S]*?\*\//g, '')
  css = css.replace(/(^|[}\s,])page(?=\s*[{,])/g, '$1.wx-page')
  TAGS.forEach((tag) => {
    css = css.replace(new RegExp('(^|[}\\s,>+~(])' + tag + '(?=[\\s.:#,{\\[>+~)])', 'g'), '$1wx-' + tag)
  })
  return css.replace(/(-?\d*\.?\d+)rpx/g, (all, n) => (parseFloat(n) * PHONE_WIDTH / 750) + 'px')
}

/** The j-component JSON tree as HTML; inputs show their value or placeholder. */
function treeToHtml(node) {
  if (typeof node === 'string') return escape(node)
  const attrs = {}
  node.attrs.forEach((a) => { attrs[a.name] = a.value })
  const tag = node.tagName
  let inner = node.children.map(treeToHtml).join('')
  if (tag === 'wx-input') {
    inner = attrs.value
      ? escape(attrs.value)
      : '<span class="wx-placeholder ' + escape(attrs.placeholderClass || '') + '">' + escape(attrs.placeholder || '') + '</span>'
  }
  let open = '<' + tag
  if (attrs.class) open += ' class="' + escape(attrs.class) + '"'
  if (attrs.id) open += ' id="' + escape(attrs.id) + '"'
  if (attrs.style) open += ' style="' + escape(attrs.style) + '"'
  if (attrs.disabled === true) open += ' disabled'
  return open + '>' + inner + '</' + tag + '>'
}

// what WeChat's base library gives the built-in components before app.wxss
const BASE_CSS = `
  * { -webkit-tap-highlight-color: transparent; }
  html, body { margin: 0; padding: 0; }
  body { width: ${PHONE_WIDTH}px; background: #ffffff; -webkit-font-smoothing: antialiased; }
  wx-view, wx-scroll-view, wx-button, wx-input { display: block; }
  wx-text { display: inline; white-space: pre-wrap; }
  wx-button { position: relative; margin: 0 auto; padding: 0 14px; box-sizing: border-box; font-size: 18px;
    text-align: center; line-height: 2.55555556; border-radius: 5px; color: #000; background-color: #f8f8f8; }
  wx-input { overflow: hidden; white-space: nowrap; line-height: normal; display: flex; align-items: center; }
  .wx-placeholder { color: #808080; }
  .wx-page { min-height: calc(100vh - 64px); }
  .has-tabbar .wx-page { min-height: calc(100vh - 114px); }
  .yz-status { position: fixed; top: 0; left: 0; right: 0; height: 20px; display: flex; justify-content: space-between;
    align-items: center; padding: 0 16px; font: 600 12px/20px -apple-system, "Noto Sans CJK SC", sans-serif; z-index: 100; }
  .yz-nav { position: fixed; top: 20px; left: 0; right: 0; height: 44px; display: flex; align-items: center;
    justify-content: center; font: 600 17px/44px -apple-system, "Noto Sans CJK SC", sans-serif; z-index: 100; }
  .yz-back { position: absolute; left: 12px; font-size: 22px; font-weight: 400; }
  .yz-capsule { position: absolute; right: 7px; top: 6px; width: 87px; height: 32px; box-sizing: border-box;
    border-radius: 16px; border: 1px solid rgba(255,255,255,0.35); background: rgba(0,0,0,0.15); display: flex;
    align-items: center; justify-content: space-around; font-size: 14px; line-height: 32px; }
  .yz-capsule i { width: 1px; height: 18px; background: rgba(255,255,255,0.35); }
  .yz-body { padding-top: 64px; }
  .yz-tabbar { position: fixed; left: 0; right: 0; bottom: 0; height: 50px; display: flex; background: #fff;
    border-top: 1px solid rgba(0,0,0,0.2); z-index: 100; font: 15px/50px -apple-system, "Noto Sans CJK SC", sans-serif; }
  .yz-tab { flex: 1; text-align: center; }
  .has-tabbar .yz-body { padding-bottom: 50px; }
  .has-tabbar .footer-bar { bottom: 50px !important; }
`

function readJson(file) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'))
}

/** The HTML of `pageName` as rendered in `page` (a rendered miniprogram-simulate component). */
function pageHtml(pageName, page) {
  const app = readJson('app.json')
  const pageJson = readJson('pages/' + pageName + '/index.json')
  const win = Object.assign({}, app.window, pageJson)
  const route = 'pages/' + pageName + '/index'
  const tabs = app.tabBar && app.tabBar.list.some((t) => t.pagePath === route) ? app.tabBar : null
  const appCss = wxssToCss(fs.readFileSync(path.join(ROOT, 'app.wxss'), 'utf8'))
  const pageCss = wxssToCss(fs.readFileSync(path.join(ROOT, route + '.wxss'), 'utf8'))
  const body = page.toJSON().children.map(treeToHtml).join('')
  const fg = win.navigationBarTextStyle === 'white' ? '#ffffff' : '#000000'
  const tabBar = tabs
    ? '<div class="yz-tabbar" style="background:' + tabs.backgroundColor + '">' + tabs.list.map((t) =>
      '<div class="yz-tab" style="color:' + (t.pagePath === route ? tabs.selectedColor + ';font-weight:600' : tabs.color) + '">'
      + escape(t.text) + '</div>').join('') + '</div>'
    : ''
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=${PHONE_WIDTH}, initial-scale=1">
<title>${escape(win.navigationBarTitleText)}</title>
<style>${BASE_CSS}</style>
<style>/* app.wxss */\n${appCss}</style>
<style>/* ${route}.wxss */\n${pageCss}</style>
</head>
<body class="${tabs ? 'has-tabbar' : ''}" style="background:${win.backgroundColor}">
<div class="yz-status" style="background:${win.navigationBarBackgroundColor};color:${fg}"><span>9:41</span><span>▮▮▮ 100%</span></div>
<div class="yz-nav" style="background:${win.navigationBarBackgroundColor};color:${fg}">
  ${tabs ? '' : '<span class="yz-back">〈</span>'}${escape(win.navigationBarTitleText)}
  <span class="yz-capsule" style="color:${fg}"><b>···</b><i></i><b>◉</b></span>
</div>
<div class="yz-body"><div class="wx-page">${body}</div></div>
${tabBar}
</body></html>
`
}

module.exports = { pageHtml, wxssToCss, treeToHtml }
