// Shared helpers for the browser suite: Debian's Chromium (Playwright's own browser download
// can't work here), signed-in pages that record console errors and CSP violations, fixtures
// through the test API, row counts straight from the SQLite file, and failure artifacts.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';

export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8787';
export const APP_DB = process.env.APP_DB;
/** The port host pages are served from (the server's CORS allowlist names its origin). */
export const HOST_PORT = Number(process.env.HOST_PORT ?? 18950);
export const HOST = `http://127.0.0.1:${HOST_PORT}`;

/**
 * A host page server on HOST_PORT: `page(url)` gives the HTML and its extra headers. Resolves
 * once listening; a port already taken fails the run at once instead of waiting forever.
 */
export async function serveHostPages(page) {
  const server = createServer((req, res) => {
    const { html, headers = {} } = page(new URL(req.url, HOST));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
    res.end(html);
  });
  await new Promise((r, fail) => server.once('error', fail).listen(HOST_PORT, '127.0.0.1', r));
  return { close: () => new Promise((r) => server.close(r)) };
}

const RESULTS = new URL('../test-results/', import.meta.url).pathname;

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

/** A page signed in as `token`, collecting console errors and CSP violations. */
export async function signedInPage(browser, token = 'demo-alice', options = {}) {
  const context = await browser.newContext(options);
  if (token) await context.addInitScript((t) => sessionStorage.setItem('feedback-widget:token', t), token);
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.alert = () => { window.__alerted = true; };
  });
  const page = await context.newPage();
  page.problems = [];
  page.log = [];
  page.on('console', (m) => {
    page.log.push(`${m.type()}: ${m.text()}`);
    // Chromium's note about `integrity` on preload links is about the browser, not the app.
    if (m.type() === 'error') page.problems.push(m.text());
  });
  page.on('pageerror', (e) => { page.log.push(`pageerror: ${e.message}`); page.problems.push(e.message); });
  return page;
}

/** Runs `body`; on failure saves a screenshot and the console log under e2e/test-results/. */
export async function withArtifacts(t, page, body) {
  try {
    await body();
  } catch (e) {
    mkdirSync(RESULTS, { recursive: true });
    const name = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    await page.screenshot({ path: `${RESULTS}${name}.png`, fullPage: true }).catch(() => {});
    writeFileSync(`${RESULTS}${name}.console.txt`, page.log.join('\n'));
    throw e;
  }
}

const DAY = 86_400_000;
export const daysAgo = (d) => new Date(Date.now() - d * DAY).toISOString();

/** Creates a contract for `token` through the server's test-fixture endpoint. */
export async function fixture(body, token = 'demo-alice') {
  const r = await fetch(`${APP_URL}/api/test/contracts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ freelancer_name: 'Test Freelancer', ...body }),
  });
  if (!r.ok) throw new Error(`fixture: ${r.status} ${await r.text()}`);
  return (await r.json()).id;
}

export const writtenFeedback = (days, extra = {}) => fixture({
  title: extra.title ?? `E2E contract ${Math.random().toString(36).slice(2, 8)}`,
  ended_at: daysAgo(days),
  received_rating: 4.5,
  received_comment: 'Clear brief, slow payments.',
  given_rating: 4,
  given_comment: 'Solid work.',
  ...extra,
});

/**
 * A moderator's status change through the moderator API, sent server-side as a back office
 * would (no Origin header). `what`: `report` or `removal-request`.
 */
export async function moderate(contractId, what, status, reason) {
  const r = await fetch(`${APP_URL}/api/v1/moderation/contracts/${contractId}/${what}/status`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-moderator' },
    body: JSON.stringify({ status, reason }),
  });
  if (!r.ok) throw new Error(`moderate: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A count straight from the SQLite file (python3's sqlite3: no native npm module needed). */
export function dbCount(sql, ...params) {
  const out = execFileSync('python3', ['-c',
    'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()[0])',
    APP_DB, sql, JSON.stringify(params)]);
  return Number(out.toString().trim());
}

export const responsesFor = (contractId) => dbCount(
  'SELECT COUNT(*) FROM responses r JOIN received_feedback f ON f.id = r.feedback_id WHERE f.contract_id = ?', contractId);

/** axe-core with the WCAG 2.0/2.1 A and AA rules; returns readable violations. */
export async function axeViolations(page, include) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
