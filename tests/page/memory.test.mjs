// Where the keys are, and where they are not (issues 10 and 12), in Debian Chromium driven over
// CDP (puppeteer-core, so every worker's heap can be read):
// - the page's own thread never receives a key in a worker message before the admin asks for one
//   (Reveal, Copy, Download): every message it receives is recorded and searched for every form
//   of every secret of the file;
// - after live codes, a verify, a reveal and Clear everything, a forced garbage collection and a
//   heap snapshot of the page and of every worker find no secret of the file; the workers that
//   held the tokens are gone and the page's thread never instantiated the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, requireBuild, secretsOf, dropFile } from './harness.mjs';
import { adapt } from './firefox.mjs';
import { secretsOf as extract } from './secrets.mjs';

const FILE = path.join(root, 'tests/fixtures/page/token2-20.json');
const DOC = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const SECRETS = secretsOf(FILE);
const serve = await import(pathToFileURL(path.join(root, 'scripts/serve.mjs')).href);
const { default: puppeteer } = await import(pathToFileURL(path.join(root, 'tools/node_modules/puppeteer-core/lib/puppeteer/puppeteer-core.js')).href);

// Before any page script: every message a Worker delivers to the page is recorded as text.
function recordMessages() {
  const seen = [];
  Object.defineProperty(window, '__received', { value: seen });
  const text = (v) => JSON.stringify(v, (k, x) => (ArrayBuffer.isView(x) ? Array.from(x) : x instanceof ArrayBuffer ? Array.from(new Uint8Array(x)) : x));
  const desc = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage') ?? Object.getOwnPropertyDescriptor(EventTarget.prototype, 'onmessage');
  Object.defineProperty(Worker.prototype, 'onmessage', {
    configurable: true,
    get() { return desc.get.call(this); },
    set(fn) { desc.set.call(this, (e) => { seen.push(text(e.data)); return fn(e); }); },
  });
  const add = Worker.prototype.addEventListener;
  Worker.prototype.addEventListener = function (type, fn, o) {
    return add.call(this, type, type === 'message' ? (e) => { seen.push(text(e.data)); return fn(e); } : fn, o);
  };
}

let server;
let browser;
before(async () => {
  requireBuild();
  server = await serve.startServer({ dir: path.join(root, 'www'), port: 0 });
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});
after(async () => { await browser?.close(); await server?.close(); });

/** Every string in a heap snapshot of the page (a CDP session) or of a worker, after a full GC. */
async function heapStrings(client) {
  const chunks = [];
  const on = (e) => chunks.push(e.chunk);
  client.on('HeapProfiler.addHeapSnapshotChunk', on);
  await client.send('HeapProfiler.enable');
  await client.send('HeapProfiler.collectGarbage');
  await client.send('HeapProfiler.collectGarbage');
  await client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  client.off('HeapProfiler.addHeapSnapshotChunk', on);
  return JSON.parse(chunks.join('')).strings;
}
/** How many WebAssembly.Instance objects live in a page's or worker's heap (CDP queryObjects). */
async function instances(client) {
  const proto = await client.send('Runtime.evaluate', { expression: 'WebAssembly.Instance.prototype' });
  const { objects } = await client.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
  const n = await client.send('Runtime.callFunctionOn', { objectId: objects.objectId, functionDeclaration: 'function () { return this.length; }', returnByValue: true });
  return n.result.value;
}
const leaked = (strings) => SECRETS.filter((s) => strings.some((x) => x.includes(s)));

