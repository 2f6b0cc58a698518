// The widget defects an outside audit found, each checked in the release build: Trusted Types,
// drafts left behind, page titles, the pending state, the crash screen, non-secure contexts,
// rate limits, and the small things (notice, category error).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedInPage, withArtifacts, writtenFeedback, responsesFor, dbCount, fixture, daysAgo,
  axeViolations, serveHostPages, HOST as TT_HOST, APP_URL,
} from './browser.mjs';
import { ContractScreen, HistoryScreen } from './pages.mjs';

// The API allows one host origin (CORS, HOST in browser.mjs); other files use it too, never at once.
const ttPolicy = (allowed) => `default-src 'self'; script-src ${APP_URL} 'wasm-unsafe-eval'; `
  + `style-src ${APP_URL}; connect-src ${APP_URL}; object-src 'none'; base-uri 'none'; `
  + `require-trusted-types-for 'script'; trusted-types ${allowed}`;

let browser;
let ttHost;
before(async () => {
  browser = await launch();
  ttHost = await serveHostPages((url) => ({
    html: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Trusted Types host</title>
<script type="module" src="${APP_URL}/embed.js"></script></head><body><main><h1>Trusted Types host</h1>
<contract-feedback api-base="${APP_URL}" token="demo-alice" contract-id="${url.searchParams.get('contract')}"></contract-feedback>
</main></body></html>`,
    headers: { 'Content-Security-Policy': ttPolicy(url.searchParams.get('policy') ?? 'contract-feedback') },
  }));
});
after(async () => {
  await browser?.close();
  await ttHost?.close();
});

const draftKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('feedback-widget:draft')));

test('the widget renders and posts on a host page that enforces Trusted Types', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(2);
    await page.goto(`${TT_HOST}/?contract=${id}`);
    const widget = page.locator('contract-feedback');
    await widget.getByRole('heading', { name: 'Your response' }).waitFor();
    await widget.getByLabel('Write your public response').fill('Posted under Trusted Types.');
    await widget.getByRole('button', { name: 'Continue' }).click();
    await widget.getByRole('dialog', { name: 'Check your response' }).getByRole('button', { name: 'Post response' }).click();
    await widget.getByText('Your response has been posted.').waitFor();
    assert.equal(responsesFor(id), 1);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no Trusted Types violations');
    assert.deepEqual(page.problems, []);
  });
});

test('a host whose CSP does not allow the policy is told what to add', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(2);
    await page.goto(`${TT_HOST}/?contract=${id}&policy=someone-else`);
    await page.waitForFunction(() => window.__csp.length > 0);
    const told = () => page.log.some((l) => l.includes('add `trusted-types contract-feedback`'));
    for (let i = 0; i < 50 && !told(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(told(), page.log.join('\n'));
    page.problems.length = 0;
  });
});

test('drafts are deleted once the server has the response, report and removal request, and kept on failure', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    // A failure keeps the draft (and its key).
    await page.context().setOffline(true);
    const dialog = await contract.writeAndConfirm('Private words on a shared computer.');
    await dialog.getByRole('button', { name: 'Post response' }).click();
    await contract.failure().waitFor();
    assert.equal((await draftKeys(page)).filter((k) => k.includes(':response:')).length, 1);
    await page.context().setOffline(false);
    await contract.failure().getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Your response has been posted.').waitFor();
    assert.deepEqual(await draftKeys(page), [], 'the response draft is gone');

    await contract.fillReport('Fraud', 'The freelancer asked to be paid outside the platform, twice.');
    await contract.reportContinue().click();
    await page.getByRole('dialog', { name: 'Send this report?' }).getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Your report has been sent.').waitFor();
    await page.getByRole('button', { name: 'Request removal' }).click();
    await page.getByRole('dialog', { name: 'Ask to remove your feedback?' }).getByRole('button', { name: 'Request removal' }).click();
    await page.getByText('Your removal request has been sent.').waitFor();
    assert.deepEqual(await draftKeys(page), []);
    // And they stay gone after a reload (no late autosave brings them back).
    await page.reload();
    await page.getByText('Private words on a shared computer.').waitFor();
    assert.deepEqual(await draftKeys(page), []);
  });
});

test('abandoned drafts expire: a response draft a week after its window closed is deleted', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    await page.goto(`${APP_URL}/contracts`);
    await page.evaluate(() => {
      const old = { fields: 'forgotten', sent: null, expires_at_ms: Date.now() - 1000 };
      const fresh = { fields: 'kept', sent: null, expires_at_ms: Date.now() + 86_400_000 };
      localStorage.setItem('feedback-widget:draft:response:999001:1', JSON.stringify(old));
      localStorage.setItem('feedback-widget:draft:response:999002:1', JSON.stringify(fresh));
    });
    await new ContractScreen(page).open(id);
    const keys = await draftKeys(page);
    assert.ok(!keys.includes('feedback-widget:draft:response:999001:1'), keys.join());
    assert.ok(keys.includes('feedback-widget:draft:response:999002:1'), keys.join());
  });
});

test('every screen has its own title, with "Error: " while a validation summary is shown', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3, { title: 'Titled contract' });
    await new HistoryScreen(page).open();
    assert.equal(await page.title(), 'Contract history');
    const contract = await new ContractScreen(page).open(id);
    await page.waitForFunction(() => document.title === 'Titled contract · Contract details');
    await contract.continueButton().click();
    await contract.errorSummary().waitFor();
    assert.equal(await page.title(), 'Error: Titled contract · Contract details');
    await contract.responseBox().fill('Now it has text.');
    await contract.continueButton().click();
    await contract.dialog('Check your response').waitFor();
    assert.equal(await page.title(), 'Titled contract · Contract details');
    await page.goto(`${APP_URL}/nowhere`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.equal(await page.title(), 'Page not found');
  });
});

test('while posting, focus stays on the button, it says so, the status is announced, and a second click sends nothing', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    let posts = 0;
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/feedback/response', async (route) => {
      posts += 1;
      await held;
      await route.continue();
    });
    const dialog = await contract.writeAndConfirm('Posted once, however often I click.');
    const button = dialog.getByRole('button', { name: 'Post response' });
    await button.click();
    const busy = dialog.getByRole('button', { name: 'Posting your response…' });
    await busy.waitFor();
    assert.equal(await busy.getAttribute('aria-disabled'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Posting your response…');
    assert.equal(await dialog.getByRole('status').textContent(), 'Posting your response…');
    // A person can still click it (it is only aria-disabled): nothing more is sent.
    await busy.click({ force: true });
    await busy.click({ force: true });
    release();
    await page.getByText('Your response has been posted.').waitFor();
    assert.equal(posts, 1, 'one request');
    assert.equal(responsesFor(id), 1);
  });
});

const crash = (page) => page.evaluate(async () => {
  const glue = [...document.querySelectorAll('script[type=module]')].map((s) => s.src || s.textContent)
    .join('\n').match(/\/[\w.-]*feedback-widget[\w.-]*\.js/)[0];
  const m = await import(glue);
  try { m.crash_for_testing(); } catch (_) { /* the panic surfaces as a trap */ }
});

test('a panic shows the crash screen; its Reload button works and has enough contrast', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    await new HistoryScreen(page).open();
    await crash(page);
    const alert = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await alert.waitFor();
    assert.equal(await page.locator('.fw-result-count').count(), 0, 'the broken app is gone');
    assert.deepEqual(await axeViolations(page), []);
    await page.evaluate(() => { window.__beforeReload = true; });
    await alert.getByRole('button', { name: 'Reload' }).press('Enter');
    await page.waitForFunction(() => window.__beforeReload === undefined);
    await page.getByText(/Showing 1–20/).waitFor();
    page.problems.length = 0; // the panic's own console report
  });
});

test('a panic in an embedded widget shows the message in every instance', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/embed-demo.html`);
    await page.locator('#history-widget').getByText(/Showing 1–20/).waitFor();
    await page.locator('#contract-widget').getByRole('heading', { level: 1 }).waitFor();
    await page.evaluate(async () => {
      const src = [...document.querySelectorAll('script[type=module]')].map((s) => s.src).find((s) => s.includes('embed.js'));
      const text = await (await fetch(src)).text();
      const glue = new URL(text.match(/from '(\.\/[^']+\.js)'/)[1], src).href;
      try { (await import(glue)).crash_for_testing(); } catch (_) {}
    });
    for (const widget of ['#history-widget', '#contract-widget']) {
      await page.locator(widget).getByRole('alert').getByText('Something went wrong').waitFor();
      await page.locator(widget).getByRole('button', { name: 'Reload' }).waitFor();
    }
    page.problems.length = 0;
  });
});

