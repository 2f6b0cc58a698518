// The product driven like a person would, against the release build and the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, responsesFor, APP_URL } from './browser.mjs';
import { HistoryScreen, ContractScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('find a contract by search, respond, and see the response after a reload', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const history = await new HistoryScreen(page).open();
    await history.search('logo');
    await page.getByText('Showing 1–1 of 1 contract').waitFor();
    await history.contractLink('Logo and brand guidelines').click();
    const contract = new ContractScreen(page);
    await contract.tab('Contract details').waitFor();
    assert.match(page.url(), /\/contracts\/\d+\?tab=details$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());

    // Validation first: nothing typed.
    await contract.continueButton().click();
    await contract.errorSummary().getByRole('link', { name: 'Enter some text.' }).waitFor();

    await contract.respond('Thanks, Jonas. The brief changed once, by agreement.');
    await page.reload();
    await page.getByText('Thanks, Jonas. The brief changed once, by agreement.').waitFor();
    assert.equal(await contract.responseBox().count(), 0, 'no editor after posting');
    assert.equal(await page.getByRole('button', { name: /edit/i }).count(), 0, 'no edit control');
    assert.equal(responsesFor(id), 1);
    assert.deepEqual(page.problems, []);
  });
});

for (const [label, slug] of [
  ['Manipulation of the feedback system', 'manipulation'],
  ['Inappropriate language', 'inappropriate'],
  ['Irrelevant to the contract', 'irrelevant'],
  ['Insider feedback or conflict of interest', 'conflict_of_interest'],
  ['Fraud', 'fraud'],
]) {
  test(`report feedback as "${label}" and see its status`, async (t) => {
    const page = await signedInPage(browser);
    await withArtifacts(t, page, async () => {
      const id = await writtenFeedback(50);
      const contract = await new ContractScreen(page).open(id);
      await contract.fillReport(label, 'On 3 May the freelancer wrote that the rating depends on an extra payment.', ['https://example.com/message.png']);
      await contract.reportContinue().click();
      const dialog = contract.dialog('Send this report?');
      await dialog.getByText(label).waitFor();
      await dialog.getByRole('button', { name: 'Send report' }).click();
      await page.getByText(`(${label}). Status: waiting for review.`).waitFor();
      assert.equal(await contract.reportToggle().count(), 0, 'the report control is gone');
      const r = await fetch(`${APP_URL}/api/v1/contracts/${id}`, { headers: { Authorization: 'Bearer demo-alice' } });
      assert.equal((await r.json()).received.report.category, slug);
    });
  });
}

test('request removal of feedback you gave, once', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(6);
    const contract = await new ContractScreen(page).open(id);
    await page.getByRole('button', { name: 'Request removal' }).click();
    await contract.dialog('Ask to remove your feedback?').getByRole('button', { name: 'Request removal' }).click();
    await page.getByText('You asked for this feedback to be removed on').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Request removal' }).count(), 0);
  });
});

test('pages, filters and sorting live in the URL; back and forward restore them', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const history = await new HistoryScreen(page).open('?per_page=10');
    await page.getByText(/Showing 1–10 of/).waitFor();
    await history.nextPage().click();
    await page.getByText(/Showing 11–20 of/).waitFor();
    assert.match(page.url(), /page=2/);
    await page.getByLabel('Sort by').selectOption('title_asc');
    await page.waitForURL(/sort=title_asc/);
    assert.doesNotMatch(page.url(), /page=2/, 'a new sort starts at page 1');
    // The previous page stays on screen while the new one loads: wait for the new one.
    await page.getByText(/Showing 1–10 of/).waitFor();
    const titles = await history.rows().locator('.fw-contract-title').allTextContents();
    assert.deepEqual(titles, [...titles].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    await page.goBack();
    await page.getByText(/Showing 11–20 of/).waitFor();
    await page.goForward();
    await page.waitForURL(/sort=title_asc/);
    // A shared link opens the same view.
    const other = await signedInPage(browser);
    await other.goto(page.url());
    await other.getByText(/Showing 1–10 of/).waitFor();
    assert.equal(await other.getByLabel('Sort by').inputValue(), 'title_asc');
  });
});