async function open() {
  const raw = await browser.newPage();
  await raw.evaluateOnNewDocument(recordMessages);
  await raw.browserContext().overridePermissions(server.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
  await raw.setViewport({ width: 1280, height: 900 });
  await raw.goto(`${server.url}#load`);
  await raw.waitForSelector('body[data-ready="true"]');
  await raw.waitForSelector('html[data-worker="ready"]');
  return { raw, page: adapt(raw) };
}
const received = (raw) => raw.evaluate(() => window.__received.splice(0));
const secretsIn = (messages) => SECRETS.filter((s) => messages.some((m) => m.includes(s)));

test('the page\'s thread receives no key before Reveal, Copy or Download, and only the one asked for then', async () => {
  const { raw, page } = await open();
  await dropFile(page, '#token-drop', path.basename(FILE), fs.readFileSync(FILE));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  await page.waitForSelector('#token-table tr[data-record="0"] .live-code[data-code]');
  // Verify a code, make variants, build requests, map an answer, print the sheet: no key arrives.
  await page.click(`#token-table button[aria-label="Verify a code from device ${DOC.value[1].serialNumber}"]`);
  await page.fill('#verify-1-codes', '000000');
  await page.click('#verify-row-1 button[type="submit"]');
  await page.waitForSelector('#verify-1-result:not([data-state="busy"]):not([data-state="empty"])', { timeout: 60000 });
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  await page.click('#step-link-send');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  await page.fill('#response-text', '{"value": []}');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile-output[data-state="ok"]');
  const before = await received(raw);
  assert.ok(before.length > 20, `messages were recorded (${before.length})`);
  assert.deepEqual(secretsIn(before), [], 'a key reached the page before it was asked for');

  // Copy a bulk body: that answer, and only it, holds the keys of that request.
  await page.click('#graph-requests > li[data-index="0"] [data-copy="body"]');
  await page.waitForSelector('#graph-requests > li[data-index="0"] [data-copy="body"][data-state]');
  const copy = await received(raw);
  assert.ok(secretsIn(copy).length > 0, 'the copied body came from the owner worker');
  assert.equal(copy.filter((m) => SECRETS.some((s) => m.includes(s))).length, 1, 'in one message');
  // Reveal one row: its key only.
  await page.click('#step-link-check');
  await page.click(`#token-table button[aria-label="Reveal the secret of ${DOC.value[0].serialNumber}"]`);
  await page.waitForSelector('#token-table tr[data-record="0"] .secret-text[data-revealed="true"]');
  const reveal = await received(raw);
  const row0 = extract(Buffer.from(JSON.stringify({ value: [DOC.value[0]] }))).forms;
  const revealed = secretsIn(reveal);
  assert.ok(revealed.length > 0, 'the revealed key came from the owner worker');
  assert.deepEqual(revealed.filter((s) => !row0.includes(s)), [], 'only the revealed row\'s key arrives');
  await raw.close();
});

test('after Clear everything no heap of the page or its workers holds a key; the workers that held them are gone', async () => {
  const { raw, page } = await open();
  const destroyed = [];
  raw.on('workerdestroyed', (w) => destroyed.push(w.url()));
  await dropFile(page, '#token-drop', path.basename(FILE), fs.readFileSync(FILE));
  await page.waitForSelector('#token-table tr[data-record="0"] .live-code[data-code]');
  await page.click(`#token-table button[aria-label="Verify a code from device ${DOC.value[1].serialNumber}"]`);
  await page.fill('#verify-1-codes', '000000');
  await page.click('#verify-row-1 button[type="submit"]');
  await page.waitForSelector('#verify-1-result:not([data-state="busy"]):not([data-state="empty"])', { timeout: 60000 });
  await page.click(`#token-table button[aria-label="Reveal the secret of ${DOC.value[0].serialNumber}"]`);
  await page.waitForSelector('#token-table tr[data-record="0"] .secret-text[data-revealed="true"]');
  await page.click('#step-link-send');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  await page.click('#graph-requests > li[data-index="0"] [data-copy="body"]');
  await page.waitForSelector('#graph-requests > li[data-index="0"] [data-copy="body"][data-state]');
  const cdp = await raw.createCDPSession();
  // The check can fail: before Clear, the revealed key is in the page's heap.
  assert.ok(leaked(await heapStrings(cdp)).length > 0, 'the heap scan finds a revealed key');
  const workers = raw.workers().length;
  assert.ok(workers >= 3, `an owner and a scan pool (${workers} workers)`);

  // The test's own message recorder holds what the page received: emptied, so it does not count.
  await received(raw);
  await page.click('#clear-all');
  await page.click('#clear-confirm');
  await page.waitForFunction(() => /Everything was cleared/.test(document.querySelector('#app-status').textContent));
  assert.match(await page.textContent('#app-status'), /clipboard held text this page copied: it was emptied/);
  assert.equal(await raw.evaluate(() => navigator.clipboard.readText()), '', 'the copied body is off the clipboard');
  await page.waitForSelector('html[data-worker="ready"]');
  assert.equal(destroyed.length, workers, 'every worker that held tokens was terminated');
  assert.deepEqual(leaked(await heapStrings(cdp)), [], 'a key is left in the page\'s heap');
  for (const w of raw.workers()) assert.deepEqual(leaked(await heapStrings(w.client)), [], `a key is left in worker ${w.url()}`);
  // The page's own thread never instantiated the engine (so it has no wasm memory to wipe); the
  // owner worker did (the same query finds it there).
  assert.equal(await instances(cdp), 0, 'the page\'s thread has a wasm instance');
  const counts = await Promise.all(raw.workers().map((w) => instances(w.client)));
  assert.ok(counts.every((n) => n === 1), `each worker has its one engine (${counts})`);
  await raw.close();
});
