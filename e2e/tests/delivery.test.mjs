// What a browser receives: the precompressed files chosen by Accept-Encoding (all three decode
// to the same bytes), year-long caching for content-hashed files and revalidation for the stable
// URLs, and a repeat visit that moves almost nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { launch, signedInPage, withArtifacts, APP_URL } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A raw GET (node's fetch would decode the body itself): status, headers, the bytes as sent. */
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(`${APP_URL}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The app's files as index.html names them. */
async function assets() {
  const html = (await get('/contracts')).body.toString();
  // (Minified HTML may leave attribute values unquoted.)
  const names = [...html.matchAll(/(?:href|src)="?\/([^"\s>]+\.(?:js|wasm|css))/g)].map((m) => m[1]);
  const glue = names.find((n) => /^feedback-widget-[0-9a-f]{12,16}\.js$/.test(n));
  const wasm = names.find((n) => /^feedback-widget-[0-9a-f]{12,16}_bg\.wasm$/.test(n));
  const css = names.find((n) => /^main-[0-9a-f]{12,16}\.css$/.test(n));
  // The chunks' loader (build/split.mjs), preloaded too; the chunks it fetches, by name.
  const loader = names.find((n) => /^wasm-split-[0-9a-f]{16}\.js$/.test(n));
  assert.ok(glue && wasm && css && loader, `hashed names in index.html: ${names.join(', ')}`);
  const code = (await get(`/${loader}`, { 'Accept-Encoding': 'identity' })).body.toString();
  const chunks = [...code.matchAll(/"\.\/([\w-]+-[0-9a-f]{16}\.wasm)"/g)].map((m) => m[1]);
  assert.ok(chunks.some((c) => c.startsWith('split_')), `the loader fetches split chunks: ${chunks}`);
  // The glue's own modules (wasm-bindgen snippets), preloaded beside it.
  const snippets = names.filter((n) => n.startsWith('snippets/'));
  assert.ok(snippets.length > 0, `snippets in index.html: ${names.join(', ')}`);
  return { glue, wasm, css, snippets, loader, chunks };
}

test('br, gzip and identity responses decode to the same bytes, with Vary and the right length', async () => {
  const { glue, wasm, css, loader, chunks } = await assets();
  for (const name of [wasm, glue, css, loader, ...chunks, 'embed.js', 'index.html']) {
    const identity = await get(`/${name}`, { 'Accept-Encoding': 'identity' });
    const br = await get(`/${name}`, { 'Accept-Encoding': 'br, gzip' });
    const gz = await get(`/${name}`, { 'Accept-Encoding': 'gzip' });
    assert.equal(identity.status, 200, name);
    assert.equal(identity.headers['content-encoding'], undefined, name);
    assert.equal(br.headers['content-encoding'], 'br', name);
    assert.equal(gz.headers['content-encoding'], 'gzip', name);
    for (const r of [identity, br, gz]) {
      assert.match(r.headers.vary ?? '', /accept-encoding/i, name);
      assert.equal(Number(r.headers['content-length']), r.body.length, `${name} length`);
    }
    assert.ok(br.body.length < identity.body.length, `${name} is smaller in br`);
    assert.deepEqual(brotliDecompressSync(br.body), identity.body, `${name} br`);
    assert.deepEqual(gunzipSync(gz.body), identity.body, `${name} gzip`);
  }
});

test('hashed files are immutable; index.html and embed.js revalidate with an ETag', async () => {
  const { glue, wasm, css, snippets, loader, chunks } = await assets();
  for (const name of [glue, wasm, css, loader, ...chunks, ...snippets]) {
    const r = await get(`/${name}`);
    assert.equal(r.status, 200, name);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', name);
  }
  // The glue imports the snippets by the names index.html preloads.
  const code = (await get(`/${glue}`, { 'Accept-Encoding': 'identity' })).body.toString();
  for (const name of [...snippets, loader]) assert.ok(code.includes(`./${name}`), `the glue imports ${name}`);
  for (const path of ['/embed.js', '/index.html', '/contracts', '/contracts/3?tab=details']) {
    const r = await get(path, { 'Accept-Encoding': 'br' });
    assert.equal(r.headers['cache-control'], 'no-cache', path);
    assert.ok(r.headers.etag, `${path} has an ETag`);
    const again = await get(path, { 'Accept-Encoding': 'br', 'If-None-Match': r.headers.etag });
    assert.equal(again.status, 304, path);
    assert.equal(again.body.length, 0, path);
  }
  // embed.js names this build's hashed files, so hosts always get the current ones.
  const embed = (await get('/embed.js')).body.toString();
  for (const name of [glue, wasm, css]) assert.ok(embed.includes(`./${name}`), `embed.js names ${name}`);
});

test('a repeat visit transfers almost nothing', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const transferred = () => page.evaluate(() => performance.getEntriesByType('navigation')
      .concat(performance.getEntriesByType('resource'))
      .filter((e) => !e.name.includes('/api/'))
      .reduce((sum, e) => sum + e.transferSize, 0));
    await page.goto(`${APP_URL}/contracts`);
    await page.getByText(/Showing 1–20/).waitFor();
    const first = await transferred();
    // The first visit ends with the chunks it prefetches after painting (src/split.rs).
    await page.waitForLoadState('networkidle');
    await page.goto(`${APP_URL}/contracts`);
    await page.getByText(/Showing 1–20/).waitFor();
    const repeat = await transferred();
    assert.ok(first > 100_000, `the first visit loads the app (${first} bytes)`);
    assert.ok(repeat < 5_000, `a repeat visit moved ${repeat} bytes`);
    // Only the page itself is asked again: every file it loads comes from the cache.
    const asked = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => !e.name.includes('/api/') && e.transferSize > 0).map((e) => e.name));
    assert.deepEqual(asked, [], 'files revalidated on a repeat visit');
  });
});

test('the static shell paints before the wasm and is replaced in place, once, without a shift', async (t) => {
  // Without scripts, the page still shows its frame and a loading line from index.html.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const bare = await noJs.newPage();
  await bare.goto(`${APP_URL}/contracts`);
  assert.equal(await bare.locator('.fw-shell').getByText('Loading your contracts…').isVisible(), true);
  assert.equal(await bare.locator('[aria-live], [role=status], [role=alert]').count(), 0, 'the shell announces nothing');
  await noJs.close();

  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    await page.addInitScript(() => {
      window.__shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`${APP_URL}/contracts`);
    await page.getByText(/Showing 1–20/).waitFor();
    assert.equal(await page.locator('.fw-shell').count(), 0, 'the shell is gone');
    assert.equal(await page.locator('.fw-app').count(), 1, 'one app');
    assert.equal(await page.locator('main').count(), 1, 'one main landmark');
    assert.equal(await page.locator('#fw-main').count(), 1);
    const shift = await page.evaluate(() => window.__shift);
    assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
  });
});

test('the first API request starts beside the wasm download and is used, not repeated', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const api = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/contracts')) api.push(r.url()); });
    await page.goto(`${APP_URL}/contracts`);
    await page.getByText(/Showing 1–20/).waitFor();
    assert.deepEqual(api, [`${APP_URL}/api/v1/contracts`], 'one request for the first page');
    assert.equal(await page.evaluate(() => window.__fwPrefetch), undefined, 'the app took it');
    // Another page of the list is the app's own request, as before.
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByText(/Showing 21–40/).waitFor();
    assert.equal(api.length, 2);
  });
});
