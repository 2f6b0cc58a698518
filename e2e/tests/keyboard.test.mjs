// Every flow without a mouse: Tab, Shift+Tab, arrows, Enter, Space, Escape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, responsesFor, fixture, daysAgo, APP_URL } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const active = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { id: a?.id ?? '', text: (a?.textContent ?? '').trim().slice(0, 60), tag: a?.tagName ?? '' };
});

/** Presses Tab until `pred(active)` holds (bounded). */
async function tabTo(page, pred, what, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await active(page);
    if (pred(a)) return a;
  }
  throw new Error(`Tab never reached ${what}`);
}

test('search, open a contract, switch tabs and respond with the keyboard only', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const title = `Keyboard contract ${Date.now()}`;
    const id = await writtenFeedback(2, { title });
    await page.goto(`${APP_URL}/contracts`);
    await page.getByText(/Showing 1–20/).waitFor();
    await tabTo(page, (a) => a.id === 'fw-q', 'the search box');
    await page.keyboard.type('Keyboard contract');
    await page.getByText(/Showing 1–1 of 1 contract/).waitFor();
    await tabTo(page, (a) => a.text === title, 'the contract link');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/contracts/${id}?tab=details`);

    // Tabs: arrows move focus, Enter selects.
    await tabTo(page, (a) => a.id === 'fw-tab-details', 'the selected tab');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await active(page)).id, 'fw-tab-overview');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/contracts/${id}?tab=overview`);
    await page.keyboard.press('End');
    await page.keyboard.press(' ');
    await page.waitForURL(`**/contracts/${id}?tab=details`);

    // Empty submit: focus goes to the error summary; its link leads to the field.
    await tabTo(page, (a) => a.text === 'Continue', 'Continue');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'fw-respond-error-summary');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal((await active(page)).id, 'fw-response-text');
    await page.keyboard.type('Typed without a mouse.');
    await tabTo(page, (a) => a.text === 'Continue', 'Continue');
    await page.keyboard.press('Enter');

    // The dialog: focus starts on the safe choice; Escape cancels and focus returns.
    await page.getByRole('dialog', { name: 'Check your response' }).waitFor();
    assert.equal((await active(page)).text, 'Go back and edit');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    assert.equal((await active(page)).text, 'Continue');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Check your response' }).waitFor();
    // Focus is trapped in the modal: Tab and Shift+Tab cycle through its buttons only.
    const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));
    await page.keyboard.press('Tab');
    assert.equal((await active(page)).text, 'Post response');
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press(i < 3 ? 'Tab' : 'Shift+Tab');
      const a = await active(page);
      // Headless Chromium has no browser chrome to visit, so focus wraps within the page,
      // whose only live part is the dialog.
      if (a.tag === 'BODY') continue;
      assert.ok(await inDialog(), `focus left the dialog: ${JSON.stringify(a)}`);
      seen.push(a.text);
    }
    assert.ok(seen.includes('Go back and edit') && seen.includes('Post response'), seen.join(' | '));
    for (let i = 0; i < 4 && (await active(page)).text !== 'Post response'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'fw-notice');
    await page.getByText('Typed without a mouse.').waitFor();
    assert.equal(responsesFor(id), 1);
  });
});

test('report feedback with the keyboard only', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(40);
    await page.goto(`${APP_URL}/contracts/${id}?tab=details`);
    await page.getByRole('button', { name: 'Report this feedback' }).waitFor();
    await tabTo(page, (a) => a.text === 'Report this feedback', 'the report toggle');
    await page.keyboard.press('Enter');
    await tabTo(page, (a) => a.id === 'fw-report-category-manipulation', 'the first category');
    await page.keyboard.press('ArrowDown'); // radio group: arrows choose
    assert.equal((await active(page)).id, 'fw-report-category-inappropriate');
    await page.keyboard.press('Tab');
    assert.equal((await active(page)).id, 'fw-report-description');
    await page.keyboard.type('The comment calls us idiots, which is abusive language (see the feedback text).');
    await tabTo(page, (a) => a.text === 'Continue' && a.tag === 'BUTTON', 'Continue');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Send this report?' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal((await active(page)).text, 'Send report');
    await page.keyboard.press('Enter');
    await page.getByText('(Inappropriate language). Status: waiting for review.').waitFor();
  });
});

test('request removal with the keyboard only', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await fixture({ title: 'Removal by keyboard', ended_at: daysAgo(3), given_rating: 2, given_comment: 'Too harsh.' });
    await page.goto(`${APP_URL}/contracts/${id}?tab=details`);
    await page.getByRole('button', { name: 'Request removal' }).waitFor();
    await tabTo(page, (a) => a.text === 'Request removal', 'Request removal');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Ask to remove your feedback?' }).waitFor();
    assert.equal((await active(page)).text, 'Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('You asked for this feedback to be removed on').waitFor();
  });
});
