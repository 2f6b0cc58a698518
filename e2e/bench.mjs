// `cargo xtask bench`: measures the release build and writes docs/performance.md.
// Expects APP_URL (feedback-server with the demo data, 10,000 bulk contracts and --static-dir
// dist) and DIST. A benchmark, not a test: it reports, it asserts nothing.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startFlow, desktopConfig } from 'lighthouse';

const APP_URL = process.env.APP_URL;
const DIST = process.env.DIST;
const OUT = process.env.OUT ?? '../docs/performance.md';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x) => `${x.toFixed(0)} ms`;

// 1. Bundle sizes.
const files = readdirSync(DIST).filter((f) => /\.(wasm|js|css)$/.test(f) && !f.startsWith('embed-demo'));
const sizes = files.map((f) => {
  const data = readFileSync(`${DIST}/${f}`);
  return {
    // Content hashes change every build; the table names the file without it.
    f: f.replace(/-[0-9a-f]{12,16}(?=[._])/, ''), raw: data.length, gz: gzipSync(data, { level: 9 }).length,
    br: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const appFiles = sizes.filter((s) => s.f !== 'embed.js');
// Locale catalogs (one is fetched beside the wasm for a non-English page; English is inside it).
// (Not the pseudo-locale en-XA, generated for layout tests and never offered to people, nor the
// list of keys, fetched only to read a host's own messages by key.)
const catalogs = readdirSync(`${DIST}/locales`)
  .filter((f) => f.endsWith('.json') && !f.startsWith('en-XA-') && !f.startsWith('keys-')).map((f) => {
  const data = readFileSync(`${DIST}/locales/${f}`);
  return {
    f: f.replace(/-[0-9a-f]{16}(?=\.json)/, ''), raw: data.length, gz: gzipSync(data, { level: 9 }).length,
    br: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const total = (k) => appFiles.reduce((a, s) => a + s[k], 0);

// 2. Timings from the app's Performance API marks, in headless Chromium (5 runs, median).
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
async function signedIn(token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem('feedback-widget:token', t), token);
  return context.newPage();
}
async function markAfterLoad(url, mark, token = 'demo-alice') {
  const page = await signedIn(token);
  await page.goto(url);
  await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark);
  const t = await page.evaluate((m) => performance.getEntriesByName(m)[0].startTime, mark);
  await page.context().close();
  return t;
}
const runs = (n, f) => Array.from({ length: n }).reduce((p) => p.then(async (acc) => [...acc, await f()]), Promise.resolve([]));

const contractId = await (await fetch(`${APP_URL}/api/v1/contracts?q=logo`, { headers: { Authorization: 'Bearer demo-alice' } })).json().then((p) => p.items[0].id);
const firstRow = median(await runs(5, () => markAfterLoad(`${APP_URL}/contracts`, 'fw:rows-rendered')));
const editor = median(await runs(5, () => markAfterLoad(`${APP_URL}/contracts/${contractId}?tab=details`, 'fw:editor-ready')));
const firstRowBulk = median(await runs(5, () => markAfterLoad(`${APP_URL}/contracts?per_page=50`, 'fw:rows-rendered', 'demo-bulk')));

// Page switches with 10,000 contracts: click "Next page" until the next 50 rows are on screen.
const page = await signedIn('demo-bulk');
await page.goto(`${APP_URL}/contracts?per_page=50`);
await page.getByText('Showing 1–50 of 10,000 contracts').or(page.getByText(/Showing 1–50 of 10000 contracts/)).waitFor();
const switches = [];
for (let i = 1; i <= 6; i++) {
  const from = i * 50 + 1;
  const t = await page.evaluate(async (from) => {
    const start = performance.now();
    document.querySelector('a[rel=next]').click();
    await new Promise((resolve) => {
      const check = () => (document.querySelector('.fw-result-count')?.textContent.startsWith(`Showing ${from}–`) ? resolve() : requestAnimationFrame(check));
      check();
    });
    await new Promise((r) => requestAnimationFrame(() => r()));
    return performance.now() - start;
  }, from);
  switches.push(t);
}

// 3. Bytes on the wire, as the browser counts them (Resource Timing `transferSize`: headers and
//    the body as sent, after the server's compression), on a first and on a repeat visit.
async function wire(url) {
  const context = await browser.newContext();
  await context.addInitScript(() => sessionStorage.setItem('feedback-widget:token', 'demo-alice'));
  const p = await context.newPage();
  const sum = (app) => p.evaluate((app) => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .filter((e) => app === !e.name.includes('/api/'))
    .reduce((s, e) => s + e.transferSize, 0), app);
  const visit = async () => {
    await p.goto(url);
    await p.waitForFunction(() => performance.getEntriesByName('fw:rows-rendered').length
      + performance.getEntriesByName('fw:editor-ready').length > 0);
    return { app: await sum(true), api: await sum(false) };
  };
  const first = await visit();
  const repeat = await visit();
  await context.close();
  return { first, repeat };
}
const wireHistory = await wire(`${APP_URL}/contracts`);
const wireDetails = await wire(`${APP_URL}/contracts/${contractId}?tab=details`);
await browser.close();

// 4. Lighthouse on the history and details pages: the default (mobile: slow 4G, 4× CPU) config,
//    which is what phones see, and the desktop preset.
const lhBrowser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: [...ARGS, '--headless=new'] });
async function lighthouse(url, config) {
  const p = await lhBrowser.newPage();
  await p.evaluateOnNewDocument(() => sessionStorage.setItem('feedback-widget:token', 'demo-alice'));
  const flow = await startFlow(p, config ? { config } : {});
  await flow.navigate(url);
  const { steps } = await flow.createFlowResult();
  const { categories: c, audits: a } = steps[0].lhr;
  await p.close();
  const s = (id) => `${(a[id].numericValue / 1000).toFixed(1)} s`;
  return {
    perf: Math.round(c.performance.score * 100), a11y: Math.round(c.accessibility.score * 100),
    bp: Math.round(c['best-practices'].score * 100), fcp: s('first-contentful-paint'),
    lcp: s('largest-contentful-paint'), tbt: `${Math.round(a['total-blocking-time'].numericValue)} ms`,
    cls: a['cumulative-layout-shift'].numericValue.toFixed(3),
  };
}
const lh = {};
for (const [page, url] of [['history (`/contracts`)', `${APP_URL}/contracts`], ['contract details', `${APP_URL}/contracts/${contractId}?tab=details`]]) {
  lh[page] = { mobile: await lighthouse(url), desktop: await lighthouse(url, desktopConfig) };
}
await lhBrowser.close();
const lhRows = Object.entries(lh).flatMap(([page, r]) => ['mobile', 'desktop'].map((k) =>
  `| ${page} | ${k} | ${r[k].perf} | ${r[k].fcp} | ${r[k].lcp} | ${r[k].tbt} | ${r[k].cls} | ${r[k].a11y} | ${r[k].bp} |`)).join('\n');

const report = `# Performance

Measured by \`cargo xtask bench\` on ${new Date().toISOString().slice(0, 10)}, on this project's
2-core machine: release build (\`trunk build --release\`, wasm-opt from binaryen 132) served by
\`feedback-server --static-dir dist\` on loopback, with the demo data plus 10,000 contracts for
the bulk user. Headless Debian Chromium. Timings are medians; they vary with machine load, so read
them as orders of magnitude and compare runs on the same machine.

## Bundle (what a browser downloads)

| file | raw | gzip -9 | brotli 11 |
|---|---|---|---|
${sizes.map((s) => `| ${s.f} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`).join('\n')}
| **total (app: wasm + js + css)** | **${kb(total('raw'))}** | **${kb(total('gz'))}** | **${kb(total('br'))}** |

Goal: total gzip ≤ 160 KB — ${total('gz') <= 160_000 ? 'met' : `**not met** (${kb(total('gz'))}); see "Where the bytes go" below`}.
\`embed.js\` (the widget loader) is only loaded by host pages.

## Locale catalogs (\`dist/locales/\`, fetched only for a page in that language)

| catalog | raw | gzip -9 | brotli 11 |
|---|---|---|---|
${catalogs.map((s) => `| ${s.f} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`).join('\n')}

Goal: each ≤ 4 KB (4,096 bytes) gzip — ${catalogs.every((c) => c.gz <= 4096) ? 'met' : '**not met**'} (largest ${Math.max(...catalogs.map((c) => c.gz)).toLocaleString('en')} bytes).
English (${kb(readFileSync(new URL('../locales/en.json', import.meta.url)).length)} as a source file) is compiled into the wasm.

## Bytes on the wire (Resource Timing \`transferSize\`, after the server's compression)

| page | first visit: app files | first visit: API | repeat visit: app files | repeat visit: API |
|---|---|---|---|---|
| history | ${kb(wireHistory.first.app)} | ${kb(wireHistory.first.api)} | ${kb(wireHistory.repeat.app)} | ${kb(wireHistory.repeat.api)} |
| contract details | ${kb(wireDetails.first.app)} | ${kb(wireDetails.first.api)} | ${kb(wireDetails.repeat.app)} | ${kb(wireDetails.repeat.api)} |

Goals: first visit ≤ 200 KB, repeat visit ≤ 5 KB (app files; the API's JSON is the data itself).

## Lighthouse 12.2.3: mobile (default config: slow 4G, 4× CPU) and desktop preset

| page | preset | performance | FCP | LCP | TBT | CLS | accessibility | best practices |
|---|---|---|---|---|---|---|---|---|
${lhRows}

Goals: mobile performance ≥ 95 with LCP ≤ 2.0 s and CLS ≤ 0.01; desktop ≥ 98; accessibility 100.

## Time to content (Performance API marks set by the app)

| from navigation start to | median of 5 |
|---|---|
| first contract rows on screen (\`fw:rows-rendered\`, 20 rows) | ${ms(firstRow)} |
| interactive response editor (\`fw:editor-ready\`) | ${ms(editor)} |
| first 50-row page with 10,000 contracts (\`per_page=50\`) | ${ms(firstRowBulk)} |
| switching to the next 50-row page, 10,000 contracts (click → rows painted; median of 6) | ${ms(median(switches))} |
`;
// Hand-written analysis lives beside the generated figures and is appended as is.
let notes = '';
try { notes = `\n${readFileSync(new URL('../docs/performance-notes.md', import.meta.url), 'utf8')}`; } catch { /* none yet */ }
writeFileSync(OUT, report + notes);
console.log(report);