test('without crypto.randomUUID (plain http on a LAN address) contracts load and a response posts', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    await page.context().addInitScript(() => { delete Crypto.prototype.randomUUID; });
    const id = await writtenFeedback(3);
    const keys = [];
    page.on('request', (r) => { if (r.method() === 'POST') keys.push(r.headers()['idempotency-key']); });
    const contract = await new ContractScreen(page).open(id);
    assert.equal(await page.evaluate(() => typeof crypto.randomUUID), 'undefined');
    await contract.respond('Posted without randomUUID.');
    assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(responsesFor(id), 1);
  });
});

test('a 429 on submit: the widget says to wait, keeps the text, and sends it again by itself, once', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    let calls = 0;
    await page.route('**/feedback/response', (route) => {
      calls += 1;
      return calls === 1
        ? route.fulfill({
          status: 429,
          headers: { 'Retry-After': '2', 'Content-Type': 'application/problem+json' },
          body: JSON.stringify({ type: '/problems/too-many-requests', title: 'Too many requests', status: 429, detail: 'Wait.' }),
        })
        : route.continue();
    });
    const dialog = await contract.writeAndConfirm('Sent into a rate limit.');
    await dialog.getByRole('button', { name: 'Post response' }).click();
    await contract.failure().getByText("we'll send it again in 2 seconds").waitFor();
    assert.equal(await contract.responseBox().inputValue(), 'Sent into a rate limit.');
    await page.getByText('Your response has been posted.').waitFor({ timeout: 10_000 });
    assert.equal(calls, 2);
    assert.equal(responsesFor(id), 1);
  });
});

