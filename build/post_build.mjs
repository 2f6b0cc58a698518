// Trunk's post_build hook (Trunk.toml). The wasm, its JS glue and the CSS get content-hashed
// names, so they can be cached for a year; embed.js keeps its one stable URL for host pages and
// is pointed here at this build's hashed files. Release builds also get precompressed copies
// (.br at quality 11, .gz at level 9) that feedback-server sends by Accept-Encoding.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('post_build.mjs runs as a Trunk hook (TRUNK_STAGING_DIR is not set)');
const files = readdirSync(dir);
const find = (pattern) => {
  const found = files.find((name) => pattern.test(name));
  if (!found) throw new Error(`post_build: no file in ${dir} matches ${pattern}`);
  return found;
};
const hashed = {
  './feedback-widget.js': find(/^feedback-widget-[0-9a-f]+\.js$/),
  './feedback-widget_bg.wasm': find(/^feedback-widget-[0-9a-f]+_bg\.wasm$/),
  './main.css': find(/^main-[0-9a-f]+\.css$/),
};
const embedPath = join(dir, 'embed.js');
let embed = readFileSync(embedPath, 'utf8');
for (const [stable, name] of Object.entries(hashed)) {
  if (!embed.includes(`'${stable}'`)) throw new Error(`post_build: embed.js does not name '${stable}'`);
  embed = embed.replaceAll(`'${stable}'`, `'./${name}'`);
}
writeFileSync(embedPath, embed);

// Locale catalogs (English is compiled into the wasm): dist/locales/<tag>-<hash>.json, the
// hash the first 16 hex digits of the source file's SHA-256, as build.rs names them for the wasm.
// On the wire a catalog is only its texts, as an array in English's key order (the wasm knows
// the keys from the English it carries): a quarter smaller than the keyed file, compressed.
const locales = new URL('../locales/', import.meta.url);
const keys = Object.keys(JSON.parse(readFileSync(new URL('en.json', locales), 'utf8')));
mkdirSync(join(dir, 'locales'), { recursive: true });
for (const name of readdirSync(locales).filter((f) => f.endsWith('.json') && f !== 'en.json')) {
  const source = readFileSync(new URL(name, locales));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const messages = JSON.parse(source.toString('utf8'));
  const texts = JSON.stringify(keys.map((k) => messages[k] ?? null));
  writeFileSync(join(dir, 'locales', `${name.replace(/\.json$/, '')}-${hash}.json`), texts);
}

// The static shell's loading line in every language, from the catalogs (index.html's inline
// script picks one before the wasm arrives; the server hashes that script for its CSP at start).
{
  const indexPath = join(dir, 'index.html');
  const html = readFileSync(indexPath, 'utf8');
  // (Trunk's HTML minifier may respace or requote the marker object.)
  const marker = /\{\s*["']fw-loading-texts["']\s*:\s*1\s*\}/;
  if (!marker.test(html)) throw new Error('post_build: index.html has no loading-texts marker');
  const texts = Object.fromEntries(readdirSync(locales).filter((f) => f.endsWith('.json')).map((f) =>
    [f.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(f, locales), 'utf8'))['history.loading']]));
  writeFileSync(indexPath, html.replace(marker, () => JSON.stringify(texts)));
}

// Release builds: the wasm-bindgen glue minified (Trunk's `minify` leaves it as generated),
// then index.html's Subresource Integrity for it recomputed, since its bytes changed.
if (process.env.TRUNK_PROFILE === 'release') {
  const { minify } = await import(new URL('../e2e/node_modules/terser/main.js', import.meta.url));
  const gluePath = join(dir, hashed['./feedback-widget.js']);
  const { code } = await minify(readFileSync(gluePath, 'utf8'), { module: true, compress: { passes: 2 }, mangle: true });
  writeFileSync(gluePath, code);
  const sri = `sha384-${createHash('sha384').update(code).digest('base64')}`;
  const indexPath = join(dir, 'index.html');
  const html = readFileSync(indexPath, 'utf8');
  // (Trunk's minified HTML may leave attribute values unquoted.)
  const glue = hashed['./feedback-widget.js'].replaceAll('.', '\\.');
  const tag = new RegExp(`(<link[^>]*?/${glue}[^>]*?integrity=)("?)[^\\s">]+\\2`);
  if (!tag.test(html)) throw new Error('post_build: index.html has no integrity for the glue');
  writeFileSync(indexPath, html.replace(tag, `$1"${sri}"`));
}

/** Every file under `d` (wasm-bindgen's snippets live in a subfolder). */
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

if (process.env.TRUNK_PROFILE === 'release') {
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
