// The freelancer's public work history, embedded by a host page on another origin next to a
// <contract-feedback>: a response posted in one appears in the other after a reload; zero axe
// violations in light, dark and Arabic; nothing wider than a 375 px phone; the standalone app
// links to it from a contract's details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, axeViolations, serveHostPages, HOST, APP_URL } from './browser.mjs';
import { ContractScreen } from './pages.mjs';

const hostPage = (params) => {
  const contract = params.get('contract');
  const locale = params.get('locale') ?? 'en';
  const scheme = params.get('scheme');
  return `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><title>Host</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="${APP_URL}/embed.js"></script></head><body><main><h1>A host's profile page</h1>
${contract ? `<contract-feedback api-base="${APP_URL}" token="demo-alice" contract-id="${contract}"></contract-feedback>` : ''}
<freelancer-work-history api-base="${APP_URL}" freelancer-id="${params.get('freelancer')}" locale="${locale}"${scheme ? ` color-scheme="${scheme}"` : ''}></freelancer-work-history>
</main></body></html>`;
};

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await serveHostPages((url) => ({ html: hostPage(url.searchParams) }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

/** A contract with a freelancer of its own; its id and the freelancer's. */
async function contractWithOwnFreelancer(extra = {}) {
  const name = `Profile ${Math.random().toString(36).slice(2, 8)}`;
  const id = await writtenFeedback(2, { freelancer_name: name, ...extra });
  const r = await fetch(`${APP_URL}/api/v1/contracts/${id}`, { headers: { Authorization: 'Bearer demo-alice' } });
  return { id, name, freelancer: (await r.json()).contract.freelancer_id };
}

const history = (page) => page.locator('freelancer-work-history');

test('a response posted in <contract-feedback> appears in <freelancer-work-history> after a reload', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    const { id, name, freelancer } = await contractWithOwnFreelancer();
    await page.addInitScript(() => {
      window.heard = [];
      addEventListener('DOMContentLoaded', () => {
        document.querySelector('freelancer-work-history')
          .addEventListener('ready', (e) => window.heard.push(e.type));
      });
    });
    await page.goto(`${HOST}/?contract=${id}&freelancer=${freelancer}`);
    await history(page).getByRole('heading', { level: 1, name: `Work history of ${name}` }).waitFor();
    await history(page).getByText('Solid work.').waitFor();
    assert.equal(await history(page).getByText('Response from the client').count(), 0);
    assert.deepEqual(await page.evaluate(() => window.heard), ['ready']);

    await new ContractScreen(page).respond('Thank you, noted from the host page.');
    await page.reload();
    await history(page).getByText('Thank you, noted from the host page.').waitFor();
    await history(page).getByText('Response from the client').waitFor();
    // The work history needs no token: it never sent one.
    const sent = [];
    page.on('request', (r) => { if (r.url().includes('/work-history')) sent.push(r.headers().authorization); });
    await page.reload();
    await history(page).getByText('Thank you, noted from the host page.').waitFor();
    assert.deepEqual(sent, [undefined]);
  });
});

for (const [locale, scheme, heading] of [['en', 'light', 'Work history of'], ['en', 'dark', 'Work history of'], ['ar', 'light', 'سجل أعمال'], ['ar', 'dark', 'سجل أعمال']]) {
  test(`the work history has zero axe violations (${locale}, ${scheme})`, async (t) => {
    const page = await signedInPage(browser, null, { colorScheme: scheme });
    await withArtifacts(t, page, async () => {
      const { freelancer } = await contractWithOwnFreelancer({ response: 'A response to read.' });
      await page.goto(`${HOST}/?freelancer=${freelancer}&locale=${locale}&scheme=${scheme}`);
      await history(page).getByRole('heading', { level: 1, name: new RegExp(heading) }).waitFor();
      await history(page).locator('.fw-work-item').waitFor();
      if (locale === 'ar') assert.equal(await history(page).locator('[dir=rtl]').count() > 0, true);
      assert.deepEqual(await axeViolations(page), [], `axe: ${locale} ${scheme}`);
    });
  });
}

test('on a 375 px phone nothing in the work history is wider than the screen', async (t) => {
  const page = await signedInPage(browser, null, { viewport: { width: 375, height: 800 } });
  await withArtifacts(t, page, async () => {
    const long = 'A very long response without many spaces: '.repeat(6) + 'x'.repeat(120);
    const { freelancer } = await contractWithOwnFreelancer({ response: long, title: 'A title '.repeat(12) });
    await page.goto(`${HOST}/?freelancer=${freelancer}`);
    await history(page).locator('.fw-work-item').waitFor();
    const overflow = await page.evaluate(() => {
      const root = document.querySelector('freelancer-work-history').shadowRoot;
      return [...root.querySelectorAll('*')]
        .map((el) => ({ el: el.className || el.tagName, right: el.getBoundingClientRect().right }))
        .filter((e) => e.right > window.innerWidth + 0.5);
    });
    assert.deepEqual(overflow, []);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  });
});

test('the standalone app links a contract to its freelancer\'s work history', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const { id, name } = await contractWithOwnFreelancer({ response: 'Shown on the profile.' });
    await new ContractScreen(page).open(id);
    await page.getByRole('link', { name: 'See where your response appears' }).click();
    await page.getByRole('heading', { level: 1, name: `Work history of ${name}` }).waitFor();
    await page.getByText('Shown on the profile.').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/freelancers\/\d+$/);
    assert.equal(await page.title(), `Work history of ${name}`);
  });
});
