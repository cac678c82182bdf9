// The web view in a real browser (Debian's Chromium, headless, driven by
// playwright-core): node web_test.mjs URL OUTDIR EXPECT.json
// EXPECT: { server: "ADDR:PORT" a flow's destination, hostile: [strings
// that must show as text], nodes: [node ids], edges: [[source, target]],
// filterPort: a port the filter box selects }. Screenshots and the page's
// timings go to OUTDIR. Exits 1 at the first check that fails.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const [url, outdir, expectPath] = process.argv.slice(2);
const expect = JSON.parse(readFileSync(expectPath, 'utf8'));
mkdirSync(outdir, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error(`FAIL: ${what}`);
  console.log(`ok: ${what}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
const timings = {};
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  // anything outside the agent: the page must need nothing from outside
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) outside.push(r.url()); });

  // the flow table, and how long it takes to show
  const t0 = Date.now();
  await page.goto(`${url}/#/flows`);
  await page.waitForSelector('#flows tbody tr.flow');
  timings.flows_table_ms = Date.now() - t0;
  timings.navigation = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd };
  });
  const rows = await page.locator('#flows tbody tr.flow').count();
  check(rows > 0, `flow table shows ${rows} flows`);
  await page.waitForSelector('#stream.ok', { timeout: 10000 });
  check(true, 'the live stream is connected');
  await page.screenshot({ path: `${outdir}/flows.png`, fullPage: true });

  // sort by bytes, both ways
  await page.click('th[data-sort=bytes]');
  await page.waitForSelector('th[data-sort=bytes]:has-text("▼")');
  await page.click('th[data-sort=bytes]');
  await page.waitForSelector('th[data-sort=bytes]:has-text("▲")');
  check(true, 'the table sorts by bytes, down and up');

  // the filter box: hdrlog's language; a bad expression shows the error
  await page.fill('#filter', `tcp port ${expect.filterPort}`);
  await page.click('form.toolbar button[type=submit]');
  await page.waitForFunction((port) => {
    const rows = [...document.querySelectorAll('#flows tbody tr.flow')];
    return rows.length > 0 && rows.every((r) => r.textContent.includes(`:${port}`));
  }, expect.filterPort, { timeout: 10000 });
  check(true, `filter "tcp port ${expect.filterPort}" keeps only its flows`);
  await page.fill('#filter', 'port 99999');
  await page.click('form.toolbar button[type=submit]');
  await page.waitForSelector('#flows-out .error');
  const err = await page.textContent('#flows-out .error');
  check(/filter: .*port/.test(err), `a bad filter shows the compiler's error: ${err}`);
  await page.fill('#filter', '');
  await page.click('form.toolbar button[type=submit]');
  await page.waitForSelector('#flows tbody tr.flow');

  // a flow of the server: its timeline, search by seq
  const row = page.locator('#flows tbody tr.flow', { hasText: expect.server }).first();
  const flowId = await row.getAttribute('data-id');
  await row.click();
  await page.waitForSelector('#timeline tbody tr');
  const packets = await page.locator('#timeline tbody tr').count();
  check(packets >= 3, `the flow's timeline shows ${packets} packets`);
  const first = await page.locator('#timeline tbody tr:first-child td').allTextContents();
  check(first[3] === 'orig → resp' && first[4] === 'S' && first[5] === '0',
        `its first packet is the SYN: ${first.join(' | ')}`);
  await page.fill('#seq-search', '1');
  await page.waitForSelector('#timeline tr.hit');
  check(true, 'search by seq 1 marks a packet');
  await page.fill('#seq-search', '987654321');
  await page.waitForFunction(() => document.querySelector('#seq-msg').textContent.includes('no packet'));
  check(true, 'search by a seq no packet holds says so');
  await page.screenshot({ path: `${outdir}/flow.png`, fullPage: true });

  // L4 -> L7: the flow's transaction, and back to the flow
  await page.waitForSelector('table.http tbody tr.txn');
  await page.click('table.http tbody tr.txn >> nth=0');
  await page.waitForSelector('#to-flow');
  await page.screenshot({ path: `${outdir}/http_one.png`, fullPage: true });
  await page.click('#to-flow');
  await page.waitForSelector('#timeline');
  const back = decodeURIComponent(new URL(page.url()).hash.replace('#/flow/', ''));
  check(back === flowId, `from the flow to its transaction and back to the same flow (${flowId})`);

  // the HTTP list: hostile strings from the wire are text, and ran nothing
  await page.goto(`${url}/#/http`);
  await page.waitForSelector('table.http tbody tr.txn');
  for (const h of expect.hostile) {
    await page.click(`table.http tbody tr.txn:has-text(${JSON.stringify(expect.hostileRowText)})`);
    await page.waitForSelector('table.record');
    const text = await page.textContent('table.record');
    check(text.includes(h), `the hostile string is shown as text: ${h}`);
    await page.goBack();
    await page.waitForSelector('table.http tbody tr.txn');
  }
  const hostilePath = await page.locator('table.http td.path', { hasText: expect.hostileRowText }).count();
  check(hostilePath > 0, 'the hostile path is in the HTTP list as text');
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, 'no script from the wire ran');
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src));
  check(scripts.length === 1 && scripts[0].endsWith('/app.js'), `the only script is the page's own (${scripts})`);
  await page.screenshot({ path: `${outdir}/http.png`, fullPage: true });

  // the topology: the expected nodes and edges
  await page.goto(`${url}/#/topology`);
  await page.waitForSelector('#graph g.node');
  for (const n of expect.nodes) {
    const c = await page.locator(`#graph g.node[data-id="${n}"]`).count();
    check(c === 1, `topology node ${n}`);
  }
  for (const [s, t] of expect.edges) {
    const c = await page.locator(`#graph g.edge[data-source="${s}"][data-target="${t}"]`).count();
    check(c >= 1, `topology edge ${s} → ${t}`);
  }
  const hover = await page.textContent(`#graph g.node[data-id="external"] title`);
  check(/\d+\.\d+\.\d+\.\d+:\d+/.test(hover), `hovering the external node lists ip:port (${hover.split('\n')[1]})`);
  await page.screenshot({ path: `${outdir}/topology.png`, fullPage: true });

  check(errors.length === 0, `no page errors or dialogs (${errors.join('; ')})`);
  check(outside.length === 0, `no request left the agent (${outside.join(', ')})`);
} catch (e) {
  console.log(String(e.message || e));
  failed = true;
} finally {
  writeFileSync(`${outdir}/timings.json`, JSON.stringify(timings, null, 2) + '\n');
  await browser.close();
}
console.log(`timings: ${JSON.stringify(timings)}`);
process.exit(failed ? 1 : 0);
