// The widget in other languages: Arabic (right to left) and Japanese with zero axe violations
// in both colour schemes; the language switcher that persists; a host page's `locale`
// attribute; the catalogs served hashed and immutable; and the pseudo-locale (accented, ~40 %
// longer) at 375 px with nothing cut off or overlapping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  launch, signedInPage, withArtifacts, writtenFeedback, axeViolations, serveHostPages, HOST, APP_URL,
} from './browser.mjs';

let browser;
let host;
before(async () => {
  browser = await launch();
  host = await serveHostPages((url) => ({
    html: url.pathname === '/own-words' ? ownWordsPage(url.searchParams.get('locale')) : `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${APP_URL}/embed.js"></script></head><body><main><h1>Host</h1>
<contract-feedback api-base="${APP_URL}" token="demo-alice" locale="${url.searchParams.get('locale')}"></contract-feedback>
</main></body></html>`,
  }));
});
after(async () => {
  await browser?.close();
  await host?.close();
});

/** A signed-in page whose standalone app starts in `locale` (the switcher's stored choice). */
async function pageIn(locale, options = {}) {
  const page = await signedInPage(browser, 'demo-alice', options);
  await page.context().addInitScript((l) => localStorage.setItem('feedback-widget:locale', l), locale);
  return page;
}

for (const [locale, dir, title, details] of [
  ['ar', 'rtl', 'سجل العقود', 'تفاصيل العقد'],
  ['ja', 'ltr', '契約履歴', '契約の詳細'],
]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`${locale}: the history and a contract's details, zero axe violations (${colorScheme})`, async (t) => {
      const page = await pageIn(locale, { colorScheme });
      await withArtifacts(t, page, async () => {
        await page.goto(`${APP_URL}/contracts`);
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        assert.equal(await page.locator('html').getAttribute('lang'), locale);
        assert.equal(await page.locator('html').getAttribute('dir'), dir);
        await page.locator('.fw-result-count').waitFor();
        assert.deepEqual(await axeViolations(page), [], `axe: ${locale} history (${colorScheme})`);
        const id = await writtenFeedback(3, { report_status: 'under_review' });
        await page.goto(`${APP_URL}/contracts/${id}?tab=details`);
        await page.getByRole('tab', { name: details, selected: true }).waitFor();
        await page.locator('.fw-timeline').waitFor();
        assert.deepEqual(await axeViolations(page), [], `axe: ${locale} details (${colorScheme})`);
        // The quote's bar stands where the page's lines start (on the right in Arabic), while
        // the English feedback inside keeps its own direction: it starts at the left.
        const quote = await page.locator('.fw-quote').first().evaluate((el) => {
          const s = getComputedStyle(el);
          const range = document.createRange();
          range.selectNodeContents(el);
          return {
            left: s.borderLeftWidth,
            right: s.borderRightWidth,
            textFromLeft: range.getBoundingClientRect().left - el.getBoundingClientRect().left < 40,
          };
        });
        // 4.5 stars: four full, then an empty one with a full one over its first half, drawn by
        // CSS from glyphs every font has (U+2BEA, a half star, showed as a box); in Arabic the
        // row is mirrored, so it fills from the right.
        const stars = await page.locator('.fw-stars-glyphs').first().evaluate((el) => {
          const half = el.querySelector('.fw-star-half');
          const over = getComputedStyle(half, '::before');
          return {
            glyphs: el.textContent,
            over: over.content,
            halfWidth: Math.abs(parseFloat(over.width) - half.getBoundingClientRect().width / 2) < 2,
            mirrored: getComputedStyle(el).transform.startsWith('matrix(-1'),
          };
        });
        assert.deepEqual(stars, { glyphs: '★★★★☆', over: '"★"', halfWidth: true, mirrored: dir === 'rtl' });
        assert.deepEqual(quote, dir === 'rtl'
          ? { left: '0px', right: '4px', textFromLeft: true }
          : { left: '4px', right: '0px', textFromLeft: true });
        // Nothing English inside the page's own text (names and titles come from the data).
        const text = await page.locator('main').innerText();
        for (const english of ['Contract details', 'Your response', 'Report this feedback', 'days left']) {
          assert.ok(!text.includes(english), `${english} in ${locale}: ${text}`);
        }
        assert.deepEqual(page.problems, []);
      });
    });
  }
}

