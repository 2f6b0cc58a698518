// axe-core (WCAG 2.0/2.1 A and AA) reports zero violations in every state a person can reach,
// in both colour schemes (contrast is checked against the palette in use).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, axeViolations, APP_URL } from './browser.mjs';
import { HistoryScreen, ContractScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function clean(page, state) {
  const scheme = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  assert.deepEqual(await axeViolations(page), [], `axe violations in: ${state} (${scheme})`);
}

for (const colorScheme of ['light', 'dark']) {
  test(`history: loaded, empty and error states (${colorScheme})`, async (t) => {
    const page = await signedInPage(browser, 'demo-alice', { colorScheme });
    await withArtifacts(t, page, async () => {
      const history = await new HistoryScreen(page).open();
      await clean(page, 'history loaded');
      await history.search('nothing matches this');
      await page.getByText('No contracts match').waitFor();
      await clean(page, 'history empty');
      await page.route('**/api/v1/contracts**', (r) => r.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"type":"/problems/internal","title":"x","status":500,"detail":"x"}' }));
      await page.goto(`${APP_URL}/contracts?q=x`);
      await page.getByText('Something went wrong on our side').waitFor();
      await clean(page, 'history error');
    });
  });

  test(`contract details, editor errors, confirm dialog, posted, report form and report sent (${colorScheme})`, async (t) => {
    const page = await signedInPage(browser, 'demo-alice', { colorScheme });
    await withArtifacts(t, page, async () => {
      const id = await writtenFeedback(2);
      const contract = await new ContractScreen(page).open(id);
      await clean(page, 'details');
      await contract.continueButton().click();
      await contract.errorSummary().waitFor();
      await clean(page, 'editor with errors');
      await contract.writeAndConfirm('An accessible response.');
      await clean(page, 'confirm dialog');
      await contract.dialog('Check your response').getByRole('button', { name: 'Post response' }).click();
      await page.getByText('Your response has been posted.').waitFor();
      await clean(page, 'posted');
      await contract.reportToggle().click();
      await contract.reportContinue().click();
      await contract.errorSummary('fw-report').waitFor();
      await clean(page, 'report form with errors');
      await contract.fillReport('Fraud', 'The freelancer was banned for fraud on 2 May, per the support ticket.', [], { open: false });
      await contract.reportContinue().click();
      await contract.dialog('Send this report?').getByRole('button', { name: 'Send report' }).click();
      await page.getByText('Status: waiting for review.').waitFor();
      await clean(page, 'report submitted');
    });
  });

  test(`overview tab, window closed, and not found (${colorScheme})`, async (t) => {
    const page = await signedInPage(browser, 'demo-alice', { colorScheme });
    await withArtifacts(t, page, async () => {
      const id = await writtenFeedback(35);
      await new ContractScreen(page).open(id, 'overview');
      await clean(page, 'overview');
      await new ContractScreen(page).open(id);
      await page.getByText('The response period ended on').waitFor();
      await clean(page, 'window closed');
      await page.goto(`${APP_URL}/contracts/999999999`);
      await page.getByText('Contract not found').waitFor();
      await clean(page, 'not found');
    });
  });

  test(`the widget host page (${colorScheme})`, async (t) => {
    const page = await signedInPage(browser, null, { colorScheme });
    await withArtifacts(t, page, async () => {
      await page.goto(`${APP_URL}/embed-demo.html`);
      await page.locator('#history-widget').getByText(/Showing 1–20/).waitFor();
      await page.locator('#contract-widget').getByRole('heading', { name: 'Your response' }).waitFor();
      // The widgets' own markup; the demo host's deliberately garish CSS is not the product.
      assert.deepEqual(await axeViolations(page, ['#history-widget', '#contract-widget']), []);
    });
  });
}
