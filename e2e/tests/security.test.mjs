// The app boots under the server's strict CSP, renders untrusted text as text, and one user
// sees nothing of another's contracts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, APP_URL } from './browser.mjs';
import { HistoryScreen, ContractScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('boots under the strict CSP with no violations and no console errors', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const response = await page.goto(`${APP_URL}/contracts`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /require-trusted-types-for 'script'; trusted-types contract-feedback/);
    await page.getByText(/Showing 1–20 of \d+ contracts/).waitFor();
    await page.goto(`${APP_URL}/embed-demo.html`);
    await page.locator('#history-widget').getByText(/Showing 1–20/).waitFor();
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.problems, []);
  });
});

test('HTML and script in feedback, titles and names render as text', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const history = await new HistoryScreen(page).open('?q=bold');
    await page.getByText('<b>Bold</b> title & "quotes"').waitFor();
    await history.contractLink('<b>Bold</b> title & "quotes"').click();
    await page.getByText("<script>alert('xss')</script>", { exact: false }).waitFor();
    const app = page.locator('.fw-app');
    assert.equal(await app.locator('script, img, b').count(), 0);
    assert.equal(await app.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await page.evaluate(() => window.__alerted ?? false), false);
  });
});

test("another user's token sees nothing of the first user's contracts", async (t) => {
  const alice = await signedInPage(browser);
  const bob = await signedInPage(browser, 'demo-bob');
  await withArtifacts(t, bob, async () => {
    const history = await new HistoryScreen(alice).open('?q=logo');
    await history.contractLink('Logo and brand guidelines').click();
    await alice.waitForURL(/\/contracts\/\d+/);
    const aliceContract = new URL(alice.url()).pathname;
    await new HistoryScreen(bob).open();
    await bob.getByText('Showing 1–3 of 3 contracts').waitFor();
    assert.equal(await bob.getByText('Logo and brand guidelines').count(), 0);
    await bob.goto(`${APP_URL}${aliceContract}?tab=details`);
    await bob.getByText('Contract not found').waitFor();
    assert.equal(await bob.getByText('Jonas Weber').count(), 0);
  });
});
