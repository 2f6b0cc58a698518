// The moderation console at /moderation: a moderator signs in with a moderator's token, finds a
// report in the queue, moves it to under review and then removes the feedback, while the
// client's page, open in another browser, shows each step with its reason once they come back
// to it. Keyboard only; evidence links as text, never fetched; zero axe violations in every
// locale and both colour schemes; a client's token refused; never inside the embedded widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedInPage, withArtifacts, writtenFeedback, daysAgo, axeViolations, serveHostPages, HOST, APP_URL,
} from './browser.mjs';
import { ContractScreen } from './pages.mjs';

let browser;
let host;
before(async () => {
  browser = await launch();
  // A host page embedding the widget, at the console's path on the host's origin.
  host = await serveHostPages(() => ({
    html: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${APP_URL}/embed.js"></script></head><body><main><h1>Host</h1>
<contract-feedback api-base="${APP_URL}" token="demo-moderator"></contract-feedback>
</main></body></html>`,
  }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

const EVIDENCE = 'https://evidence.example/screenshots/chat-1.png';

/**
 * A report waiting 9 days (past the 7-day review target, so the "At least 7 days" filter
 * finds it among the few seeded ones rather than every test's fresh reports).
 */
async function overdueReport(extra = {}, waiting = 9) {
  const title = `Moderated ${Math.random().toString(36).slice(2, 8)}`;
  const id = await writtenFeedback(waiting + 1, {
    title,
    report_status: 'submitted',
    report_category: 'inappropriate',
    report_description: 'The comment insults me; the <b>messages</b> show the opposite.',
    report_evidence: [EVIDENCE],
    submitted_at: daysAgo(waiting),
    ...extra,
  });
  return { id, title };
}

/** A page in its own browser context (its own person) with the console signed in. */
async function consolePage(options = {}, locale) {
  const page = await signedInPage(browser, null, options);
  if (locale) await page.context().addInitScript((l) => localStorage.setItem('feedback-widget:locale', l), locale);
  await page.context().addInitScript(() => sessionStorage.setItem('feedback-widget:moderator-token', 'demo-moderator'));
  return page;
}

/** Chooses `status`, writes `reason` and confirms in the dialog. */
async function decide(page, status, reason) {
  const form = page.locator('.fw-console-decide');
  await form.getByRole('radio', { name: status }).check();
  await form.getByLabel('Reason', { exact: true }).fill(reason);
  await form.getByRole('button', { name: 'Review the decision' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save this decision?' });
  await dialog.getByText(reason).waitFor();
  await dialog.getByRole('button', { name: 'Save the decision' }).click();
  await page.getByText(`Saved: ${status}. The queue is up to date.`).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'fw-mod-outcome');
}

/**
 * What the browser does when the person comes back to a tab they left (headless tabs are always
 * visible, so the event the browser would fire is fired here: at the document, bubbling).
 */
async function comeBack(page) {
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
}

test('a moderator decides a report from the console while the client\'s page shows each step with its reason', async (t) => {
  const client = await signedInPage(browser, 'demo-alice');
  const mod = await signedInPage(browser, null);
  await withArtifacts(t, mod, async () => {
    // Waiting longer than any other test's report: the oldest, so first in the queue.
    const { id, title } = await overdueReport({}, 40);
    const contract = await new ContractScreen(client).open(id);
    const timeline = client.getByRole('list', { name: 'Report history' });
    await timeline.waitFor();
    assert.equal(await timeline.getByRole('listitem').count(), 1);

    // Sign in: the page says which token it wants.
    await mod.goto(`${APP_URL}/moderation`);
    await mod.getByText('On the demo server, use demo-moderator.').waitFor();
    assert.equal(await mod.title(), 'Moderation console');
    await mod.getByLabel('Moderator token').fill('demo-moderator');
    await mod.getByRole('button', { name: 'Sign in' }).click();
    await mod.getByRole('heading', { level: 1, name: 'Moderation console' }).waitFor();
    await mod.getByText(/^Past the 7-day review target/).waitFor();

    // Filters narrow the queue and live in the address.
    await mod.getByLabel('Category').selectOption('inappropriate');
    await mod.getByLabel('Waiting', { exact: true }).selectOption('14');
    await mod.waitForURL((u) => u.searchParams.get('category') === 'inappropriate' && u.searchParams.get('older_than') === '14');
    const link = mod.getByRole('link', { name: `Report ${title}` });
    await link.click();
    const item = mod.locator('.fw-console-item');
    await item.getByRole('heading', { level: 2, name: title }).waitFor();
    await item.getByText('Clear brief, slow payments.').waitFor();
    // The client's words are text, never markup.
    await item.getByText('The comment insults me; the <b>messages</b> show the opposite.').waitFor();
    await item.getByText('Inappropriate language').waitFor();
    await item.getByText(/Past the review target/).first().waitFor();
    await item.getByText('The client sees this reason word for word in their timeline.', { exact: false }).waitFor();

    await decide(mod, 'Under review', 'I am reading the messages on this contract.');
    // Still open: still in the queue, now under review.
    await item.getByText('Status: Under review.').waitFor();
    await link.waitFor();

    await comeBack(client);
    await timeline.getByRole('listitem').nth(1).waitFor();
    assert.match(await timeline.getByRole('listitem').nth(1).innerText(), /Under review[\s\S]*I am reading the messages on this contract\./);

    await decide(mod, 'Feedback removed', 'The comment insults you; it breaks the terms.');
    // Decided: it leaves the queue of open items; the item says its decision is final.
    await link.waitFor({ state: 'detached' });
    await item.getByText('This item is decided: a decision is final.').waitFor();
    assert.equal(await item.getByRole('button', { name: 'Review the decision' }).count(), 0);

    await comeBack(client);
    await timeline.getByRole('listitem').nth(2).waitFor();
    assert.match(await timeline.getByRole('listitem').nth(2).innerText(), /Feedback removed[\s\S]*The comment insults you; it breaks the terms\./);
    await client.getByText(/^Removed on .* after your report\./).waitFor();
    assert.equal(await contract.responseBox().count(), 0);
    assert.deepEqual(mod.problems, []);
    assert.deepEqual(client.problems, []);
  });
});

test('the console works from the keyboard alone: sign in, choose an item, decide, confirm', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    // Under review already: two statuses to choose between with the arrow keys.
    const { id, title } = await overdueReport({ report_category: 'fraud', report_status: 'under_review' });
    await page.goto(`${APP_URL}/moderation?kind=report&category=fraud&older_than=7`);
    await page.getByLabel('Moderator token').focus();
    await page.keyboard.type('demo-moderator');
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: `Report ${title}` });
    await link.waitFor();
    // Tab reaches the item's link; Enter opens it and moves focus to its heading.
    for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    assert.ok(await link.evaluate((el) => el === document.activeElement), 'Tab reaches the queue item');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('item') === `report.${id}`);
    await page.waitForFunction((t) => document.activeElement?.tagName === 'H2' && document.activeElement.textContent === t, title);

    const radio = page.getByRole('radio', { name: 'Feedback removed' });
    for (let i = 0; i < 40 && !(await radio.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    assert.ok(await radio.evaluate((el) => el === document.activeElement), 'Tab reaches the statuses');
    await page.keyboard.press('ArrowDown');
    assert.ok(await page.getByRole('radio', { name: 'Feedback kept' }).isChecked());
    await page.keyboard.press('ArrowUp');
    assert.ok(await radio.isChecked());
    await page.keyboard.press('Tab');
    await page.keyboard.type('Checked with the keyboard only.');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'fw-mod-reason');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Save this decision?' });
    await dialog.waitFor();
    // Escape goes back with the reason kept; the dialog opens again the same way.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByLabel('Reason', { exact: true }).inputValue(), 'Checked with the keyboard only.');
    await page.getByRole('button', { name: 'Review the decision' }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Save the decision' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Saved: Feedback removed. The queue is up to date.').waitFor();
    const r = await fetch(`${APP_URL}/api/v1/contracts/${id}`, { headers: { Authorization: 'Bearer demo-alice' } });
    assert.equal((await r.json()).received.report.status, 'removed');
  });
});

test('a reason being written survives a reload and is gone once the decision is saved', async (t) => {
  const page = await consolePage();
  await withArtifacts(t, page, async () => {
    const { id, title } = await overdueReport();
    await page.goto(`${APP_URL}/moderation?item=report.${id}`);
    await page.getByRole('heading', { level: 2, name: title }).waitFor();
    await page.getByLabel('Reason', { exact: true }).fill('Half a reason');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: title }).waitFor();
    assert.equal(await page.getByLabel('Reason', { exact: true }).inputValue(), 'Half a reason');
    await decide(page, 'Under review', 'Half a reason, finished: I am reading the messages.');
    assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), `feedback-widget:moderation-reason:report.${id}`), null);
  });
});

test('evidence links are shown as text with their host and are never fetched', async (t) => {
  const page = await consolePage();
  await withArtifacts(t, page, async () => {
    const seen = [];
    page.on('request', (r) => { if (r.url().includes('evidence.example')) seen.push(r.url()); });
    const { id } = await overdueReport();
    await page.goto(`${APP_URL}/moderation?item=report.${id}`);
    const code = page.locator('.fw-evidence code');
    await code.waitFor();
    assert.equal(await code.innerText(), EVIDENCE);
    await page.locator('.fw-evidence').getByText('evidence.example', { exact: true }).waitFor();
    const a = page.getByRole('link', { name: 'Open link 1 (evidence.example) in a new tab' });
    assert.equal(await a.getAttribute('href'), EVIDENCE);
    assert.equal(await a.getAttribute('target'), '_blank');
    assert.equal(await a.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await a.getAttribute('referrerpolicy'), 'no-referrer');
    // No image, frame or prefetch of it anywhere on the page.
    assert.equal(await page.locator(`img[src*="evidence.example"], iframe, link[href*="evidence.example"]`).count(), 0);
    await page.waitForTimeout(300);
    assert.deepEqual(seen, []);
  });
});

test('a client\'s token is refused: the console asks again and says why', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/moderation`);
    await page.getByLabel('Moderator token').fill('demo-alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText("The server didn't accept that token as a moderator's.", { exact: false }).waitFor();
    await page.getByLabel('Moderator token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('feedback-widget:moderator-token')), null);
    // And the client's own sign-in on the same origin is not the console's.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('feedback-widget:token')), null);
  });
});

test('the embedded widget has no console, and the moderator API refuses the host page\'s origin', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    await page.goto(`${HOST}/moderation`);
    const widget = page.locator('contract-feedback');
    // The widget is the client's: a moderator's token is not a client's.
    await widget.getByRole('heading', { name: 'Sign-in needed' }).waitFor();
    assert.equal(await widget.getByText('Moderation console').count(), 0);
    const status = await page.evaluate(async (api) => {
      try {
        const r = await fetch(`${api}/api/v1/moderation/queue`, { headers: { Authorization: 'Bearer demo-moderator' } });
        return r.status;
      } catch {
        return 'blocked';
      }
    }, APP_URL);
    assert.equal(status, 'blocked');
    // Without the browser's CORS check, the server still says no to that Origin.
    const r = await fetch(`${APP_URL}/api/v1/moderation/queue`, { headers: { Authorization: 'Bearer demo-moderator', Origin: HOST } });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  });
});

for (const locale of ['en', 'es', 'fr', 'de', 'pt-BR', 'ja', 'ar']) {
  for (const colorScheme of ['light', 'dark']) {
    test(`the console with an item and its dialog open has zero axe violations (${locale}, ${colorScheme})`, async (t) => {
      const page = await consolePage({ colorScheme }, locale);
      await withArtifacts(t, page, async () => {
        const { id } = await overdueReport();
        await page.goto(`${APP_URL}/moderation?item=report.${id}`);
        await page.locator('.fw-console-item h2[tabindex]').waitFor();
        await page.locator('.fw-queue-item').first().waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
        if (locale === 'ar') assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
        assert.notEqual(await page.title(), '');
        assert.deepEqual(await axeViolations(page), [], `axe: ${locale} ${colorScheme}`);
        // The dialog, with a status chosen and a reason written.
        await page.locator('.fw-console-decide input[type=radio]').first().check();
        await page.locator('#fw-mod-reason').fill('A reason for the axe check.');
        await page.locator('.fw-console-decide > button.fw-primary').click();
        await page.getByRole('dialog').waitFor();
        assert.deepEqual(await axeViolations(page), [], `axe with the dialog: ${locale} ${colorScheme}`);
      });
    });
  }
}
