// Every host event, from a host page on another origin: `ready`, `contract-opened`,
// `removal-requested`, `report-status-changed` (a moderator moved the report while the page
// was closed), `error` with the problem's code — and the report's timeline a moderator's
// changes build, in both colour schemes with zero axe violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedInPage, withArtifacts, writtenFeedback, serveHostPages, moderate, axeViolations,
  HOST, APP_URL,
} from './browser.mjs';

const EVENTS = ['ready', 'contract-opened', 'response-posted', 'report-submitted',
  'removal-requested', 'report-status-changed', 'error'];

const page = (contractId) => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Host events</title>
<script>
  window.__events = [];
  for (const name of ${JSON.stringify(EVENTS)}) {
    document.addEventListener(name, (e) => {
      if (e instanceof CustomEvent) window.__events.push({ name, detail: e.detail });
    });
  }
</script>
<script type="module" src="${APP_URL}/embed.js"></script></head>
<body><main><h1>Host events</h1>
<contract-feedback api-base="${APP_URL}" token="demo-alice" contract-id="${contractId}"></contract-feedback>
</main></body></html>`;

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await serveHostPages((url) => ({ html: page(url.searchParams.get('contract')) }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

const events = (p) => p.evaluate(() => window.__events);
const named = async (p, name) => (await events(p)).filter((e) => e.name === name);
async function eventually(p, name, count = 1) {
  for (let i = 0; i < 100; i += 1) {
    const got = await named(p, name);
    if (got.length >= count) return got;
    await p.waitForTimeout(50);
  }
  assert.fail(`no ${name} event; got ${JSON.stringify(await events(p))}`);
}

test('a host page hears ready, contract-opened, removal-requested and report-status-changed', async (t) => {
  const p = await signedInPage(browser, null);
  await withArtifacts(t, p, async () => {
    const title = `Events ${Math.random().toString(36).slice(2, 8)}`;
    const id = await writtenFeedback(3, { title, report_status: 'submitted' });
    await p.goto(`${HOST}/?contract=${id}`);
    const widget = p.locator('contract-feedback');
    await widget.getByRole('heading', { name: title }).waitFor();
    assert.deepEqual(await eventually(p, 'ready'), [{ name: 'ready', detail: {} }]);
    assert.deepEqual(await eventually(p, 'contract-opened'), [{ name: 'contract-opened', detail: { contractId: id, title } }]);
    // The first sight of a report is not a change.
    assert.deepEqual(await named(p, 'report-status-changed'), []);

    await widget.getByRole('tab', { name: 'Contract details' }).click();
    await widget.getByRole('button', { name: 'Request removal' }).click();
    await widget.getByRole('dialog', { name: 'Ask to remove your feedback?' })
      .getByRole('button', { name: 'Request removal' }).click();
    await widget.getByText('Your removal request has been sent.').waitFor();
    assert.deepEqual(await eventually(p, 'removal-requested'), [{ name: 'removal-requested', detail: { contractId: id } }]);
    // Fetched again after the send: still the same contract, not opened again.
    assert.equal((await named(p, 'contract-opened')).length, 1);

    // A moderator moves the report while the page is closed; the next visit says so.
    await moderate(id, 'report', 'under_review', 'A moderator is reading the messages.');
    await p.goto(`${HOST}/?contract=${id}`);
    assert.deepEqual(await eventually(p, 'report-status-changed'), [{
      name: 'report-status-changed',
      detail: { contractId: id, status: 'under_review', previous: 'submitted' },
    }]);
    assert.deepEqual(await named(p, 'ready'), [{ name: 'ready', detail: {} }]);
    assert.deepEqual(p.problems, []);
  });
});

test('a host page hears report-submitted when a report is sent', async (t) => {
  const p = await signedInPage(browser, null);
  await withArtifacts(t, p, async () => {
    const id = await writtenFeedback(3);
    await p.goto(`${HOST}/?contract=${id}`);
    const widget = p.locator('contract-feedback');
    await widget.getByRole('button', { name: 'Report this feedback' }).click();
    await widget.getByLabel('Fraud').check();
    await widget.getByLabel('Describe what happened').fill('The account was closed for confirmed payment fraud last week.');
    await widget.locator('#fw-report-form').getByRole('button', { name: 'Continue' }).click();
    await widget.getByRole('dialog', { name: 'Send this report?' }).getByRole('button', { name: 'Send report' }).click();
    await widget.getByText('Your report has been sent.').waitFor();
    assert.deepEqual(await eventually(p, 'report-submitted'), [{ name: 'report-submitted', detail: { contractId: id } }]);
    assert.deepEqual(await named(p, 'error'), []);
  });
});

test('every error event carries the problem code', async (t) => {
  const p = await signedInPage(browser, null);
  await withArtifacts(t, p, async () => {
    await p.goto(`${HOST}/?contract=999999999`);
    await p.locator('contract-feedback').getByRole('heading', { name: 'Contract not found' }).waitFor();
    const [error] = await eventually(p, 'error');
    assert.equal(error.detail.code, 'not-found');
    assert.match(error.detail.message, /couldn't find that contract/);
    // The failure is the first content: the widget is ready all the same.
    assert.equal((await eventually(p, 'ready')).length, 1);
  });
});

for (const colorScheme of ['light', 'dark']) {
  test(`a report's timeline shows each moderator step with its reason; removed feedback shows its date (${colorScheme})`, async (t) => {
    const p = await signedInPage(browser, 'demo-alice', { colorScheme });
    await withArtifacts(t, p, async () => {
      const id = await writtenFeedback(3, { report_status: 'submitted' });
      await moderate(id, 'report', 'under_review', 'Checking the contract messages.');
      await moderate(id, 'report', 'removed', 'The comment <b>insults</b> the client.');
      await p.goto(`${APP_URL}/contracts/${id}?tab=details`);
      const timeline = p.getByRole('list', { name: 'Report history' });
      await timeline.waitFor();
      const steps = timeline.getByRole('listitem');
      assert.equal(await steps.count(), 3);
      assert.match(await steps.nth(0).innerText(), /Report sent/);
      assert.match(await steps.nth(1).innerText(), /Under review[\s\S]*Checking the contract messages\./);
      // The reason is text, never markup.
      assert.match(await steps.nth(2).innerText(), /Feedback removed[\s\S]*The comment <b>insults<\/b> the client\./);
      assert.equal(await steps.nth(2).getAttribute('aria-current'), 'step');
      await p.getByText(/^Removed on .* after your report\./).waitFor();
      // Nothing left to answer on removed feedback.
      await p.getByText('This feedback was removed, so there is nothing to respond to.').waitFor();
      assert.equal(await p.getByLabel('Write your public response').count(), 0);
      assert.deepEqual(await axeViolations(p), [], `axe violations (${colorScheme})`);
    });
  });
}

