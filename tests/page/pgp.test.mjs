// Encrypted seed files in the page (issue 11), in Debian Chromium, against the real GnuPG: the
// admin makes a key in the page, gpg imports the downloaded public and private keys and encrypts a
// token file to it, and the page opens that file from its key and passphrase; a gpg key's binary
// message signed by the vendor is opened with the signature checked (and shown unchecked without
// the vendor's key); a password-only message asks for the password alone; a wrong passphrase is
// refused with its code and loads nothing. None of the OpenPGP module is in the page's first
// load; the same flow runs in the single offline file from file:// with the network off; Clear
// everything ends the OpenPGP worker. No passphrase or key of the file shows in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { start, cli, root, dropFile, goStep, screenshot, secretsOf } from './harness.mjs';
import { Gpg, tokenFile } from '../pgp/gnupg.mjs';

const PGP_FILES = ['js/pgp.js', 'js/pgp-worker.js', 'pkg/pgp-worker-url.js', 'pkg/hwoath_pgp.js', 'pkg/hwoath_pgp_wasm.js'];
const PASS = 'tulip ember canyon frost 42';
const SYM = 'river-lantern-copper-meadow';
const dir = path.join(root, 'target', 'pgp-ui');
const file = (n) => path.join(dir, n);

let env;
let g;
before(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file('tokens.json'), tokenFile(12, 5));
  fs.writeFileSync(file('pass.txt'), `${PASS}\n`);
  fs.writeFileSync(file('sym.txt'), `${SYM}\n`);
  g = new Gpg('ui');
  g.genKey('Ed Admin <ed@contoso.example>', 'ed25519', 'cv25519', file('pass.txt'));
  fs.writeFileSync(file('ed-private.asc'), g.exportSecret('ed@contoso.example', file('pass.txt')));
  g.genKey('Vendor <seeds@vendor.example>', 'ed25519', 'cv25519', null);
  fs.writeFileSync(file('vendor-public.asc'), g.exportPublic('seeds@vendor.example'));
  fs.writeFileSync(file('signed.gpg'), g.run(['-u', 'seeds@vendor.example', '-r', 'ed@contoso.example', '--sign', '--encrypt', '--output', '-', file('tokens.json')]));
  fs.writeFileSync(file('sym.gpg'), g.run([...Gpg.pass(file('sym.txt')), '--symmetric', '--output', '-', file('tokens.json')]));
  env = await start();
});
after(async () => { g?.close(); await env?.close(); });

const SECRETS = () => secretsOf(file('tokens.json'));
const summary = (page) => page.$eval('#file-summary', (el) => Object.fromEntries([...el.querySelectorAll('[data-stat]')]
  .map((s) => [s.dataset.stat, Number(s.querySelector('.stat__value').textContent.replace(/,/g, ''))])));

/** Drops `name` (its bytes), answers the decrypt form, and waits for the tokens or the refusal. */
async function open(page, name, { key, passphrase, sender, expect = 'tokens' }) {
  await goStep(page, 'load');
  await dropFile(page, '#token-drop', name, fs.readFileSync(file(name)));
  await page.waitForSelector('#decrypt-form:not([hidden])');
  await page.waitForFunction(() => /encrypted (to the key|with a password)/.test(document.querySelector('#decrypt-about').textContent));
  if (key) await page.setInputFiles('#decrypt-key-file', key);
  if (sender) await page.setInputFiles('#decrypt-sender-file', sender);
  await page.fill('#decrypt-passphrase', passphrase);
  await page.click('#decrypt-form button[type="submit"]');
  if (expect === 'tokens') await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])', { timeout: 30000 });
  else await page.waitForSelector('#decrypt-result[data-state="error"]', { timeout: 30000 });
}

