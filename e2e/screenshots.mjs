// Screenshots of the main states for the README, from the real release build in headless
// Chromium. Run by `cargo xtask screenshots` (which builds the app and starts the server).
import { launch, signedInPage, APP_URL } from './tests/browser.mjs';

const out = process.env.SHOTS_DIR ?? '../docs/screenshots';
const browser = await launch();

async function fixture(body) {
  const r = await fetch(`${APP_URL}/api/test/contracts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-alice' },
    body: JSON.stringify(body),
  });
  return (await r.json()).id;
}

const day = 86_400_000;
const page = await signedInPage(browser, 'demo-alice', { viewport: { width: 1000, height: 900 } });

await page.goto(`${APP_URL}/contracts`);
await page.getByText(/Showing 1–20/).waitFor();
await page.screenshot({ path: `${out}/history.png` });

const id = await fixture({
  title: 'Brand refresh', freelancer_name: 'Jonas Weber', ended_at: new Date(Date.now() - 3 * day).toISOString(),
  received_rating: 3.5, received_comment: 'Requirements changed several times after sign-off, which stretched the timeline. Payment was on time.',
  given_rating: 4, given_comment: 'Good design work; a few deadlines slipped.',
});
await page.goto(`${APP_URL}/contracts/${id}?tab=details`);
await page.getByText('Before you write').waitFor();
await page.screenshot({ path: `${out}/details.png`, fullPage: true });

await page.getByRole('button', { name: 'Continue' }).click();
await page.locator('#fw-respond-error-summary').waitFor();
await page.screenshot({ path: `${out}/editor-errors.png` });

await page.getByLabel('Write your public response').fill('Thank you, Jonas. For the record, each change was agreed in writing and paid as an extra milestone.');
await page.getByRole('button', { name: 'Continue' }).click();
await page.getByRole('dialog').waitFor();
await page.screenshot({ path: `${out}/confirm.png` });
await page.getByRole('button', { name: 'Post response' }).click();
await page.getByText('Your response has been posted.').waitFor();
await page.screenshot({ path: `${out}/posted.png` });

await page.getByRole('button', { name: 'Report this feedback' }).click();
await page.getByRole('button', { name: 'Continue' }).click();
await page.locator('#fw-report-error-summary').waitFor();
await page.locator('#fw-report-form').screenshot({ path: `${out}/report.png` });

const closed = await fixture({
  title: 'Old contract', freelancer_name: 'Olivia Brown', ended_at: new Date(Date.now() - 40 * day).toISOString(),
  received_rating: 4, received_comment: 'Fine overall.',
});
await page.goto(`${APP_URL}/contracts/${closed}?tab=details`);
await page.getByText('The response period ended on').waitFor();
await page.locator('.fw-respond').screenshot({ path: `${out}/closed.png` });

const narrow = await signedInPage(browser, 'demo-alice', { viewport: { width: 320, height: 800 } });
await narrow.goto(`${APP_URL}/contracts/${id}?tab=details`);
await narrow.getByText('Responses can\'t be edited').waitFor();
await narrow.screenshot({ path: `${out}/narrow-320.png` });

// The dark palette (the system's preference; `auto` is the default).
const dark = await signedInPage(browser, 'demo-alice', { viewport: { width: 1000, height: 900 }, colorScheme: 'dark' });
await dark.goto(`${APP_URL}/contracts`);
await dark.getByText(/Showing 1–20/).waitFor();
await dark.screenshot({ path: `${out}/history-dark.png` });
const darkId = await fixture({
  title: 'Brand refresh', freelancer_name: 'Jonas Weber', ended_at: new Date(Date.now() - 3 * day).toISOString(),
  received_rating: 3.5, received_comment: 'Requirements changed several times after sign-off, which stretched the timeline. Payment was on time.',
  given_rating: 4, given_comment: 'Good design work; a few deadlines slipped.',
});
await dark.goto(`${APP_URL}/contracts/${darkId}?tab=details`);
await dark.getByText('Before you write').waitFor();
await dark.getByRole('button', { name: 'Continue' }).click();
await dark.locator('#fw-respond-error-summary').waitFor();
await dark.screenshot({ path: `${out}/details-dark.png` });

// Other languages: German, and Arabic laid out right to left.
async function inLocale(locale) {
  const p = await signedInPage(browser, 'demo-alice', { viewport: { width: 1000, height: 900 } });
  await p.context().addInitScript((l) => localStorage.setItem('feedback-widget:locale', l), locale);
  return p;
}
const german = await inLocale('de');
await german.goto(`${APP_URL}/contracts`);
await german.locator('.fw-result-count').waitFor();
await german.screenshot({ path: `${out}/history-de.png` });
const arabic = await inLocale('ar');
const arabicId = await fixture({
  title: 'تصميم الهوية البصرية', freelancer_name: 'ليلى حداد', ended_at: new Date(Date.now() - 3 * day).toISOString(),
  received_rating: 4.5, received_comment: 'تعاون ممتاز ووضوح في المتطلبات. تأخر الدفع قليلًا.',
  given_rating: 5, given_comment: 'عمل متقن وتسليم في الموعد.',
});
await arabic.goto(`${APP_URL}/contracts/${arabicId}?tab=details`);
await arabic.locator('#fw-response-text').waitFor();
await arabic.screenshot({ path: `${out}/details-ar.png` });

await browser.close();
console.log(`screenshots written to ${out}`);
