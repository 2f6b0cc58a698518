// Trunk's pre_build hook (Trunk.toml): builds the app's wasm in several modules, which Trunk
// can't (trunk-rs/trunk#1022), into Trunk's staging dir; build/post_build.mjs names them.
// The same pipeline as cargo-leptos's `--split` (src/compile/front.rs):
//   1. cargo builds the bin with the `split` feature, linked with `--emit-relocs` (the split
//      needs the relocations to move code between modules);
//   2. wasm-split-cli (crate wasm_split_cli_support, installed by `cargo xtask`) cuts each
//      split point (src/split.rs) and what only it reaches into a chunk, shared code into
//      `chunk_*` modules, and writes `__wasm_split.js`, which fetches them next to itself;
//   3. wasm-bindgen on the main module only, keeping the exports the chunks link against;
//   4. release builds: wasm-opt -Oz on every module (what Trunk's `data-wasm-opt="z"` did).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) throw new Error('split.mjs runs as a Trunk hook (TRUNK_STAGING_DIR is not set)');
const release = process.env.TRUNK_PROFILE === 'release';
const root = fileURLToPath(new URL('..', import.meta.url));
const NAME = 'feedback-widget';
const TARGET = 'wasm32-unknown-unknown';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`split.mjs: ${cmd}: ${r.error.message} (run \`cargo xtask\` to install the tools)`);
  if (r.status !== 0) throw new Error(`split.mjs: ${cmd} ${args.join(' ')} exited with ${r.status}`);
}

// 1. `cargo rustc`: the link argument for the final binary only, so every dependency is the
//    same build the wasm tests use (no second compile of Leptos).
run('cargo', ['rustc', '--locked', `--target=${TARGET}`, '--bin', NAME, '--features', 'split',
  ...(release ? ['--release'] : []), '--', '-Clink-args=--emit-relocs']);
const linked = join(root, 'target', TARGET, release ? 'release' : 'debug', `${NAME}.wasm`);

// 2. The split, into a folder of its own (cleaned: a chunk that is gone must not linger).
const out = join(root, 'target', 'split', release ? 'release' : 'debug');
rmSync(out, { recursive: true, force: true });
run('wasm-split-cli', [linked, out, '--out-name', NAME]);

// 3. wasm-bindgen writes the glue, the main module and the snippets into the staging dir.
run('wasm-bindgen', ['--target', 'web', '--keep-lld-exports', '--no-typescript',
  ...(release ? [] : ['--keep-debug']), '--out-dir', stage, '--out-name', NAME, join(out, `${NAME}.wasm`)]);
const chunks = readdirSync(out).filter((f) => f.endsWith('.wasm') && f !== `${NAME}.wasm`);
for (const file of [...chunks, '__wasm_split.js']) copyFileSync(join(out, file), join(stage, file));

// 4. wasm-opt (binaryen 132 from e2e/node_modules: Debian's 108 breaks the wasm).
if (release) {
  const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];
  for (const file of [`${NAME}_bg.wasm`, ...chunks]) {
    const path = join(stage, file);
    run('wasm-opt', ['-Oz', ...features, path, '-o', path]);
  }
}