/** The whole flow on `page` (at #load); `downloads` says whether the page's downloads can be read. */
async function flow(page, t) {
  const want = JSON.parse(cli(['validate', file('tokens.json'), '--json']));
  const counts = { records: want.records, valid: want.valid, invalid: want.invalid, warnings: 0 };

  // 1. A key made in the page: gpg imports both halves, encrypts to it, and the page opens that.
  await page.click('#key-card > summary');
  await page.fill('#key-name', 'Amy Admin');
  await page.fill('#key-email', 'amy@contoso.example');
  await page.fill('#key-passphrase', 'Password1234');
  await page.waitForFunction(() => /Too weak/.test(document.querySelector('#key-passphrase-check').textContent));
  await page.fill('#key-passphrase-again', 'Password1234');
  await page.click('#key-form button[type="submit"]');
  await page.waitForSelector('#key-result[data-state="error"]');
  assert.match(await page.textContent('#key-result'), /PGP0\d\d/, 'a weak passphrase is refused with its code');
  await page.fill('#key-passphrase', PASS);
  await page.fill('#key-passphrase-again', PASS);
  const t0 = Date.now();
  await page.click('#key-form button[type="submit"]');
  await page.waitForSelector('#key-result[data-state="ok"]', { timeout: 30000 });
  t.diagnostic(`key made in the page (module loaded on first use) in ${Date.now() - t0} ms`);
  const fingerprint = await page.getAttribute('#key-result .fingerprint', 'data-fingerprint');
  assert.match(await page.textContent('#key-result .fingerprint'), /^([0-9A-F]{4} ){9}[0-9A-F]{4}$/, 'groups of four');
  const [pub] = await Promise.all([page.waitForEvent('download'), page.click('#key-result [data-download="public-key"]')]);
  assert.equal(pub.suggestedFilename(), 'amy-admin-public-key.asc');
  const [priv] = await Promise.all([page.waitForEvent('download'), page.click('#key-result [data-download="private-key"]')]);
  fs.copyFileSync(await pub.path(), file('amy-public.asc'));
  fs.copyFileSync(await priv.path(), file('amy-private.asc'));
  const h = new Gpg('ui-h');
  try {
    h.import(file('amy-public.asc'), null);
    h.import(file('amy-private.asc'), file('pass.txt'));
    assert.equal(h.fingerprint('amy@contoso.example'), fingerprint, 'gpg reads the key the page made');
    fs.writeFileSync(file('for-amy.json.asc'), h.run(['-r', 'amy@contoso.example', '--armor', '--encrypt', '--output', '-', file('tokens.json')]));
    fs.writeFileSync(file('gpg-decrypted.json'), h.run([...Gpg.pass(file('pass.txt')), '--decrypt', file('for-amy.json.asc')]));
    assert.ok(fs.readFileSync(file('gpg-decrypted.json')).equals(fs.readFileSync(file('tokens.json'))), 'gpg decrypts with the page-made private key');
  } finally {
    h.close();
  }
  await open(page, 'for-amy.json.asc', { key: file('amy-private.asc'), passphrase: PASS });
  assert.deepEqual(await summary(page), counts, 'the decrypted file is the CLI\'s');
  // Byte for byte: the normalised file written from the decrypted tokens is the CLI's of the plaintext.
  await page.waitForSelector('#normalized-download:not([disabled])');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#normalized-download')]);
  assert.equal(fs.readFileSync(await dl.path(), 'utf8'), cli(['normalize', file('tokens.json')]));
  assert.ok((await page.textContent('#file-meta')).includes(`decrypted with key ${fingerprint.match(/.{4}/g).join(' ')}`));
  await screenshot(page, 'pgp-decrypted');

  // 2. A gpg key's binary message, signed by the vendor: checked with the vendor's key, shown
  //    unchecked without it.
  await open(page, 'signed.gpg', { key: file('ed-private.asc'), passphrase: PASS, sender: file('vendor-public.asc') });
  assert.match(await page.textContent('#file-meta'), /signed by [0-9A-F ]+ \(signature checked\)/);
  await open(page, 'signed.gpg', { key: file('ed-private.asc'), passphrase: PASS });
  assert.match(await page.textContent('#file-meta'), /signed, but the signature was not checked/);

  // 3. A wrong passphrase: refused with its code, nothing loaded.
  await open(page, 'signed.gpg', { key: file('ed-private.asc'), passphrase: 'not the passphrase', expect: 'error' });
  assert.match(await page.textContent('#decrypt-result'), /PGP0\d\d/);
  assert.match(await page.textContent('#step-state-load'), /nothing loaded/);

  // 4. Password only: no key asked for.
  await goStep(page, 'load');
  await dropFile(page, '#token-drop', 'sym.gpg', fs.readFileSync(file('sym.gpg')));
  await page.waitForFunction(() => /with a password only/.test(document.querySelector('#decrypt-about').textContent));
  assert.equal(await page.isVisible('#decrypt-key-field'), false);
  await page.fill('#decrypt-passphrase', SYM);
  await page.click('#decrypt-form button[type="submit"]');
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])', { timeout: 30000 });
  assert.deepEqual(await summary(page), counts);
  assert.match(await page.textContent('#file-meta'), /decrypted with its password/);
}

test('served: a key made in the page, gpg files opened in memory, refusals; nothing in the first load; Clear ends the worker', async (t) => {
  const { page, requests, assertClean } = await env.open({ hash: '#load' });
  await page.waitForSelector('html[data-worker="ready"]', { state: 'attached' });
  const firstLoad = requests.map((u) => new URL(u).pathname.slice(1));
  for (const f of PGP_FILES) assert.ok(!firstLoad.includes(f), `${f} is not part of the first load`);
  // A token file does not load the module either.
  await dropFile(page, '#token-drop', 'tokens.json', fs.readFileSync(file('tokens.json')));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  assert.ok(!requests.some((u) => u.endsWith('/js/pgp-worker.js')), 'a plain token file never starts the OpenPGP worker');
  await goStep(page, 'load');
  await flow(page, t);
  const pgpRuns = () => page.workers().some((w) => new URL(w.url()).pathname === '/js/pgp-worker.js');
  assert.ok(pgpRuns(), 'the OpenPGP worker runs');
  await page.click('#clear-all');
  await page.click('#clear-confirm');
  await page.waitForFunction(() => /Everything was cleared/.test(document.querySelector('#app-status').textContent));
  for (let i = 0; i < 40 && pgpRuns(); i++) await page.waitForTimeout(50);
  assert.ok(!pgpRuns(), 'Clear everything ended the OpenPGP worker');
  assertClean([PASS, SYM, ...SECRETS()]);
  const text = await page.evaluate(() => document.documentElement.outerHTML);
  for (const s of [PASS, SYM, ...SECRETS()]) assert.ok(!text.includes(s), 'a secret is left in the page');
});

test('the single offline file from file:// with the network off: the same flow, from its inert payload', async (t) => {
  const single = path.join(root, 'dist', 'hwoath.html');
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  try {
    await context.setOffline(true);
    await context.route('**/*', (route) => (/^(file|blob|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const url = pathToFileURL(single).href;
    await page.goto(`${url}#load`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await flow(page, t);
    assert.deepEqual(requests.filter((u) => !u.startsWith(url) && !/^(blob|data):/.test(u)), [], 'nothing but the file and blob:/data:');
    assert.deepEqual(errors, [], 'no console error');
  } finally {
    await context.close();
  }
});
