// Trunk's post_build hook (Trunk.toml). The wasm modules (build/split.mjs made them), their JS
// glue and loader, the glue's snippets and the CSS get content-hashed names, so they can be
// cached for a year; embed.js keeps its one stable URL
// for host pages and is pointed here at this build's hashed files. Release builds also get a
// minified glue and precompressed copies (.br at quality 11, .gz at level 9) that
// feedback-server sends by Accept-Encoding.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('post_build.mjs runs as a Trunk hook (TRUNK_STAGING_DIR is not set)');
const release = process.env.TRUNK_PROFILE === 'release';
const indexPath = join(dir, 'index.html');
/** The first 16 hex digits of the SHA-256 of `data`: the content hash in a file name. */
const hash16 = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);
/** Every file under `d` (wasm-bindgen's snippets live in a subfolder). */
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

// The glue's snippets (`inline_js` in src/) keep wasm-bindgen's names, which don't change with
// their content: give them content-hashed names, so they are cached for a year like the rest
// instead of revalidated on every visit. The glue that imports them changes with them, so it
// is renamed after its final content (below): a cached glue never names files that are gone.
const GLUE = 'feedback-widget.js';
const WASM = 'feedback-widget_bg.wasm';
const LOADER = '__wasm_split.js';
for (const name of [GLUE, WASM, LOADER]) {
  if (!existsSync(join(dir, name))) throw new Error(`post_build: no ${name} in ${dir} (build/split.mjs writes it)`);
}
let glue = readFileSync(join(dir, GLUE), 'utf8');
let loader = readFileSync(join(dir, LOADER), 'utf8');
let index = readFileSync(indexPath, 'utf8');
/** `import … from "<name>"` specifiers only: the keys of the wasm's import object keep the
 *  module names the wasm was linked with. */
