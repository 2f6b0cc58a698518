// The npm package as an integrator gets it: dist/npm packed by `npm pack`, installed from the
// tarball into a scratch project, and a small host written in strict TypeScript that mounts the
// widget, listens to its events and uses the elements in JSX compiles (`tsc --strict`); the
// same host with a misspelled option or a wrong attribute value does not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const npmDir = new URL('../../dist/npm/', import.meta.url).pathname;
const tsc = new URL('../node_modules/.bin/tsc', import.meta.url).pathname;
let project;

const HOST = `import { mount, type WidgetHandle, type MountOptions } from 'contract-feedback-widget';

const el = document.createElement('contract-feedback');
el.getToken = async () => 'token';
el.addEventListener('response-posted', (e) => console.log(e.detail.contractId.toFixed(0)));
el.addEventListener('report-status-changed', (e) => console.log(e.detail.status, e.detail.previous));
el.addEventListener('error', (e) => console.log(e.detail.code));
document.querySelector('freelancer-work-history')?.addEventListener('ready', () => {});

const options: MountOptions = { apiBase: 'https://api.example.com', getToken: () => 't', contractId: 5, locale: ['de', 'en'], colorScheme: 'dark' };
const handle: WidgetHandle = await mount(el, options);
handle.unmount();
await mount(document.body, { view: 'work-history', freelancerId: 7, apiBase: '' });
`;

const JSX = `import type {} from 'contract-feedback-widget';

export const Feedback = () => <contract-feedback api-base="https://api.example.com" contract-id={5} color-scheme="auto" />;
export const Profile = () => <freelancer-work-history api-base="https://api.example.com" freelancer-id="7" />;
`;

/** Compiles `files` in the scratch project; the compiler's exit status and output. */
function compile(files) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler',
      lib: ['es2022', 'dom'], jsx: 'preserve', skipLibCheck: false,
    },
    files: Object.keys(files),
  }));
  const r = spawnSync(tsc, ['-p', project], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

before(() => {
  assert.ok(existsSync(join(npmDir, 'package.json')), 'dist/npm/ (cargo xtask build writes it)');
  project = mkdtempSync(join(tmpdir(), 'fw-package-'));
  execFileSync('npm', ['pack', npmDir, '--pack-destination', project, '--silent'], { encoding: 'utf8' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(project, tarball)], { cwd: project, stdio: 'pipe' });
});

test('the packed package holds embed.js, its types and every file it loads', () => {
  const installed = join(project, 'node_modules', 'contract-feedback-widget');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.equal(manifest.exports['.'].types, './embed.d.ts');
  const embed = readFileSync(join(installed, 'embed.js'), 'utf8');
  for (const [, name] of embed.matchAll(/'\.\/([^']+\.(?:js|wasm|css))'/g)) {
    assert.ok(existsSync(join(installed, name)), `${name} is in the package`);
  }
  assert.ok(existsSync(join(installed, 'locales')), 'the catalogs');
  assert.ok(!readdirSync(installed).some((f) => f.endsWith('.br') || f.endsWith('.gz')));
});

test('a strict TypeScript host that mounts, listens and uses the elements in JSX compiles', () => {
  const r = compile({ 'host.ts': HOST, 'profile.tsx': JSX });
  assert.equal(r.status, 0, r.output);
});

test('a misspelled option, a wrong event field or attribute value fails to compile', () => {
  for (const [broken, expected] of [
    [HOST.replace('contractId: 5', 'contractID: 5'), /contractID/],
    [HOST.replace('e.detail.contractId.toFixed(0)', 'e.detail.contract.toFixed(0)'), /contract/],
    [HOST.replace("{ view: 'work-history', freelancerId: 7, apiBase: '' }", "{ view: 'work-history', apiBase: '' }"), /freelancerId/],
  ]) {
    const r = compile({ 'host.ts': broken });
    assert.notEqual(r.status, 0, `compiled: ${broken.slice(0, 80)}`);
    assert.match(r.output, expected);
  }
  const r = compile({ 'profile.tsx': JSX.replace('color-scheme="auto"', 'color-scheme="blue"') });
  assert.notEqual(r.status, 0);
  assert.match(r.output, /blue/);
});
