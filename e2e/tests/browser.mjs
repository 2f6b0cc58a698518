// Shared launch options for Debian's Chromium (Playwright's own browser download can't work here).
import { chromium } from 'playwright-core';

export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8787';

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
  await context.addInitScript((t) => sessionStorage.setItem('feedback-widget:token', t), token);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(m.text()); });
  page.on('pageerror', (e) => page.problems.push(e.message));
  return page;
}
