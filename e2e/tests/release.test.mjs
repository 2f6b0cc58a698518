// The release build (trunk --release + wasm-opt), served by feedback-server under its strict
// CSP, loaded and used in headless Chromium: a build that is not clicked is not known to work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, APP_URL } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the release build boots under the strict CSP with no console errors', async () => {
  const page = await signedInPage(browser);
  const response = await page.goto(`${APP_URL}/contracts`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.getByText(/Showing 1–20 of \d+ contracts/).waitFor();
  assert.equal(await page.locator('.fw-contract').count(), 20);
  assert.deepEqual(page.problems, []);
});

test('search, open a contract, respond, and see it after a reload', async () => {
  const page = await signedInPage(browser);
  await page.goto(`${APP_URL}/contracts`);
  await page.getByLabel('Search by title or freelancer').fill('logo');
  await page.getByText('Showing 1–1 of 1 contract').waitFor();
  await page.getByRole('link', { name: 'Logo and brand guidelines' }).click();
  await page.getByRole('tab', { name: 'Contract details', selected: true }).waitFor();
  await page.getByLabel('Write your public response').fill('Thanks, Jonas. The brief changed once, by agreement.');
  await page.getByRole('button', { name: 'Continue' }).click();
  const dialog = page.getByRole('dialog', { name: 'Check your response' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Post response' }).click();
  await page.getByText('Your response has been posted.').waitFor();
  await page.reload();
  await page.getByText('Thanks, Jonas. The brief changed once, by agreement.').waitFor();
  assert.equal(await page.getByLabel('Write your public response').count(), 0);
  assert.deepEqual(page.problems, []);
});
