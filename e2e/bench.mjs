// `cargo xtask bench`: measures the release build and writes docs/performance.md.
// Expects APP_URL (feedback-server with the demo data, 10,000 bulk contracts and --static-dir
// dist, allowing HOST_PORT's origin), DIST and HOST_PORT (a host page embedding the widget is
// served there). A benchmark, not a test: it reports, it asserts nothing.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startFlow, desktopConfig } from 'lighthouse';

const APP_URL = process.env.APP_URL;
const HOST = `http://127.0.0.1:${process.env.HOST_PORT ?? 18990}`;
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

// 3. Bytes on the wire, as Chromium counts them (headers and the body as received, after the
//    server's compression; nothing for a file from the cache), on a first and on a repeat visit, for
//    what the page fetched before its first view was on screen (its mark): the chunks it
//    prefetches after that are not the first view's. And which wasm modules that view needed,
//    with their gzip -9 size (the goal's measure).
// A host page on another origin with the widget for one contract (README, Embedding).
const host = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${APP_URL}/embed.js"></script></head><body><main><h1>Host page</h1>
<contract-feedback api-base="${APP_URL}" token="demo-alice" contract-id="${contractId}"></contract-feedback>
</main></body></html>`);
});
await new Promise((r) => host.listen(Number(new URL(HOST).port), '127.0.0.1', r));
const gz = (f) => gzipSync(readFileSync(`${DIST}/${f}`), { level: 9 }).length;
async function wire(url) {
  const context = await browser.newContext();
  await context.addInitScript(() => sessionStorage.setItem('feedback-widget:token', 'demo-alice'));
  const p = await context.newPage();
  // Every request with its bytes on the wire (headers and body as received; 0 from the cache),
  // as Chromium counts them: Resource Timing's transferSize hides a cross-origin file's size
  // from the host page (the embed's case) unless the server allows it.
  let finished = [];
  p.on('requestfinished', (r) => finished.push(r.sizes().then((z) => ({
    path: new URL(r.url()).pathname, start: r.timing().startTime, bytes: z.responseHeadersSize + z.responseBodySize,
  })).catch(() => null)));
  const visit = async () => {
    finished = [];
    await p.goto(url);
    await p.waitForFunction(() => performance.getEntriesByName('fw:rows-rendered').length
      + performance.getEntriesByName('fw:editor-ready').length > 0);
    const firstView = await p.evaluate(() => performance.timeOrigin
      + [...performance.getEntriesByName('fw:rows-rendered'), ...performance.getEntriesByName('fw:editor-ready')][0].startTime);
    await p.waitForLoadState('networkidle');
    // Requests that started before the first view was on screen.
    const entries = (await Promise.all(finished)).filter((e) => e && e.start <= firstView);
    const sum = (app) => entries.filter((e) => app === !e.path.startsWith('/api/')).reduce((s, e) => s + e.bytes, 0);
    return { app: sum(true), api: sum(false), wasm: entries.filter((e) => e.path.endsWith('.wasm')).map((e) => e.path.slice(1)) };
  };
  const first = await visit();
  const repeat = await visit();
  await context.close();
  const modules = first.wasm.map((f) => f.replace(/-[0-9a-f]{12,16}(?=[._])/, ''));
  return { first, repeat, modules, wasmGz: first.wasm.reduce((s, f) => s + gz(f), 0) };
}
const PAGES = [
  ['history (`/contracts`)', `${APP_URL}/contracts`],
  ['contract details', `${APP_URL}/contracts/${contractId}?tab=details`],
  ['embedded, one contract (host page, `contract-id`)', `${HOST}/`],
];
const wires = [];
for (const [name, url] of PAGES) wires.push([name, await wire(url)]);
await browser.close();

// 4. Lighthouse on the same three pages: the default (mobile: slow 4G, 4× CPU) config,
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
// Mobile several times (its simulated throttling still varies run to run): the run with the
// median LCP is reported, with every run's LCP beside it.
const MOBILE_RUNS = 3;
const seconds = (s) => Number(s.replace(' s', ''));
const lh = {};
for (const [page, url] of PAGES) {
  const mobile = [];
  for (let i = 0; i < MOBILE_RUNS; i++) mobile.push(await lighthouse(url));
  mobile.sort((a, b) => seconds(a.lcp) - seconds(b.lcp));
  const median = { ...mobile[Math.floor(MOBILE_RUNS / 2)], runs: mobile.map((r) => r.lcp).join(', ') };
  lh[page] = { mobile: median, desktop: await lighthouse(url, desktopConfig) };
}
await lhBrowser.close();
host.close();
const lhRows = Object.entries(lh).flatMap(([page, r]) => ['mobile', 'desktop'].map((k) =>
  `| ${page} | ${k} | ${r[k].perf} | ${r[k].fcp} | ${r[k].lcp}${r[k].runs ? ` (runs: ${r[k].runs})` : ''} | ${r[k].tbt} | ${r[k].cls} | ${r[k].a11y} | ${r[k].bp} |`)).join('\n');

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
| **all of it (every module, js, css)** | **${kb(total('raw'))}** | **${kb(total('gz'))}** | **${kb(total('br'))}** |

No page loads all of it: \`split_*\` modules are the split points' chunks (src/split.rs), \`chunk_*\`
code two or more of them share, fetched with the first that needs it; \`split_console\` only
on the moderation console. \`embed.js\` (the widget loader) is only loaded by host pages.

## First view per page (what the page fetched before its first content was on screen)

| page | wasm modules | their wasm, gzip -9 | first visit: app files on the wire | first visit: API | repeat visit: app files | repeat visit: API |
|---|---|---|---|---|---|---|
${wires.map(([name, w]) => `| ${name} | ${w.modules.join(', ')} | ${kb(w.wasmGz)} | ${kb(w.first.app)} | ${kb(w.first.api)} | ${kb(w.repeat.app)} | ${kb(w.repeat.api)} |`).join('\n')}

Goals: the first view's wasm ≤ 200 KB gzip; first visit ≤ 200 KB, repeat visit ≤ 5 KB on the wire
(app files; the API's JSON is the data itself). Elsewhere the contract page's chunks are
prefetched once the first view is on screen.

## Locale catalogs (\`dist/locales/\`, fetched only for a page in that language)

| catalog | raw | gzip -9 | brotli 11 |
|---|---|---|---|
${catalogs.map((s) => `| ${s.f} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`).join('\n')}

Goal: each ≤ 4 KB (4,096 bytes) gzip — ${catalogs.every((c) => c.gz <= 4096) ? 'met' : '**not met**'} (largest ${Math.max(...catalogs.map((c) => c.gz)).toLocaleString('en')} bytes).
English (${kb(readFileSync(new URL('../locales/en.json', import.meta.url)).length)} as a source file) is compiled into the wasm.

## Lighthouse 12.2.3: mobile (default config: slow 4G, 4× CPU; median LCP of ${MOBILE_RUNS} runs) and desktop preset

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
