// The web view held open in headless Chromium during a benchmark:
// node bench/web_page.mjs URL HOLD_SECONDS. Prints one JSON line: the
// page's load times (navigation, and until the flow table shows), the
// table's reloads while held (the live stream drives them), and a reload
// timed at the end.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { chromium } = require('../tests/e2e/web/node_modules/playwright-core');

const [url, hold] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
let reloads = 0;
page.on('response', (r) => { if (r.url().includes('/api/flows?')) reloads++; });
async function load() {
  const t0 = Date.now();
  await page.goto(`${url}/#/flows`);
  await page.waitForSelector('#flows tbody tr.flow', { timeout: 30000 });
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  return { load_ms: Math.round(nav), table_ms: Date.now() - t0 };
}
const first = await load();
const summary = await page.textContent('p.summary');
reloads = 0;
await page.waitForTimeout(Number(hold) * 1000);
const held = reloads;
const last = await load();
console.log(JSON.stringify({ first, last, reloads_while_held: held, table: summary }));
await browser.close();
