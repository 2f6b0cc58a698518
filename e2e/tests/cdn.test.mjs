// A host that pins a release: embed.js loaded with the `integrity` value the build wrote into
// dist/integrity.json (and `crossorigin`), its modules pinned by an import map's "integrity".
// The browser runs the widget when every value matches, and refuses it when one does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, serveHostPages, HOST, APP_URL } from './browser.mjs';

let browser;
let host;
let pins;
before(async () => {
  browser = await launch();
  pins = await (await fetch(`${APP_URL}/integrity.json`)).json();
  host = await serveHostPages((url) => ({ html: hostPage(url.searchParams.get('break')) }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

/** A host page as the README shows it; `broken` names the pin to spoil ("embed" or "glue"). */
function hostPage(broken) {
  const spoil = (value) => value.replace(/.{4}$/, 'AAAA');
  const modules = Object.fromEntries(Object.entries(pins)
    .filter(([name]) => name.endsWith('.js') && name !== 'embed.js')
    .map(([name, sri]) => [`${APP_URL}/${name}`, broken === 'glue' && !name.includes('/') ? spoil(sri) : sri]));
  const embed = broken === 'embed' ? spoil(pins['embed.js']) : pins['embed.js'];
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pinned host</title>
<script type="importmap">${JSON.stringify({ integrity: modules })}</script>
<script type="module" src="${APP_URL}/embed.js" integrity="${embed}" crossorigin="anonymous"></script>
</head><body><main><h1>Pinned host</h1>
<contract-feedback api-base="${APP_URL}" token="demo-alice"></contract-feedback></main></body></html>`;
}

test('the build pins embed.js and every module, script, style and wasm it loads', () => {
  const names = Object.keys(pins);
  assert.ok(names.includes('embed.js'));
  for (const pattern of [/^feedback-widget-[0-9a-f]+\.js$/, /_bg\.wasm$/, /^main-[0-9a-f]+\.css$/, /^snippets\//]) {
    assert.ok(names.some((n) => pattern.test(n)), `${pattern} in ${names}`);
  }
  for (const value of Object.values(pins)) assert.match(value, /^sha384-[A-Za-z0-9+/]{64}$/);
});

test('a browser runs the widget when embed.js and its modules match their integrity', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    await page.goto(`${HOST}/`);
    await page.locator('contract-feedback').getByRole('heading', { level: 1, name: 'Contract history' }).waitFor();
  });
});

for (const broken of ['embed', 'glue']) {
  test(`a browser refuses the widget when ${broken === 'embed' ? 'embed.js' : 'the glue module'} does not match`, async (t) => {
    const page = await signedInPage(browser, null);
    const refused = [];
    page.on('console', (m) => { if (/integrity/i.test(m.text())) refused.push(m.text()); });
    await withArtifacts(t, page, async () => {
      await page.goto(`${HOST}/?break=${broken}`);
      await page.waitForLoadState('load');
      // The element is never defined, so nothing of the widget runs.
      await page.waitForFunction(() => document.readyState === 'complete');
      assert.equal(await page.evaluate(() => customElements.get('contract-feedback') === undefined), true);
      assert.ok(refused.length > 0, 'the browser says it refused a resource for its integrity');
    });
  });
}
