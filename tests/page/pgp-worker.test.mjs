// The OpenPGP module in the browser, through the page's own loader (www/js/pgp.js), served and
// in the single offline file from file:// with the network off: the page's first load fetches
// none of it; the first call starts the worker, which compiles the embedded module (no fetch, the
// CSP allows it); generateKey makes a key gpg then imports and encrypts to; decryptMessage opens
// gpg's messages byte for byte (encrypted to a gpg key, to the browser-made key, password-only);
// a refusal carries its code; closePgp ends the worker; nothing leaves the origin, no console
// error, no secret in the console. (The page's UI for it — key maker, decrypt prompt — is the
// integrator's; this tests the loader it will call.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { start, root, ARGS } from './harness.mjs';
import { Gpg, tokenFile } from '../pgp/gnupg.mjs';
import { pgpWorkerUrlPlugin } from '../../scripts/single-pgp.mjs';

const SINGLE = path.join(root, 'dist', 'hwoath.html');
const { chromium } = await import(pathToFileURL(path.join(root, 'tools/node_modules/playwright-core/index.mjs')).href);
const esbuild = createRequire(path.join(root, 'tools', 'package.json'))('esbuild');
const PGP_FILES = ['js/pgp.js', 'js/pgp-worker.js', 'pkg/pgp-worker-url.js', 'pkg/hwoath_pgp.js', 'pkg/hwoath_pgp_wasm.js'];
const PASS = 'tulip ember canyon frost 42';
const SYM = 'river-lantern-copper-meadow';

let env;
let g;
const dir = path.join(root, 'target', 'pgp-page');
const m = {};

before(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = (n) => path.join(dir, n);
  m.plain = Buffer.from(tokenFile(30, 11));
  fs.writeFileSync(file('tokens.json'), m.plain);
  fs.writeFileSync(file('pass.txt'), `${PASS}\n`);
  fs.writeFileSync(file('sym.txt'), `${SYM}\n`);
  g = new Gpg('page');
  m.fp = g.genKey('Ed Admin <ed@contoso.example>', 'ed25519', 'cv25519', file('pass.txt'));
  m.privateKey = g.exportSecret('ed@contoso.example', file('pass.txt')).toString();
  m.toGpgKey = [...g.run(['-r', 'ed@contoso.example', '--armor', '--encrypt', '--output', '-', file('tokens.json')])];
  m.sym = [...g.run([...Gpg.pass(file('sym.txt')), '--symmetric', '--output', '-', file('tokens.json')])];
  env = await start();
});
after(async () => { g?.close(); await env?.close(); });

/** The same journey in any page where `window.__pgp` is the loader module (js/pgp.js). */
async function journey(page) {
  return page.evaluate(async ({ toGpgKey, sym, privateKey, PASS, SYM }) => {
    const { openPgp, closePgp, looksLikeOpenPgp } = window.__pgp;
    const now = Date.now() / 1000;
    const pgp = openPgp();
    const t0 = performance.now();
    const key = await pgp.generateKey({ name: 'Amy Admin', email: 'amy@contoso.example', passphrase: PASS, created: now });
    const keygenMs = performance.now() - t0; // includes decompressing and compiling the module
    const dec = async (bytes, opts) => {
      const t = performance.now();
      const r = await pgp.decryptMessage(new Uint8Array(bytes), { ...opts, now });
      return { ms: performance.now() - t, plaintext: [...r.plaintext], decryptedWith: r.decryptedWith, compression: r.compression };
    };
    const fromGpg = await dec(toGpgKey, { privateKey, passphrase: PASS });
    const fromSym = await dec(sym, { passphrase: SYM });
    let refusal = null;
    try { await pgp.decryptMessage(new Uint8Array(sym), { passphrase: 'wrong passphrase here', now }); } catch (e) { refusal = { name: e.name, code: e.code, message: e.message }; }
    const weak = await pgp.checkPassphrase('Password1234', { name: 'Amy Admin' });
    const looks = [looksLikeOpenPgp(new Uint8Array(toGpgKey)), looksLikeOpenPgp(new Uint8Array(sym)), looksLikeOpenPgp(new TextEncoder().encode('{"value": []}'))];
    closePgp();
    let closed = null;
    try { await pgp.checkPassphrase('x'); } catch (e) { closed = e.message; }
    return { key: { ...key, privateKey: key.privateKey }, keygenMs, fromGpg, fromSym, refusal, weak, looks, closed };
  }, { toGpgKey: m.toGpgKey, sym: m.sym, privateKey: m.privateKey, PASS, SYM });
}

/** Checks the journey's results; then gpg imports the browser's key, encrypts to it, and the
 *  browser (a fresh worker) decrypts that. */
