// Faults: offline, 503, a client timeout, a 500, and another tab first. In each, the typed text
// survives, the message is plain, and nothing is posted twice (rows counted in the database).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, responsesFor, APP_URL } from './browser.mjs';
import { ContractScreen, HistoryScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const POST = '**/feedback/response';

async function confirmAndPost(contract, text) {
  const dialog = await contract.writeAndConfirm(text);
  await dialog.getByRole('button', { name: 'Post response' }).click();
}

async function retryAndCheck(page, contract, id, text) {
  assert.equal(await contract.responseBox().inputValue(), text, 'the text survived');
  await contract.failure().getByRole('button', { name: 'Try again' }).click();
  await page.getByText('Your response has been posted.').waitFor();
  await page.getByText(text).waitFor();
  assert.equal(responsesFor(id), 1, 'posted exactly once');
}

test('offline during submit: nothing sent, text kept, retry posts once', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    await page.context().setOffline(true);
    await confirmAndPost(contract, 'Sent while offline.');
    await contract.failure().getByText("we couldn't reach the server").waitFor();
    assert.equal(responsesFor(id), 0);
    await page.context().setOffline(false);
    await retryAndCheck(page, contract, id, 'Sent while offline.');
  });
});

test('a 503 on a GET is retried and the list loads', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    let calls = 0;
    await page.route('**/api/v1/contracts', (route) => {
      calls += 1;
      return calls === 1 ? route.fulfill({ status: 503, body: '' }) : route.continue();
    });
    await new HistoryScreen(page).open();
    await page.getByText(/Showing 1–20/).waitFor();
    assert.equal(calls, 2);
  });
});

test('a slow next page: the last page stays on screen, marked busy, until the next arrives', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const history = await new HistoryScreen(page).open();
    await page.getByText(/Showing 1–20/).waitFor();
    const busy = page.locator('.fw-history [aria-busy]');
    assert.equal(await busy.getAttribute('aria-busy'), 'false');
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let asked;
    const requested = new Promise((resolve) => { asked = resolve; });
    await page.route('**/api/v1/contracts?**', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await history.nextPage().click();
    await requested;
    await page.waitForFunction(() => document.querySelector('.fw-history [aria-busy]')?.getAttribute('aria-busy') === 'true');
    assert.match(await history.status().textContent(), /Showing 1–20/, 'the last page is still shown');
    assert.equal(await history.rows().count(), 20);
    assert.equal(await page.locator('.fw-history .fw-loading').count(), 0, 'no loading line over the old page');
    release();
    await page.getByText(/Showing 21–40/).waitFor();
    await page.waitForFunction(() => document.querySelector('.fw-history [aria-busy]')?.getAttribute('aria-busy') === 'false');
  });
});

test('the first load is announced: its loading line is not inside a busy region', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/api/v1/contracts', async (route) => { await held; await route.continue(); });
    await page.goto(`${APP_URL}/contracts`);
    const loading = page.locator('.fw-history .fw-loading[role=status]');
    await loading.waitFor();
    assert.equal(await page.locator('.fw-history [aria-busy="true"]').count(), 0);
    release();
    await page.getByText(/Showing 1–20/).waitFor();
  });
});

test('a 429 on a GET is waited out for its Retry-After, then the list loads', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const calls = [];
    await page.route('**/api/v1/contracts', (route) => {
      calls.push(Date.now());
      return calls.length === 1
        ? route.fulfill({ status: 429, headers: { 'Retry-After': '1', 'Content-Type': 'application/problem+json' }, body: '{}' })
        : route.continue();
    });
    await new HistoryScreen(page).open();
    await page.getByText(/Showing 1–20/).waitFor();
    assert.equal(calls.length, 2);
    assert.ok(calls[1] - calls[0] >= 900, `waited ${calls[1] - calls[0]} ms`);
  });
});

test('a response slower than the client timeout: plain message, retry does not post twice', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    let late;
    await page.route(POST, (route) => {
      // The network holds the request past the client's 10 s timeout, then delivers it late.
      late = new Promise((r) => setTimeout(r, 11_000)).then(() => route.continue()).catch(() => {});
      return late;
    });
    await confirmAndPost(contract, 'Sent over a slow line.');
    await contract.failure().getByText("didn't answer in time").waitFor({ timeout: 15_000 });
    await late; // whatever the late delivery did has happened before the retry
    await page.unroute(POST);
    await retryAndCheck(page, contract, id, 'Sent over a slow line.');
  });
});

test('a 500 on submit: plain message, text kept, retry posts once', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    await page.route(POST, (route) => route.fulfill({
      status: 500, contentType: 'application/problem+json',
      body: JSON.stringify({ type: '/problems/internal', title: 'x', status: 500, detail: 'x' }),
    }));
    await confirmAndPost(contract, 'Sent into a server error.');
    await contract.failure().getByText('Something went wrong on our side').waitFor();
    assert.equal(responsesFor(id), 0);
    await page.unroute(POST);
    await retryAndCheck(page, contract, id, 'Sent into a server error.');
  });
});

test('another device posts first: the submit meets a 409 and shows the stored response; one row', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const mine = await new ContractScreen(page).open(id);
    const dialog = await mine.writeAndConfirm('From this device.');
    // Another browser (no shared BroadcastChannel): only the server can tell us.
    const elsewhere = await signedInPage(browser);
    await new ContractScreen(elsewhere).open(id).then((c) => c.respond('From the other device.'));
    await dialog.getByRole('button', { name: 'Post response' }).click();
    await page.getByText('already posted').waitFor();
    await page.getByText('From the other device.').waitFor();
    assert.equal(responsesFor(id), 1);
  });
});

test('another tab of this browser posts: this tab updates by itself', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const mine = await new ContractScreen(page).open(id);
    await mine.responseBox().fill('Half-written here.');
    const other = await page.context().newPage();
    await new ContractScreen(other).open(id).then((c) => c.respond('Posted in the other tab.'));
    await page.getByText('Posted in the other tab.').waitFor();
    assert.equal(await mine.responseBox().count(), 0, 'no editor offering a doomed submit');
    assert.equal(responsesFor(id), 1);
  });
});
