// The single offline file dist/hwoath.html (scripts/build-single.mjs) opened from file:// with the
// network off: engine and workers start, the demo file loads with its diagnostics, a live code and
// a drift scan in the workers equal the CLI's, nothing but the file itself (and blob:/data:) is
// requested, no console error, and nothing is written to any browser storage. The storage check
// also runs on the served page. UI steps are few and by accessible name (the page UI may change).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { start, cli, root, ARGS, CSP, screenshot, BROWSERS } from './harness.mjs';
import { adapt } from './firefox.mjs';

const SINGLE = path.join(root, 'dist', 'hwoath.html');
const DEMO = path.join(root, 'www/demo/token2-demo.json');
const { chromium } = await import(pathToFileURL(path.join(root, 'tools/node_modules/playwright-core/index.mjs')).href);

// Runs before any page script: records every write to localStorage/sessionStorage, IndexedDB,
// cookies and the Cache API (the page must make none), readable as window.__storageWrites.
function storageSpy() {
  const writes = [];
  Object.defineProperty(window, '__storageWrites', { value: writes });
  for (const m of ['setItem', 'removeItem', 'clear']) {
    const orig = Storage.prototype[m];
    Storage.prototype[m] = function (...a) { writes.push(`Storage.${m}`); return orig.apply(this, a); };
  }
  if (self.indexedDB) {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...a) { writes.push('indexedDB.open'); return open.apply(this, a); };
  }
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, get() { return cookie.get.call(this); }, set(v) { writes.push('document.cookie'); cookie.set.call(this, v); },
  });
  if (self.CacheStorage) {
    const open = CacheStorage.prototype.open;
    CacheStorage.prototype.open = function (...a) { writes.push('caches.open'); return open.apply(this, a); };
  }
}

/** Asserts no storage API was called and nothing is stored (also catches `localStorage.x = …`). */
async function assertNoStorage(page) {
  const s = await page.evaluate(async () => ({
    writes: window.__storageWrites,
    local: (() => { try { return localStorage.length; } catch { return 0; } })(),
    session: (() => { try { return sessionStorage.length; } catch { return 0; } })(),
    cookie: (() => { try { return document.cookie; } catch { return ''; } })(),
    dbs: await (async () => { try { return (await indexedDB.databases()).map((d) => d.name); } catch { return []; } })(),
    caches: await (async () => { try { return self.caches ? await caches.keys() : []; } catch { return []; } })(),
  }));
  assert.deepEqual(s, { writes: [], local: 0, session: 0, cookie: '', dbs: [], caches: [] }, 'nothing written to browser storage');
}

let browser;
before(async () => {
  if (!fs.existsSync(SINGLE)) throw new Error('dist/hwoath.html is missing: run `bash scripts/build.sh --single` first (scripts/test.sh does it)');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
});
after(async () => { await browser?.close(); });

test('dist/hwoath.html matches its .sha256 and refers to no other file', () => {
  const html = fs.readFileSync(SINGLE);
  const [hex, name] = fs.readFileSync(`${SINGLE}.sha256`, 'utf8').trim().split(/\s+/);
  assert.equal(name, 'hwoath.html');
  assert.equal(crypto.createHash('sha256').update(html).digest('hex'), hex);
  const text = html.toString('utf8');
  const dirs = policy(text.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1]);
  assert.deepEqual(dirs['worker-src'], ['blob:']);
  assert.ok(!Object.values(dirs).flat().includes("'self'"), 'a file:// page has no origin to allow');
  assert.ok(!/<script\b[^>]*\bsrc=|<link\b[^>]*\brel="stylesheet"/.test(text), 'no external script or stylesheet');
});

test('the served policy lets the page fetch nothing either', () => {
  const dirs = policy(CSP);
  assert.deepEqual(dirs['worker-src'], ["'self'"]);
  assert.deepEqual(dirs['frame-ancestors'], ["'none'"]);
});

/** Parses a CSP and checks what both pages share: default-src 'none', no connect-src (so nothing
 *  may be fetched), no third-party origin, no unsafe-eval or unsafe-inline, wasm by 'wasm-unsafe-eval'. */
function policy(csp) {
  const dirs = Object.fromEntries(csp.split('; ').map((d) => { const [k, ...v] = d.split(' '); return [k, v]; }));
  assert.deepEqual(dirs['default-src'], ["'none'"]);
  assert.ok(!('connect-src' in dirs), 'no connect-src: the page may fetch nothing');
  assert.ok(dirs['script-src'].includes("'wasm-unsafe-eval'"));
  for (const v of Object.values(dirs).flat()) {
    assert.ok(/^('none'|'self'|'wasm-unsafe-eval'|'sha256-[A-Za-z0-9+/]+=*'|blob:|data:)$/.test(v), `CSP source ${v}`);
  }
  return dirs;
}

