// Colour schemes: `auto` (the default) follows the system's preference, live; a host pins light
// or dark with the element's attribute (live) or mount()'s option. (a11y.test.mjs runs axe in
// every state in both schemes.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, axeViolations, serveHostPages, HOST, APP_URL } from './browser.mjs';
import { HistoryScreen } from './pages.mjs';

const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(18, 20, 22)';

// A host page with one pinned element and one mounted from JavaScript with the option.
const hostPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Host with colour schemes</title>
<script type="module" src="${APP_URL}/embed.js"></script></head>
<body><main><h1>Host with colour schemes</h1>
<contract-feedback id="pinned" api-base="${APP_URL}" token="demo-alice" color-scheme="light"></contract-feedback>
<div id="mounted"></div>
<script type="module">
  import { mount } from '${APP_URL}/embed.js';
  // The host keeps the handle: a dropped handle may be collected, which unmounts the widget.
  window.widget = await mount(document.getElementById('mounted'), { apiBase: '${APP_URL}', token: 'demo-alice', colorScheme: 'dark' });
</script>
</main></body></html>`;

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await serveHostPages(() => ({ html: hostPage }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

const background = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

test('the standalone app follows the system colour scheme, live', async (t) => {
  const page = await signedInPage(browser, 'demo-alice', { colorScheme: 'dark' });
  await withArtifacts(t, page, async () => {
    await new HistoryScreen(page).open();
    const app = page.locator('.fw-app').first();
    assert.equal(await background(app), DARK_BG);
    // Native controls follow too: the root declares both schemes.
    assert.equal(await page.locator('html').evaluate((el) => getComputedStyle(el).colorScheme), 'light dark');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await background(app), LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await background(app), DARK_BG);
  });
});

test('a host pins the scheme: the attribute (live) and the mount option beat the system', async (t) => {
  const page = await signedInPage(browser, null, { colorScheme: 'dark' });
  await withArtifacts(t, page, async () => {
    await page.goto(HOST);
    const pinned = page.locator('#pinned');
    const mounted = page.locator('#mounted');
    await pinned.getByRole('heading', { name: 'Contract history' }).waitFor();
    await mounted.getByRole('heading', { name: 'Contract history' }).waitFor();
    const app = (el) => el.locator('.fw-app').first();
    // System dark, attribute light: light.
    assert.equal(await background(app(pinned)), LIGHT_BG);
    // The option pinned dark: dark even when the system turns light.
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await background(app(mounted)), DARK_BG);
    // The attribute changes while the widget runs.
    await pinned.evaluate((el) => el.setAttribute('color-scheme', 'dark'));
    assert.equal(await background(app(pinned)), DARK_BG);
    // Without it, `auto`: the system's (light now, then dark).
    await pinned.evaluate((el) => el.removeAttribute('color-scheme'));
    assert.equal(await background(app(pinned)), LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await background(app(pinned)), DARK_BG);
    assert.deepEqual(await axeViolations(page), [], 'axe on the host page with both widgets dark');
    assert.deepEqual(page.problems, []);
  });
});