test('the language switcher changes the language and it stays chosen', async (t) => {
  const page = await signedInPage(browser, 'demo-alice', { locale: 'en-US' });
  await withArtifacts(t, page, async () => {
    const catalogs = [];
    page.on('response', (r) => { if (r.url().includes('/locales/')) catalogs.push(r); });
    await page.goto(`${APP_URL}/contracts`);
    await page.getByRole('heading', { level: 1, name: 'Contract history' }).waitFor();
    await Promise.all([
      page.waitForEvent('load'),
      page.getByLabel('Language').selectOption('de'),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Auftragsverlauf' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Auftragsverlauf' }).waitFor();
    assert.equal(await page.getByLabel('Sprache').inputValue(), 'de');
    // The catalog is a content-hashed file, cached for a year.
    const [first] = catalogs;
    assert.match(new URL(first.url()).pathname, /^\/locales\/de-[0-9a-f]{16}\.json$/);
    assert.match(first.headers()['cache-control'], /immutable/);
  });
});

test('the static shell is in the page\'s language before the wasm arrives', async (t) => {
  // (`en-US` matches by language: English, not the pseudo-locale `en-XA`, also an `en` tag.)
  for (const [locale, lang, text, dir] of [
    ['de', 'de', 'Ihre Aufträge werden geladen …', 'ltr'],
    ['ar', 'ar', 'جارٍ تحميل عقودك…', 'rtl'],
    ['en-US', 'en', 'Loading your contracts…', 'ltr'],
  ]) {
    const page = await pageIn(locale);
    await withArtifacts(t, page, async () => {
      await page.route('**/*_bg.wasm', () => {}); // never answered: the shell stays on screen
      await page.goto(`${APP_URL}/contracts`, { waitUntil: 'domcontentloaded' });
      await page.locator('.fw-shell').getByText(text).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      assert.equal(await page.locator('html').getAttribute('dir'), dir);
      assert.deepEqual(await page.evaluate(() => window.__csp), [], 'the script is allowed by the CSP');
    });
    await page.close();
  }
});

test('the browser languages choose the language when nothing was chosen', async (t) => {
  const page = await signedInPage(browser, 'demo-alice', { locale: 'fr-CA' });
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/contracts`);
    await page.getByRole('heading', { level: 1, name: 'Historique des contrats' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  });
});

test('a host page sets the widget\'s language with the locale attribute', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    await page.goto(`${HOST}/?locale=ja`);
    const widget = page.locator('contract-feedback');
    await widget.getByRole('heading', { name: '契約履歴' }).waitFor();
    assert.equal(await widget.locator('div[lang]').first().getAttribute('lang'), 'ja');
    await page.goto(`${HOST}/?locale=ar-EG`);
    await widget.getByRole('heading', { name: 'سجل العقود' }).waitFor();
    assert.equal(await widget.locator('div[lang]').first().getAttribute('dir'), 'rtl');
    // Changed on the shown widget, the attribute takes effect: German, left to right.
    await page.locator('contract-feedback').evaluate((el) => el.setAttribute('locale', 'de'));
    await widget.getByRole('heading', { name: 'Auftragsverlauf' }).waitFor();
    assert.equal(await widget.locator('div[lang]').first().getAttribute('dir'), 'ltr');
    assert.equal(await widget.locator('div[lang]').count(), 1, 'one widget, not two');
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
  });
});

/** A host page that mounts the widget from JavaScript with its own wording for two messages. */
function ownWordsPage(locale) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>
<body><main><h1>Host</h1><div id="w"></div></main><script type="module">
import { mount } from '${APP_URL}/embed.js';
await mount(document.getElementById('w'), {
  apiBase: '${APP_URL}', token: 'demo-alice', locale: '${locale}',
  messages: { 'history.title': 'Your hires, your words', 'history.search': 'Find a hire' },
});
</script></body></html>`;
}

// The widget carries no message names: a host's messages by key are read with the list of keys,
// fetched beside the catalogs (hashed and immutable like them).
test('a host page\'s own messages, given by key, replace the widget\'s; the rest stay in English', async (t) => {
  const page = await signedInPage(browser, null);
  await withArtifacts(t, page, async () => {
    const keyLists = [];
    page.on('response', (r) => { if (/\/locales\/keys-[0-9a-f]{16}\.json$/.test(r.url())) keyLists.push(r); });
    await page.goto(`${HOST}/own-words?locale=en`);
    const widget = page.locator('#w');
    await widget.getByRole('heading', { level: 1, name: 'Your hires, your words' }).waitFor();
    await widget.getByLabel('Find a hire').waitFor();
    await widget.getByText(/Showing 1–\d+ of [\d,]+ contracts/).waitFor();
    assert.equal(keyLists.length, 1, 'the list of keys was fetched once');
    assert.match(keyLists[0].headers()['cache-control'] ?? '', /immutable/);
  });
});

/** Elements whose text is cut off, and pairs of controls that overlap. */
function layoutProblems() {
  const problems = [];
  const root = document.querySelector('.fw-app:not(.fw-shell)');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  }
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const e of root.querySelectorAll('*')) {
    if (!visible(e)) continue;
    const s = getComputedStyle(e);
    const clips = ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
    if (clips && e.scrollWidth > e.clientWidth + 1 && !e.classList.contains('fw-sr-only')) {
      problems.push(`cut off: ${e.tagName}.${e.className} "${e.textContent.slice(0, 40)}"`);
    }
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 || r.left < -1) {
      if (!e.closest('.fw-sr-only, .fw-skip')) problems.push(`outside the screen: ${e.tagName}.${e.className}`);
    }
  }
  const controls = [...root.querySelectorAll('a, button, input, select, textarea, label, .fw-badge, [role=tab]')]
    .filter((e) => visible(e) && !e.closest('.fw-sr-only, .fw-skip, dialog:not([open])'));
  for (let i = 0; i < controls.length; i += 1) {
    for (let j = i + 1; j < controls.length; j += 1) {
      const [a, b] = [controls[i], controls[j]];
      if (a.contains(b) || b.contains(a)) continue;
      const [p, q] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
      const overlap = Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
        && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
      if (overlap) problems.push(`overlap: ${a.tagName} "${a.textContent.slice(0, 30)}" / ${b.tagName} "${b.textContent.slice(0, 30)}"`);
    }
  }
  return problems;
}

