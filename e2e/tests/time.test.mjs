// The response window follows the server's clock, ticks live, and closes the editor in place,
// even when the browser's clock is days off. The page clock is Playwright's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, fixture, responsesFor, APP_URL } from './browser.mjs';
import { ContractScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DAY = 86_400_000;

test('open at 27 d 23 h 58 m, closes live at the deadline, on server time with the browser 3 days ahead', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    // The deadline is 90 s from now on the server's clock.
    const endedAt = new Date(Date.now() - 28 * DAY + 90_000);
    const id = await fixture({ title: 'Closing soon', ended_at: endedAt.toISOString(), received_rating: 3, received_comment: 'Late delivery.' });
    // The browser believes it is three days later (its clock is wrong).
    await page.clock.install({ time: new Date(Date.now() + 3 * DAY) });
    const contract = await new ContractScreen(page).open(id);
    await page.getByText('1 minute left').waitFor();
    assert.equal(await contract.responseBox().isVisible(), true, 'the editor is open');
    await contract.responseBox().fill('Drafted just before the deadline.');
    await page.clock.runFor(60_000);
    await page.getByText('less than a minute left').waitFor();
    await page.clock.runFor(35_000);
    await page.getByText('The response period ended on').waitFor();
    assert.equal(await contract.responseBox().isVisible(), false, 'the editor closed in place');
    assert.equal(await page.getByLabel('Your unsent draft (you can still copy it)').inputValue(), 'Drafted just before the deadline.');
    assert.equal(responsesFor(id), 0);
  });
});

test('a contract that ended 26 days 23 hours ago shows the deadline and 1 day left', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await fixture({ title: 'One day left', ended_at: new Date(Date.now() - 27 * DAY + 3_600_000).toISOString(), received_rating: 5, received_comment: 'Great.' });
    await new ContractScreen(page).open(id);
    await page.getByText(/You can respond until/).waitFor();
    await page.getByText('1 day left').waitFor();
  });
});

// The deadline in the user's own zone, named; UTC beside it only where the two differ.
for (const [zone, names, withUtc] of [['Europe/Paris', /CES?T|GMT\+[12]/, true], ['America/New_York', /E[SD]T|GMT-[45]/, true], ['UTC', /UTC/, false]]) {
  test(`in ${zone} the deadline names the zone${withUtc ? ' and gives UTC beside it' : ' once'}`, async (t) => {
    const page = await signedInPage(browser, 'demo-alice', { timezoneId: zone });
    await withArtifacts(t, page, async () => {
      const id = await fixture({ title: `Zone ${zone}`, ended_at: new Date(Date.now() - 10 * DAY).toISOString(), received_rating: 5, received_comment: 'Great.' });
      await new ContractScreen(page).open(id);
      const deadline = (await page.locator('.fw-deadline strong').textContent()) ?? '';
      assert.match(deadline, names);
      assert.doesNotMatch(deadline, /your time/);
      assert.equal((deadline.match(/UTC/g) ?? []).length, 1, deadline);
      assert.equal(deadline.includes(' · '), withUtc, deadline);
      // Dates and times never break inside at 375 px: their spaces are non-breaking.
      const date = deadline.split(',')[0];
      assert.doesNotMatch(date, / /, `a breakable space in ${JSON.stringify(date)}`);
    });
  });
}