const specifier = (name) => new RegExp(`(from\\s*["'])${name.replaceAll('.', '\\.')}(["'])`, 'g');
const snippets = existsSync(join(dir, 'snippets')) ? walk(join(dir, 'snippets')) : [];
for (const path of snippets.filter((f) => f.endsWith('.js'))) {
  const from = path.slice(dir.length).replaceAll('\\', '/'); // "/snippets/<crate>/inline0.js"
  const to = from.replace(/\.js$/, `-${hash16(readFileSync(path))}.js`);
  if (!specifier(`.${from}`).test(glue)) throw new Error(`post_build: the glue does not import .${from}`);
  glue = glue.replace(specifier(`.${from}`), `$1.${to}$2`);
  renameSync(path, join(dir, to));
}
// What the contract page needs besides the main module, read from the loader wasm-split-cli
// wrote: its split and the shared chunks it depends on (`makeLoad(…, [__chunk_N, …])`).
const pageChunks = (() => {
  const split = loader.match(/export const __wasm_split_load_page = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([\w-]+\.wasm)"[\s\S]*?\}\s*,\s*\[([^\]]*)\]\)\)/);
  if (!split) throw new Error(`post_build: ${LOADER} has no loader for the contract page's split`);
  const deps = split[2].split(',').map((d) => d.trim()).filter(Boolean).map((v) => {
    const m = loader.match(new RegExp(`const ${v} = makeLoad\\(\\(\\) => \\{\\s*const src = fetch\\(new URL\\("\\./([\\w-]+\\.wasm)"`));
    if (!m) throw new Error(`post_build: ${LOADER} has no chunk ${v}`);
    return m[1];
  });
  return [split[1], ...deps];
})();
const pageIntegrity = {};
// The chunks, by their own content (they name no other file). The loader fetches them by name
// and with their Subresource Integrity: a host that pins the loader (an import map's
// "integrity", README) gets exactly the chunks built with it, which an import map can't pin
// itself (they are fetched, not imported).
const sriOf = (data) => `sha384-${createHash('sha384').update(data).digest('base64')}`;
const chunks = readdirSync(dir).filter((f) => f.endsWith('.wasm') && f !== WASM);
for (const chunk of chunks) {
  const data = readFileSync(join(dir, chunk));
  const to = chunk.replace(/\.wasm$/, `-${hash16(data)}.wasm`);
  const integrity = sriOf(data);
  const request = `new URL("./${chunk}", import.meta.url)`;
  if (!loader.includes(`fetch(${request})`)) throw new Error(`post_build: ${LOADER} does not fetch ${request}`);
  loader = loader.replaceAll(`fetch(${request})`, `fetchChunk(new URL("./${to}", import.meta.url), "${integrity}")`);
  if (pageChunks.includes(chunk)) pageIntegrity[to] = integrity;
  renameSync(join(dir, chunk), join(dir, to));
}
// A response index.html or embed.js started early (the contract page's chunks) is taken up
// once; a retry, or any other chunk, is fetched here.
loader = `const fetchChunk = (url, integrity) => {
  const early = globalThis.__fwChunks?.[url.href];
  if (early) { delete globalThis.__fwChunks[url.href]; return early; }
  return fetch(url, { integrity });
};
${loader}`;
// Release builds: the glue and the loader minified (Trunk's `minify` leaves them as generated).
if (release) {
  const { minify } = await import(new URL('../e2e/node_modules/terser/main.js', import.meta.url));
  const options = { module: true, compress: { passes: 2 }, mangle: true };
  ({ code: glue } = await minify(glue, options));
  ({ code: loader } = await minify(loader, options));
}
// The glue imports the loader and the loader imports the glue (for the main module's shared
// exports): neither name can hash its own final content, so both carry one hash of the two.
// Any change to either (or to a chunk or snippet they name) still gives both new names.
const both = hash16(`${glue}\0${loader}`);
const glueName = `feedback-widget-${both}.js`;
const loaderName = `wasm-split-${both}.js`;
if (!specifier(`./${LOADER}`).test(glue)) throw new Error(`post_build: the glue does not import ./${LOADER}`);
if (!specifier(`./${GLUE}`).test(loader)) throw new Error(`post_build: ${LOADER} does not import ./${GLUE}`);
glue = glue.replace(specifier(`./${LOADER}`), `$1./${loaderName}$2`);
loader = loader.replace(specifier(`./${GLUE}`), `$1./${glueName}$2`);
const wasmName = `feedback-widget-${hash16(readFileSync(join(dir, WASM)))}_bg.wasm`;
for (const name of [GLUE, LOADER]) unlinkSync(join(dir, name));
writeFileSync(join(dir, glueName), glue);
writeFileSync(join(dir, loaderName), loader);
renameSync(join(dir, WASM), join(dir, wasmName));
{
  // index.html loads and preloads the glue, the loader and the main module by their stable
  // names (Trunk only copies them): here they get this build's names and Subresource
  // Integrity for the bytes now served. (Trunk's minified HTML may leave attributes unquoted.)
  for (const [stable, name, data] of [[GLUE, glueName, glue], [LOADER, loaderName, loader], [WASM, wasmName, readFileSync(join(dir, wasmName))]]) {
    const escaped = stable.replaceAll('.', '\\.');
    const link = new RegExp(`<link([^>]*?)href=(["']?)/${escaped}\\2([\\s>/])`);
    if (!link.test(index)) throw new Error(`post_build: index.html does not preload /${stable}`);
    index = index.replace(link, `<link$1href="/${stable}" integrity="${sriOf(data)}"$3`);
    // (Its minifier may also turn the script's strings into template literals.)
    index = index.replace(new RegExp(`(["'\`=])/${escaped}(["'\`\\s>])`, 'g'), `$1/${name}$2`);
    if (index.includes(`/${stable}`)) throw new Error(`post_build: index.html still names /${stable}`);
  }
  // The glue's snippets, preloaded beside it (as Trunk did): no second round trip for them.
  const snippetLinks = walk(dir).filter((f) => f.startsWith(join(dir, 'snippets')) && f.endsWith('.js'))
    .map((f) => `<link rel="modulepreload" href="${f.slice(dir.length).replaceAll('\\', '/')}" integrity="${sriOf(readFileSync(f))}" crossorigin="anonymous">`);
  const glueLink = new RegExp(`<link[^>]*href="/${glueName}"[^>]*>`);
  index = index.replace(glueLink, (link) => link + snippetLinks.join(''));
  // The placeholder that keeps Trunk from building the crate itself (index.html).
  index = index.replace(/<link[^>]*data-trunk-skip[^>]*>/, '');
}

// The static shell's loading line in every language, from the catalogs (index.html's inline
// script picks one before the wasm arrives; the server hashes that script for its CSP at start).
const locales = new URL('../locales/', import.meta.url);
{
  // (Trunk's HTML minifier may respace or requote the marker object.)
  const marker = /\{\s*["']fw-loading-texts["']\s*:\s*1\s*\}/;
  if (!marker.test(index)) throw new Error('post_build: index.html has no loading-texts marker');
  // English first: a match by language (`en-US`) takes the first tag of that language, and
  // that must be English, not the pseudo-locale `en-XA` (which sorts before it).
  const files = readdirSync(locales).filter((f) => f.endsWith('.json'))
    .sort((a, b) => (b === 'en.json') - (a === 'en.json') || a.localeCompare(b));
  const texts = Object.fromEntries(files.map((f) =>
    [f.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(f, locales), 'utf8'))['history.loading']]));
  index = index.replace(marker, () => JSON.stringify(texts));
}
{
  // The contract page's chunks, fetched early by index.html (and embed.js, below).
  // (A string, which the minifier leaves alone whatever quotes it gives it.)
  const marker = /(["'`])fw-page-chunks\1/;
  if (!marker.test(index)) throw new Error('post_build: index.html has no page-chunks marker');
  index = index.replace(marker, () => JSON.stringify(pageIntegrity));
}
writeFileSync(indexPath, index);

// embed.js, the one stable URL host pages load, names this build's hashed files.
{
  const files = readdirSync(dir);
  const find = (pattern) => {
    const found = files.find((name) => pattern.test(name));
    if (!found) throw new Error(`post_build: no file in ${dir} matches ${pattern}`);
    return found;
  };
  const hashed = {
    './feedback-widget.js': glueName,
    './feedback-widget_bg.wasm': wasmName,
    './main.css': find(/^main-[0-9a-f]+\.css$/),
  };
  const embedPath = join(dir, 'embed.js');
  let embed = readFileSync(embedPath, 'utf8');
  for (const [stable, name] of Object.entries(hashed)) {
    if (!embed.includes(`'${stable}'`)) throw new Error(`post_build: embed.js does not name '${stable}'`);
    embed = embed.replaceAll(`'${stable}'`, `'./${name}'`);
  }
  const marker = "'fw-page-chunks'";
  if (!embed.includes(marker)) throw new Error('post_build: embed.js has no page-chunks marker');
  embed = embed.replace(marker, () => JSON.stringify(pageIntegrity));
  writeFileSync(embedPath, embed);
}

// Locale catalogs (English is compiled into the wasm): build.rs numbers the messages and
// writes every served catalog (its texts only, in that order, under a name with its source's
// hash) and the list of keys to target/catalogs/, with catalogs.json naming them. They are
// copied as they are: the order and the names are build.rs's alone.
{
  const built = new URL('../target/catalogs/', import.meta.url);
  if (!existsSync(new URL('catalogs.json', built))) {
    throw new Error('post_build: target/catalogs/ is missing (build.rs writes it): run `cargo clean -p feedback-widget` and build again');
  }
  const manifest = JSON.parse(readFileSync(new URL('catalogs.json', built), 'utf8'));
  mkdirSync(join(dir, 'locales'), { recursive: true });
  for (const name of [manifest.keys, ...Object.values(manifest.locales)]) {
    copyFileSync(new URL(name, built), join(dir, 'locales', name));
  }
}

// Subresource Integrity for hosts that pin a release (README, Embedding: a versioned URL):
// sha384 of embed.js and of every module it brings in (the glue and its snippets), of the CSS
// and the wasm — dist/integrity.json, by path under dist/. A host puts embed.js's value in its
// <script integrity> and the modules' in an import map's "integrity".
{
  const pinned = walk(dir)
    .map((path) => path.slice(dir.length + 1).replaceAll('\\', '/'))
    .filter((name) => /^(embed\.js|(feedback-widget|wasm-split)-[0-9a-f]+\.js|[\w-]+-[0-9a-f]+(_bg)?\.wasm|main-[0-9a-f]+\.css|snippets\/.+\.js)$/.test(name))
    .sort();
  writeFileSync(join(dir, 'integrity.json'),
    `${JSON.stringify(Object.fromEntries(pinned.map((name) => [name, sriOf(readFileSync(join(dir, name)))])), null, 1)}\n`);
}

if (release) {
  for (const path of walk(dir).filter((f) => /\.(html|js|mjs|css|wasm|svg|json|txt)$/.test(f))) {
    const data = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: path.endsWith(".wasm") ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    }));
    writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  }
}