test('the posted notice goes away with the next action, and a missing category is styled as an error', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    await contract.respond('Thanks for the kind words.');
    assert.equal(await contract.notice().isVisible(), true);
    await contract.reportToggle().click();
    await page.getByLabel('Describe what happened').fill('Typing something else now.');
    assert.equal(await contract.notice().isVisible(), false);
    await contract.reportContinue().click();
    const fieldset = page.locator('fieldset').filter({ hasText: 'What is wrong with this feedback?' });
    await fieldset.getByText('Choose what is wrong with this feedback.').waitFor();
    const style = await fieldset.evaluate((el) => {
      const s = getComputedStyle(el);
      return { width: s.borderLeftWidth, style: s.borderLeftStyle };
    });
    assert.deepEqual(style, { width: '4px', style: 'solid' });
    assert.equal(await page.getByRole('radio', { name: 'Fraud' }).getAttribute('aria-invalid'), 'true');
  });
});

test('stored text with bidi overrides stays inside its own box', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await fixture({ title: 'Bidi \u202Eevil title', ended_at: daysAgo(3), received_rating: 4, received_comment: 'Nice \u202Eevil comment' });
    await new ContractScreen(page).open(id);
    const isolation = await page.evaluate(() => [...document.querySelectorAll('h1, .fw-quote, .fw-freelancer')]
      .map((el) => getComputedStyle(el).unicodeBidi));
    assert.ok(isolation.length >= 3);
    for (const value of isolation) assert.match(value, /isolate|plaintext/);
    assert.equal(dbCount('SELECT COUNT(*) FROM contracts WHERE id = ?', id), 1);
  });
});