test('a removal request shows its decision in a timeline; removed given feedback shows its date', async (t) => {
  const p = await signedInPage(browser, 'demo-alice');
  await withArtifacts(t, p, async () => {
    const declined = await writtenFeedback(3, { removal_status: 'requested' });
    const removed = await writtenFeedback(3, { removal_status: 'requested' });
    await moderate(declined, 'removal-request', 'declined', 'The feedback is accurate.');
    await moderate(removed, 'removal-request', 'removed', 'Removed as you asked.');
    await p.goto(`${APP_URL}/contracts/${declined}?tab=details`);
    const timeline = p.getByRole('list', { name: 'Removal request history' });
    await timeline.waitFor();
    assert.equal(await timeline.getByRole('listitem').count(), 2);
    assert.match(await timeline.getByRole('listitem').nth(1).innerText(), /Request declined[\s\S]*The feedback is accurate\./);
    await p.getByText('a moderator decided it stays').waitFor();
    await p.getByText('Solid work.').waitFor();
    assert.deepEqual(await axeViolations(p), []);

    await p.goto(`${APP_URL}/contracts/${removed}?tab=details`);
    await p.getByText(/^Removed on .*It no longer appears on the freelancer's profile\./).waitFor();
    assert.equal(await p.getByText('Solid work.').count(), 0);
    assert.match(await p.getByRole('list', { name: 'Removal request history' }).innerText(), /Feedback removed/);
  });
});
