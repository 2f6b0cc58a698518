// The OpenAPI document as integrators use it: a TypeScript client generated from the served
// document (`openapi-typescript`) compiles under `tsc --strict` against the shapes the widget
// reads, and a field the API does not have does not compile.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_URL } from './browser.mjs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
let dir;

// What the widget reads of each answer (src/api.rs and the pages), written against the
// generated types.
const USES = `import type { components, paths } from './api';
type S = components['schemas'];

export function history(p: S['ContractPage']): string {
  const row = p.items[0];
  return [p.total, p.page, p.per_page, p.server_now, row.id, row.title, row.freelancer_id,
    row.freelancer_name, row.started_at, row.ended_at ?? '', row.status,
    row.received?.rating, row.received?.has_comment, row.received?.responded, row.received?.report_status].join();
}
export function details(d: S['ContractDetails']): string {
  return [d.contract.id, d.description, d.server_now, d.response_window?.closes_at, d.response_window?.open,
    d.received?.id, d.received?.rating, d.received?.comment, d.received?.created_at, d.received?.removed_at,
    d.received?.response?.text, d.received?.response?.created_at, d.received?.report?.category,
    d.received?.report?.status, d.received?.report?.history?.[0]?.reason, d.given?.removal_request?.status].join();
}
export function workHistory(w: S['WorkHistoryPage']): string {
  const i = w.items[0];
  return [w.freelancer_id, w.freelancer_name, w.total, i.title, i.ended_at, i.client_name, i.rating, i.comment, i.response?.text].join();
}
export function problem(p: S['Problem']): string {
  return [p.type, p.title, p.status, p.detail, JSON.stringify(p.error_codes)].join();
}
export const report: S['NewReport'] = { category: 'fraud', description: 'Evidence attached.', evidence: ['https://example.com/a'] };
export const response: S['NewResponse'] = { text: 'Thanks.' };
type Listed = paths['/api/v1/contracts']['get']['responses'][200]['content']['application/json'];
export const same = (p: Listed): S['ContractPage'] => p;
`;

function compile(text) {
  writeFileSync(join(dir, 'uses.ts'), text);
  const r = spawnSync(bin('tsc'), ['--strict', '--noEmit', '--target', 'es2022', '--module', 'es2022',
    '--moduleResolution', 'bundler', join(dir, 'uses.ts')], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-openapi-'));
  execFileSync(bin('openapi-typescript'), [`${APP_URL}/api/openapi.json`, '-o', join(dir, 'api.d.ts')], { stdio: 'pipe' });
});

test('a client generated from the OpenAPI document compiles strictly against what the widget reads', () => {
  const r = compile(USES);
  assert.equal(r.status, 0, r.output);
});

test('a field the API does not have, or a wrong category, does not compile against it', () => {
  for (const [broken, expected] of [
    [USES.replace('row.freelancer_name', 'row.freelancer_nickname'), /freelancer_nickname/],
    [USES.replace("category: 'fraud'", "category: 'spam'"), /spam/],
    [USES.replace('i.client_name', 'i.client_id'), /client_id/],
  ]) {
    const r = compile(broken);
    assert.notEqual(r.status, 0, 'compiled');
    assert.match(r.output, expected);
  }
});