test('the pseudo-locale (~40 % longer) at 375 px: nothing cut off, nothing overlapping', async (t) => {
  const page = await pageIn('en-XA', { viewport: { width: 375, height: 800 } });
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/contracts`);
    await page.locator('.fw-result-count').waitFor();
    assert.match(await page.locator('h1').innerText(), /^\[Çǿŋ|^\[/);
    assert.deepEqual(await page.evaluate(layoutProblems), [], 'history');
    const id = await writtenFeedback(3);
    await page.goto(`${APP_URL}/contracts/${id}?tab=details`);
    await page.locator('#fw-response-text').waitFor();
    assert.deepEqual(await page.evaluate(layoutProblems), [], 'details');
    await page.locator('#fw-panel-details button[aria-controls=fw-report-form]').click();
    assert.deepEqual(await page.evaluate(layoutProblems), [], 'report form');
  });
});

// The wasm reads each served catalog by message number (build.rs numbers them; the served files
// are its texts in that order). In every locale, messages far apart in that order show their
// own texts — a served file in another order would put other messages in their place.
test('every served catalog follows the wasm\'s numbering of the messages', async (t) => {
  const dir = new URL('../../locales/', import.meta.url);
  const tags = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'en.json').map((f) => f.slice(0, -5));
  assert.ok(tags.length >= 6, `locales: ${tags}`);
  for (const tag of tags) {
    const source = JSON.parse(readFileSync(new URL(`${tag}.json`, dir), 'utf8'));
    const page = await pageIn(tag);
    await withArtifacts(t, page, async () => {
      await page.goto(`${APP_URL}/contracts`);
      await page.locator('.fw-result-count').waitFor();
      const shown = await page.evaluate(() => ({
        title: document.querySelector('h1').textContent,
        search: document.querySelector('label[for=fw-q]').textContent,
        sort: document.querySelector('label[for=fw-sort]').textContent,
        next: document.querySelector('a[rel=next]')?.textContent,
      }));
      assert.equal(shown.title, source['history.title'], tag);
      assert.equal(shown.search, source['history.search'], tag);
      assert.equal(shown.sort, source['history.sort'], tag);
      assert.ok(shown.next?.includes(source['pager.next']), `${tag}: ${shown.next}`);
    });
    await page.close();
  }
});
