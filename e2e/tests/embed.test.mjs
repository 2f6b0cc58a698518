// The README's snippet pasted into a plain HTML page on another origin, under exactly the CSP
// the README documents, pointed at the reference server: the widget works, stays in its box,
// and talks to the host only through its events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, responsesFor, serveHostPages, HOST, APP_URL } from './browser.mjs';

const CSP = `default-src 'self'; script-src ${APP_URL} 'wasm-unsafe-eval'; style-src ${APP_URL}; connect-src ${APP_URL}; object-src 'none'; base-uri 'none'`;

const page = (contractId) => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>A plain host page</title>
<script type="module" src="${APP_URL}/embed.js"></script></head>
<body><main>
<h1>A plain host page</h1>
<p><a id="host-link" href="#host-section">A link of the host's own</a></p>
<contract-feedback api-base="${APP_URL}" token="demo-alice"${contractId ? ` contract-id="${contractId}"` : ''}></contract-feedback>
<h2 id="host-section">The host's own section</h2>
</main></body></html>`;

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await serveHostPages((url) => ({
    html: page(url.searchParams.get('contract')),
    headers: { 'Content-Security-Policy': CSP },
  }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

test('the snippet works on another origin under the documented CSP', async (t) => {
  const p = await signedInPage(browser, null);
  await withArtifacts(t, p, async () => {
    const id = await writtenFeedback(2);
    await p.goto(`${HOST}/?contract=${id}`);
    await p.evaluate(() => {
      window.__events = [];
      document.addEventListener('response-posted', (e) => window.__events.push(e.detail));
    });
    const widget = p.locator('contract-feedback');
    await widget.getByRole('heading', { name: 'Your response' }).waitFor();
    await widget.getByLabel('Write your public response').fill('Posted from a plain host page.');
    await widget.getByRole('button', { name: 'Continue' }).click();
    await widget.getByRole('dialog', { name: 'Check your response' }).getByRole('button', { name: 'Post response' }).click();
    await widget.getByText('Your response has been posted.').waitFor();
    assert.deepEqual(await p.evaluate(() => window.__events), [{ contractId: id }]);
    assert.equal(responsesFor(id), 1);

    // Inside the widget, going back to the history doesn't touch the host's URL.
    const url = p.url();
    await widget.getByRole('link', { name: 'Contract history' }).click();
    await widget.getByText(/Showing 1–20 of/).waitFor();
    assert.equal(p.url(), url);
    // The host's own link still works as a plain link.
    await p.locator('#host-link').click();
    assert.equal(new URL(p.url()).hash, '#host-section');

    // The standalone app (its sign-in form) never mounts itself into a host page.
    assert.equal(await p.locator('.fw-signin').count(), 0);
    assert.deepEqual(await p.evaluate(() => window.__csp), [], 'no CSP violations');
    assert.deepEqual(p.problems, []);
  });
});

test('a host changes contract-id on the shown widget: that contract opens, and a draft typed before is kept', async (t) => {
  const p = await signedInPage(browser, null);
  await withArtifacts(t, p, async () => {
    const first = await writtenFeedback(2, { title: 'The first hosted contract' });
    const second = await writtenFeedback(2, { title: 'The second hosted contract' });
    await p.goto(`${HOST}/?contract=${first}`);
    const widget = p.locator('contract-feedback');
    const show = (id) => widget.evaluate((el, v) => el.setAttribute('contract-id', String(v)), id);
    await widget.getByRole('heading', { level: 1, name: 'The first hosted contract' }).waitFor();
    await widget.getByLabel('Write your public response').fill('Half written, on the first.');
    await show(second);
    await widget.getByRole('heading', { level: 1, name: 'The second hosted contract' }).waitFor();
    assert.equal(await widget.getByRole('heading', { level: 1 }).count(), 1, 'one widget, not two');
    await show(first);
    await widget.getByRole('heading', { level: 1, name: 'The first hosted contract' }).waitFor();
    assert.equal(await widget.getByLabel('Write your public response').inputValue(), 'Half written, on the first.');
    assert.deepEqual(await p.evaluate(() => window.__csp), [], 'no CSP violations');
    assert.deepEqual(p.problems, []);
  });
});