async function check(page, out, t) {
  assert.ok(Buffer.from(out.fromGpg.plaintext).equals(m.plain), 'gpg → browser, byte for byte');
  assert.equal(out.fromGpg.decryptedWith.fingerprint, m.fp);
  assert.ok(Buffer.from(out.fromSym.plaintext).equals(m.plain), 'gpg --symmetric → browser');
  assert.deepEqual(out.refusal.code, 'PGP009');
  assert.equal(out.refusal.name, 'PgpError');
  assert.equal(out.weak.ok, false);
  assert.deepEqual(out.looks, [true, true, false]);
  assert.equal(out.closed, 'the OpenPGP worker was closed');
  t.diagnostic(`first call (module decoded, compiled, ed25519 key made) ${out.keygenMs.toFixed(0)} ms; decrypt ${out.fromGpg.ms.toFixed(0)} ms (key + passphrase), ${out.fromSym.ms.toFixed(0)} ms (password-only)`);
  const h = new Gpg('page-h');
  try {
    const file = (n) => path.join(dir, n);
    fs.writeFileSync(file(out.key.publicKeyFileName), out.key.publicKey);
    fs.writeFileSync(file(out.key.privateKeyFileName), out.key.privateKey);
    h.import(file(out.key.publicKeyFileName), null);
    h.import(file(out.key.privateKeyFileName), file('pass.txt'));
    assert.equal(h.fingerprint('amy@contoso.example'), out.key.fingerprint);
    const msg = [...h.run(['-r', 'amy@contoso.example', '--encrypt', '--output', '-', file('tokens.json')])];
    const back = await page.evaluate(async ({ msg, privateKey, PASS }) => {
      const r = await window.__pgp.openPgp().decryptMessage(new Uint8Array(msg), { privateKey, passphrase: PASS, now: Date.now() / 1000 });
      window.__pgp.closePgp();
      return [...r.plaintext];
    }, { msg, privateKey: out.key.privateKey, PASS });
    assert.ok(Buffer.from(back).equals(m.plain), 'gpg → browser-made key → browser');
  } finally {
    h.close();
  }
}

test('served: not in the first load; on demand in a worker; interoperable with gpg', async (t) => {
  const { page, requests, console: lines, assertClean } = await env.open();
  await page.waitForSelector('html[data-worker="ready"]', { state: 'attached', timeout: 15000 });
  const firstLoad = requests.map((u) => new URL(u).pathname.slice(1));
  for (const f of PGP_FILES) assert.ok(!firstLoad.includes(f), `${f} is not part of the first load`);
  await page.evaluate(async () => { window.__pgp = await import(new URL('./js/pgp.js', location.href).href); });
  const out = await journey(page);
  await check(page, out, t);
  const pgpWorkerRuns = () => page.workers().some((w) => new URL(w.url()).pathname === '/js/pgp-worker.js');
  for (let i = 0; i < 40 && pgpWorkerRuns(); i++) await page.waitForTimeout(50);
  assert.ok(!pgpWorkerRuns(), 'closePgp ended the OpenPGP worker');
  const after = requests.map((u) => new URL(u).pathname.slice(1));
  for (const f of PGP_FILES) assert.ok(after.includes(f), `${f} loaded on demand`);
  assert.ok(!after.some((p) => p.endsWith('.wasm') && p.includes('pgp')), 'the OpenPGP wasm comes embedded, never fetched as a file');
  assertClean([PASS, SYM]);
  assert.ok(!lines.some((l) => l.text.includes(out.key.privateKey.split('\n')[3])), 'no private key in the console');
});

test('single file from file:// with the network off: the inert payload runs on demand', async (t) => {
  if (!fs.existsSync(SINGLE)) throw new Error('dist/hwoath.html is missing: run `bash scripts/build.sh --single` first');
  const html = fs.readFileSync(SINGLE, 'utf8');
  assert.match(html, /<script type="application\/octet-stream" id="hwoath-pgp-worker">[A-Za-z0-9+/=]+<\/script>/);
  // The loader as the page's bundle will hold it (esbuild, the single file's plugin for pgp-worker-url.js).
  const loader = (await esbuild.build({
    entryPoints: [path.join(root, 'www', 'js', 'pgp.js')], bundle: true, write: false, format: 'iife', globalName: '__pgpLoader',
    plugins: [pgpWorkerUrlPlugin()], logLevel: 'warning',
  })).outputFiles[0].text;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const context = await browser.newContext();
    await context.setOffline(true);
    await context.route('**/*', (route) => (/^(file|blob|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    const lines = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (msg) => { lines.push(msg.text()); if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(SINGLE).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await page.evaluate(`${loader}\nwindow.__pgp = __pgpLoader; true`);
    const out = await journey(page);
    await check(page, out, t);
    // One more worker while the module runs, started from a blob: URL (the decoded payload).
    const before = page.workers().map((w) => w.url());
    const limits = await page.evaluate(() => window.__pgp.openPgp().pgpLimits());
    assert.equal(limits.maxPlaintextBytes, 64 * 1024 * 1024);
    const added = page.workers().map((w) => w.url()).filter((u) => !before.includes(u));
    assert.equal(added.length, 1, 'the OpenPGP worker');
    assert.match(added[0], /^blob:/);
    await page.evaluate(() => window.__pgp.closePgp());
    assert.deepEqual(requests.filter((u) => !/^(file|blob|data):/.test(u)), [], 'nothing but the file and blob:/data:');
    assert.deepEqual(errors, [], 'no console error (the CSP allowed the worker and the wasm)');
    for (const s of [PASS, SYM]) assert.ok(!lines.some((l) => l.includes(s)), 'no passphrase in the console');
  } finally {
    await browser.close();
  }
});