// The npm package (dist/npm/, for `npm pack` or `npm publish`): embed.js with its types and
// the files it loads, as built — no compressed copies (a bundler or CDN makes its own).
{
  const npm = join(dir, 'npm');
  const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
  const version = cargo.match(/\[package\][^[]*?\nversion\s*=\s*"([^"]+)"/)?.[1];
  if (!version) throw new Error('post_build: no [package] version in Cargo.toml');
  const shipped = walk(dir)
    .map((path) => path.slice(dir.length + 1).replaceAll('\\', '/'))
    .filter((name) => !name.startsWith('npm/') && !/\.(br|gz)$/.test(name))
    .filter((name) => /^(embed\.(js|d\.ts)|integrity\.json|(feedback-widget|wasm-split)-[0-9a-f]+\.js|[\w-]+-[0-9a-f]+(_bg)?\.wasm|main-[0-9a-f]+\.css|snippets\/.+\.js|locales\/.+\.json)$/.test(name));
  for (const name of shipped) {
    mkdirSync(join(npm, name, '..'), { recursive: true });
    copyFileSync(join(dir, name), join(npm, name));
  }
  const manifest = {
    name: 'contract-feedback-widget',
    version,
    description: 'The contract feedback widget: <contract-feedback>, <freelancer-work-history> and mount(), with TypeScript types.',
    license: 'MIT',
    type: 'module',
    exports: { '.': { types: './embed.d.ts', default: './embed.js' }, './integrity.json': './integrity.json' },
    types: './embed.d.ts',
    module: './embed.js',
    // embed.js defines the custom elements when imported.
    sideEffects: ['./embed.js'],
    files: ['embed.js', 'embed.d.ts', 'integrity.json', 'feedback-widget-*.js', 'wasm-split-*.js', '*.wasm', 'main-*.css', 'snippets/', 'locales/'],
  };
  writeFileSync(join(npm, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
