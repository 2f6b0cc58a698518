// The wasm in several modules (build/split.mjs, src/split.rs): a page fetches only the chunks
// it needs; a chunk's failed fetch is retried; one that can't be fetched at all gives the
// crash screen, not a dead page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedInPage, withArtifacts, writtenFeedback, APP_URL } from './browser.mjs';
import { HistoryScreen, ContractScreen } from './pages.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CONSOLE_CHUNK = /\/split_console-[0-9a-f]{16}\.wasm$/;
const PAGE_CHUNK = /\/split_page-[0-9a-f]{16}\.wasm$/;
const WASM = /\.wasm$/;

/** The wasm files `page` asked for, by path. */
function wasmRequests(page) {
  const paths = [];
  page.on('request', (r) => { if (WASM.test(new URL(r.url()).pathname)) paths.push(new URL(r.url()).pathname); });
  return paths;
}

/** A moderator's page; the chunk's first `failures` fetches fail (`Infinity`: all). */
async function consoleWithFailures(failures) {
  const page = await signedInPage(browser, null);
  await page.context().addInitScript(() => sessionStorage.setItem('feedback-widget:moderator-token', 'demo-moderator'));
  const attempts = { count: 0 };
  await page.route(CONSOLE_CHUNK, (route) => {
    attempts.count += 1;
    return attempts.count <= failures ? route.abort('internetdisconnected') : route.continue();
  });
  return { page, attempts };
}

test("a client's pages never fetch the moderation console's chunk", async (t) => {
  const page = await signedInPage(browser);
  const fetched = wasmRequests(page);
  await withArtifacts(t, page, async () => {
    const history = new HistoryScreen(page);
    await history.open();
    await history.rows().first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(fetched.some((p) => /^\/feedback-widget-[0-9a-f]{16}_bg\.wasm$/.test(p)), `main module in ${fetched}`);
    assert.ok(!fetched.some((p) => CONSOLE_CHUNK.test(p)), `no console chunk in ${fetched}`);
  });
});

test('the console comes from its own chunk, served immutable and compressed', async (t) => {
  const { page, attempts } = await consoleWithFailures(0);
  await withArtifacts(t, page, async () => {
    const answer = page.waitForResponse((r) => CONSOLE_CHUNK.test(new URL(r.url()).pathname));
    await page.goto(`${APP_URL}/moderation`);
    const res = await answer;
    await page.getByRole('heading', { level: 1, name: 'Moderation console' }).waitFor();
    assert.equal(attempts.count, 1);
    assert.equal(res.headers()['content-type'], 'application/wasm');
    assert.match(res.headers()['cache-control'], /immutable/);
    assert.match(res.headers()['content-encoding'] ?? '', /^(br|gzip)$/);
    assert.deepEqual(page.problems, []);
  });
});

test("a chunk's failed fetch is retried, and the screen comes once it arrives", async (t) => {
  const { page, attempts } = await consoleWithFailures(2);
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/moderation`);
    await page.getByRole('heading', { level: 1, name: 'Moderation console' }).waitFor({ timeout: 20_000 });
    assert.equal(attempts.count, 3, 'two failures, then the fetch that worked');
    assert.equal(await page.getByRole('alert').filter({ hasText: 'Something went wrong' }).count(), 0);
  });
});

test("a chunk that can't be fetched gives the crash screen with its Reload button", async (t) => {
  const { page, attempts } = await consoleWithFailures(Infinity);
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/moderation`);
    const alert = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await alert.waitFor({ timeout: 30_000 });
    assert.equal(attempts.count, 4, 'the first try and three retries');
    await alert.getByRole('button', { name: 'Reload' }).waitFor();
  });
});

test('when a chunk never arrives, the response being written is kept for the reload', async (t) => {
  const page = await signedInPage(browser);
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    const contract = await new ContractScreen(page).open(id);
    const text = 'Thank you for the kind words; the payments are on time now.';
    await contract.responseBox().fill(text);
    // Back later on a network that drops one of the page's chunks (routing also bypasses the
    // browser's cache, so the chunk is asked for again).
    let attempts = 0;
    await page.route(PAGE_CHUNK, (route) => { attempts += 1; return route.abort('internetdisconnected'); });
    await page.reload();
    const alert = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await alert.waitFor({ timeout: 30_000 });
    assert.ok(attempts >= 4, `the page chunk was tried ${attempts} times`);
    assert.match(await alert.textContent(), /saved on this device/);
    // The network is back: Reload, and the response is still there.
    await page.unroute(PAGE_CHUNK);
    await alert.getByRole('button', { name: 'Reload' }).click();
    await contract.responseBox().waitFor();
    assert.equal(await contract.responseBox().inputValue(), text);
    await page.getByRole('heading', { level: 3, name: 'Report this feedback' }).waitFor();
  });
});

test("a chunk whose bytes aren't the build's is refused (the loader fetches with each chunk's integrity)", async (t) => {
  const { page } = await consoleWithFailures(0);
  await page.unroute(CONSOLE_CHUNK);
  let served = 0;
  // A valid, empty wasm module: it would instantiate, were its integrity not checked.
  const EMPTY_MODULE = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  await page.route(CONSOLE_CHUNK, (route) => {
    served += 1;
    return route.fulfill({ status: 200, contentType: 'application/wasm', headers: { 'Access-Control-Allow-Origin': '*' }, body: EMPTY_MODULE });
  });
  await withArtifacts(t, page, async () => {
    await page.goto(`${APP_URL}/moderation`);
    await page.getByRole('alert').filter({ hasText: 'Something went wrong' }).waitFor({ timeout: 30_000 });
    assert.equal(served, 4, 'refused each time, so tried again');
    assert.ok(page.log.some((l) => /integrity/i.test(l)), 'the browser says why');
  });
});

test("a contract page's chunks are fetched beside the main module, once each", async (t) => {
  const page = await signedInPage(browser);
  const events = [];
  page.on('request', (r) => events.push(`request ${new URL(r.url()).pathname}`));
  page.on('requestfinished', (r) => events.push(`finished ${new URL(r.url()).pathname}`));
  await withArtifacts(t, page, async () => {
    const id = await writtenFeedback(3);
    await new ContractScreen(page).open(id);
    await page.waitForLoadState('networkidle');
    const pageChunk = events.filter((e) => e.startsWith('request ') && PAGE_CHUNK.test(e));
    assert.equal(pageChunk.length, 1, `one request for the page's chunk: ${events.join('\n')}`);
    const mainDone = events.findIndex((e) => /^finished \/feedback-widget-[0-9a-f]{16}_bg\.wasm$/.test(e));
    assert.ok(events.indexOf(pageChunk[0]) < mainDone, `asked for before the main module arrived: ${events.join('\n')}`);
    assert.deepEqual(page.problems, []);
  });
});