test('file:// with the network off: demo, diagnostics, live code, drift scan in the workers; only the file requested; no storage', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.setOffline(true);
    const requests = [];
    const errors = [];
    await context.route('**/*', (route) => (/^(file|blob|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await context.addInitScript(storageSpy);
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const url = pathToFileURL(SINGLE).href;
    await page.goto(`${url}#load`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await page.waitForSelector('html[data-worker="ready"]', { state: 'attached', timeout: 15000 });

    // The demo file (embedded text) loads and shows the CLI's diagnostics.
    await page.getByRole('button', { name: 'Start from the demo', exact: true }).first().click();
    const report = JSON.parse(cli(['validate', DEMO, '--json']));
    assert.ok(report.diagnostics.length >= 1);
    for (const d of report.diagnostics) {
      await page.getByText(d.code, { exact: false }).first().waitFor({ timeout: 10000 });
    }

    // A live code, computed by the page's wasm, equals the CLI's for the same record and time.
    const live = await page.waitForSelector('#token-table tbody tr[data-record] .live-code[data-code][data-time]');
    const { code, time, record } = await live.evaluate((el) => ({
      code: el.dataset.code, time: el.dataset.time, record: Number(el.closest('[data-record]').dataset.record),
    }));
    const doc = JSON.parse(fs.readFileSync(DEMO, 'utf8')).value[record];
    const hash = { hmacsha1: 'sha1', hmacsha256: 'sha256', hmacsha512: 'sha512' }[doc.hashFunction ?? 'hmacsha1'];
    assert.equal(code, cli(['totp', '--secret', doc.secretKey, '--hash', hash, '--period', String(doc.timeIntervalInSeconds), '--time', time]).trim());

    // A drift scan of that record split across the workers (each instantiated the Module the
    // page compiled; the owner sent each its one-token file).
    const t = 1_700_000_000;
    const at = (s) => cli(['totp', '--secret', doc.secretKey, '--hash', hash, '--period', String(doc.timeIntervalInSeconds), '--time', String(t + s * doc.timeIntervalInSeconds)]).trim();
    const codes = [at(-7 - 1), at(-7)]; // a device 7 steps behind
    const want = JSON.parse(cli(['drift', '--secret', doc.secretKey, '--hash', hash, '--period', String(doc.timeIntervalInSeconds),
      '--time', String(t), '--max-steps', '5000', '--json', ...codes.flatMap((c) => ['--code', c])]));
    const got = await page.evaluate(async ([row, typed, time, period]) => (await window.hwoathScan({
      source: 'file', row, typed, time, period, range: { fromSteps: -5000, toSteps: 5000 } })).result, [record, codes.join(' '), t, doc.timeIntervalInSeconds]);
    assert.deepEqual({ candidates: got.candidates, scannedSteps: got.scannedSteps }, want);
    assert.equal(got.candidates[0].offsetSteps, -7);

    await screenshot(page, 'offline-single-file');
    const foreign = requests.filter((u) => u !== url && u !== `${url}#load` && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'only the file itself (and blob:/data:) was requested');
    assert.deepEqual(errors, [], 'console errors');
    await assertNoStorage(page);
  } finally {
    await context.close();
  }
});

test('served page: the same load writes nothing to browser storage', async () => {
  const env = await start();
  try {
    // start() opens pages itself; add the spy to a fresh context of its browser by hand.
    const context = await env.browser.newContext();
    await context.addInitScript(storageSpy);
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${env.server.url}#load`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await page.waitForSelector('html[data-worker="ready"]', { state: 'attached', timeout: 15000 });
    await page.getByRole('button', { name: 'Start from the demo', exact: true }).first().click();
    await page.getByText(JSON.parse(cli(['validate', DEMO, '--json'])).diagnostics[0].code).first().waitFor();
    assert.deepEqual(errors, []);
    await assertNoStorage(page);
  } finally {
    await env.close();
  }
});

test('Firefox ESR: the single file from file:// and the served page write nothing to browser storage', { skip: !BROWSERS.includes('firefox') && 'HWOATH_BROWSERS has no firefox' }, async () => {
  // One Firefox: the harness's (a second one beside it made the first load of the 1.5 MB single
  // file miss its 15 s on CI's two cores).
  const env = await start({ browser: 'firefox' });
  const { browser } = env;
  try {
    for (const url of [`${pathToFileURL(SINGLE).href}#load`, `${env.server.url}#load`]) {
      const raw = await browser.newPage();
      await raw.evaluateOnNewDocument(storageSpy);
      const page = adapt(raw);
      const requests = [];
      const errors = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30000 })
        .catch((e) => { throw new Error(`${url}: the page did not get ready (${e.message}); console errors: ${JSON.stringify(errors)}`); });
      await page.click('text=Start from the demo');
      await page.waitForSelector('#token-table tbody tr[data-record] .live-code[data-code]');
      const origin = url.startsWith('file:') ? url.split('#')[0] : new URL(url).origin;
      assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !/^(blob|data):/.test(u)), [], `${url}: nothing but the page itself was requested`);
      assert.deepEqual(errors, [], `${url}: console errors`);
      await assertNoStorage(page);
      await raw.close();
    }
  } finally {
    await env.close();
  }
});
