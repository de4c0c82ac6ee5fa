// Builds dist/hwoath.html: the whole page in one self-contained file (html + css + every ES module
// + the wasm + the demo files) that works opened from file:// with the network off.
//   node scripts/build-single.mjs        (after scripts/build.sh; or: bash scripts/build.sh --single)
// - The page's modules (from the <script type="module" src> in www/index.html) and the worker
//   (www/worker.js) are bundled by esbuild (pinned in wasm-pack.toml [npm]); www/ itself stays
//   plain ES modules. The worker bundle becomes a string started from a blob: URL: the module
//   www/pkg/worker-url.js is replaced by one that makes that URL. The wasm and the demo text are
//   already modules (www/pkg/hwoath_wasm.js, demo-files.js by scripts/embed.mjs).
// - The OpenPGP worker and module ride along as an inert, compressed payload decoded only when
//   the page first asks for them (scripts/single-pgp.mjs).
// - Stylesheets and the script are inlined; the file's own CSP allows exactly them by their
//   SHA-256 hashes, the worker by `worker-src blob:`, and fetches nothing (no connect-src).
// - Prints the file's SHA-256 and writes dist/hwoath.html.sha256 (sha256sum format).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { PGP_PAYLOAD_ID, pgpWorkerPayload, pgpWorkerUrlPlugin } from './single-pgp.mjs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const www = path.join(root, 'www');
const dist = path.join(root, 'dist');
const esbuild = createRequire(path.join(root, 'tools', 'package.json'))('esbuild');

for (const f of ['hwoath.js', 'hwoath_wasm.js', 'demo-files.js', 'worker-url.js', 'hwoath_pgp.js', 'hwoath_pgp_wasm.js', 'pgp-worker-url.js']) {
  if (!fs.existsSync(path.join(www, 'pkg', f))) throw new Error(`www/pkg/${f} is missing: run bash scripts/build.sh first`);
}

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('base64');
// TokenSet.free() replaces wasm-bindgen's generated free() (it wipes the set and leaves a handle that
// says it was freed): the later class member is the one that counts, as intended.
const common = { bundle: true, format: 'esm', write: false, minify: true, target: 'es2022', legalComments: 'none', logLevel: 'warning', charset: 'utf8',
  logOverride: { 'duplicate-class-member': 'silent' } };

async function bundle(entry, plugins = []) {
  const out = await esbuild.build({ ...common, entryPoints: [path.join(www, entry)], plugins });
  return out.outputFiles[0].text;
}

// The worker: one classic script (iife) with the wasm glue. Chromium does not start module workers
// from blob: URLs on a file:// page; the glue's import.meta.url is only used to locate a .wasm file
// when none is given, which never happens here.
const workerCode = (await esbuild.build({
  ...common, format: 'iife', entryPoints: [path.join(www, 'worker.js')], define: { 'import.meta.url': 'self.location.href' },
})).outputFiles[0].text;

// worker-url.js → a blob: URL of the classic worker bundle (created once, when the page starts).
const blobWorker = {
  name: 'blob-worker',
  setup(build) {
    build.onResolve({ filter: /(^|\/)pkg\/worker-url\.js$/ }, () => ({ path: 'worker-url', namespace: 'single' }));
    build.onLoad({ filter: /.*/, namespace: 'single' }, () => ({
      loader: 'js',
      contents: `export const WORKER_URL = URL.createObjectURL(new Blob([${JSON.stringify(workerCode)}], { type: 'text/javascript' }));
export const WORKER_TYPE = 'classic';`,
    }));
  },
};

// The OpenPGP worker and module: an inert payload, and pgp-worker-url.js replaced by a module
// that decodes it on the first call only (scripts/single-pgp.mjs).
const pgpPayload = await pgpWorkerPayload(esbuild, common, www);
const blobPgpWorker = pgpWorkerUrlPlugin();

let html = fs.readFileSync(path.join(www, 'index.html'), 'utf8');

// Besides the stylesheets and module scripts inlined below, the page may refer to nothing but
// data: URLs, #anchors and links the user follows (<a href>).
const others = html.replace(/<a\b[^>]*>/g, '').replace(/<link\b[^>]*\brel="stylesheet"[^>]*>/g, '')
  .replace(/<script\b[^>]*\bsrc="[^"]+"[^>]*><\/script>/g, '').match(/\b(src|href|srcset|poster|data)="(?!data:|#)[^"]*"/g);
if (others) throw new Error(`index.html refers to other files that would be missing offline: ${others.join(', ')}`);

// Inline every stylesheet link, in place.
const styles = [];
html = html.replace(/<link\b[^>]*\brel="stylesheet"[^>]*>/g, (tag) => {
  const href = tag.match(/\bhref="([^"]+)"/)?.[1];
  if (!href || /^[a-z]+:/i.test(href)) throw new Error(`cannot inline stylesheet ${tag}`);
  const css = fs.readFileSync(path.join(www, href), 'utf8');
  if (/url\(|@import/i.test(css.replace(/url\(\s*["']?data:/gi, ''))) throw new Error(`${href} refers to other files; inline them first`);
  styles.push(css);
  return `<style>${css}</style>`;
});

// Inline the module script(s), bundled.
const scripts = [];
const tags = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*><\/script>/g)];
for (const [tag, src] of tags) {
  if (!/\btype="module"/.test(tag)) throw new Error(`only module scripts can be inlined: ${tag}`);
  const code = await bundle(src, [blobWorker, blobPgpWorker]);
  scripts.push(code);
  html = html.replace(tag, () => `<script type="module">${code}</script>`);
}
for (const text of [...scripts, ...styles]) {
  if (/<\/(script|style)/i.test(text)) throw new Error('an inlined script or style contains a closing tag');
}

// The file's own policy: the inlined code by hash, the worker from blob:, nothing fetched.
export const SINGLE_CSP = [
  "default-src 'none'",
  `script-src ${scripts.map((s) => `'sha256-${sha256(s)}'`).join(' ')} 'wasm-unsafe-eval'`,
  'worker-src blob:',
  `style-src ${styles.map((s) => `'sha256-${sha256(s)}'`).join(' ')}`,
  'img-src data:',
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');
const meta = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/;
if (!meta.test(html)) throw new Error('index.html has no CSP meta tag to replace');
html = html.replace(meta, () => `<meta http-equiv="Content-Security-Policy" content="${SINGLE_CSP}">`);
html = html.replace(/<!--[^]*?-->\s*(?=<meta http-equiv="Content-Security-Policy")/, () =>
  '<!-- Single offline file (scripts/build-single.mjs): inline code allowed by hash, the worker from blob:, nothing fetched. -->\n  ');

// The inert OpenPGP payload, last in the body.
if (!/<\/body>/.test(html)) throw new Error('index.html has no </body> to put the OpenPGP payload before');
html = html.replace(/<\/body>/, () => `<script type="application/octet-stream" id="${PGP_PAYLOAD_ID}">${pgpPayload}</script>\n</body>`);

fs.mkdirSync(dist, { recursive: true });
const file = path.join(dist, 'hwoath.html');
fs.writeFileSync(file, html);
const hex = crypto.createHash('sha256').update(html).digest('hex');
fs.writeFileSync(`${file}.sha256`, `${hex}  hwoath.html\n`);
console.log(`dist/hwoath.html  ${Buffer.byteLength(html).toLocaleString('en-US')} bytes (of which the OpenPGP payload ${pgpPayload.length.toLocaleString('en-US')})`);
console.log(`SHA-256 ${hex}`);
console.log(`CSP     ${SINGLE_CSP}`);
