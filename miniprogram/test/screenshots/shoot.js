/**
 * node test/screenshots/shoot.js HTML_DIR OUT_DIR: photographs each HTML preview in headless Chromium
 * (Debian's /usr/bin/chromium, or $CHROMIUM) as OUT_DIR/<name>.png, 375 px wide at 2x.
 */
const fs = require('fs')
const path = require('path')
const { chromium } = require('playwright-core')

async function main() {
  const [htmlDir, outDir] = process.argv.slice(2)
  if (!htmlDir || !outDir) throw new Error('usage: shoot.js HTML_DIR OUT_DIR')
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium'
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM)`)
  }
  fs.mkdirSync(outDir, { recursive: true })
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  })
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 })
    const page = await context.newPage()
    // the previews are self-contained: nothing may be fetched
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()))
    const names = fs.readdirSync(htmlDir).filter((f) => f.endsWith('.html')).sort()
    for (const file of names) {
      await page.setViewportSize({ width: 375, height: 812 })
      await page.goto('file://' + path.resolve(htmlDir, file))
      await page.evaluate(() => document.fonts.ready)
      // a long page is shown whole, on a phone that tall, so the fixed bars stay at its bottom
      const height = await page.evaluate(() => document.documentElement.scrollHeight)
      if (height > 812) await page.setViewportSize({ width: 375, height })
      const target = path.join(outDir, file.replace(/\.html$/, '.png'))
      await page.screenshot({ path: target })
      console.log(target)
    }
  } finally {
    await browser.close()
  }
}

main().catch((error) => {
  console.error(error.message || error)
  process.exit(1)
})
