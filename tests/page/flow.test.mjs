// The whole workflow in Debian Chromium on a realistic 20-token Token2 file with a short key and a
// secret typed in lower case with spaces: load, see the diagnostics, verify a code typed from the
// (simulated) device, build variants, copy a bulk request, paste Graph's answer and see it mapped.
// Then "Clear everything" leaves no secret in the page, its inputs or its state; and a keyboard-only
// pass goes through the flow with a visible focus at every stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { start, cli, root, screenshot, goStep, secretsOf, dropFile, shownDiagnostics, awayFromStepEdge, BROWSERS } from './harness.mjs';
import { launchFirefox, adapt } from './firefox.mjs';

const FILE = path.join(root, 'tests/fixtures/page/token2-20.json');
const DOC = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const SECRETS = secretsOf(FILE);
const DEMO = path.join(root, 'www/demo/token2-demo.json');
const CLIP = ['clipboard-read', 'clipboard-write'];
const HASH = { hmacsha1: 'sha1', hmacsha256: 'sha256' };

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });
const FIREFOX = BROWSERS.includes('firefox');

async function loadFile(page) {
  await dropFile(page, '#token-drop', path.basename(FILE), fs.readFileSync(FILE));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden]):not([data-busy])');
}

/** Everything a secret could hide in: the page text, every input value, the shared session. */
async function leftovers(page) {
  return page.evaluate(async () => {
    const { session } = await import('./js/session.js');
    return {
      text: document.body.innerText,
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea, select')].map((e) => e.value).join('\n'),
      state: JSON.stringify(session),
    };
  });
}

/** The whole workflow on `page` (opened at #load, clipboard permitted): the served page and the
 *  single offline file run exactly these steps. */
async function fullWorkflow(page) {
  await loadFile(page);

  // Check: the summary and every diagnostic are the CLI's.
  const report = JSON.parse(cli(['validate', FILE, '--json']));
  const stats = await page.$eval('#file-summary', (el) => Object.fromEntries([...el.querySelectorAll('[data-stat]')]
    .map((s) => [s.dataset.stat, s.querySelector('.stat__value').textContent])));
  assert.deepEqual(stats, { records: '20', valid: '20', invalid: '0', warnings: '1' });
  assert.match(await page.textContent('[data-stat="warnings"]'), /2 notices/);
  const shown = await shownDiagnostics(page);
  assert.deepEqual(shown.map(({ record, code, line, column, severity }) => ({ record, code, line, column, severity })),
    report.diagnostics.map(({ record, code, line, column, severity }) => ({ record, code, line, column, severity })));
  // Severity in text and icon, not colour alone.
  assert.equal(await page.textContent('#token-table tr.diag-row[data-record="15"] .sev'), 'warning');
  assert.equal(await page.textContent('#token-table tr.diag-row[data-record="15"] .sev-icon'), '\u25B2');
  const count = (k, v) => DOC.value.filter((t) => t[k] === v).length;
  assert.equal(await page.textContent('#file-mix'),
    `Hash: ${count('hashFunction', 'hmacsha1')} SHA-1, ${count('hashFunction', 'hmacsha256')} SHA-256 · Period: ${count('timeIntervalInSeconds', 30)} × 30 s, ${count('timeIntervalInSeconds', 60)} × 60 s`);
  assert.match(await page.textContent('#step-state-load'), /20 tokens/);
  assert.match(await page.textContent('#step-state-check'), /all valid/);
  await screenshot(page, 'flow-check');

  // Verify a code from the device of record 6 (SHA-1, 60 s) whose clock is 4 minutes behind.
  const t6 = DOC.value[6];
  assert.equal(t6.timeIntervalInSeconds, 60);
  await page.click(`#token-table button[aria-label="Verify a code from device ${t6.serialNumber}"]`);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verify-6-codes', 'focus goes to the code box');
  await awayFromStepEdge(page, 60, 8);
  const now = Math.floor(await page.evaluate(() => Date.now() / 1000));
  const code = cli(['totp', '--secret', t6.secretKey, '--hash', HASH[t6.hashFunction], '--period', '60', '--time', String(now - 240)]).trim();
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#verify-6-result[data-offset-steps]', { timeout: 30000 });
  assert.equal(await page.getAttribute('#verify-6-result', 'data-offset-steps'), '-4');
  assert.equal(await page.getAttribute('#verify-6-result', 'data-offset-seconds'), '-240');
  const verdict = await page.textContent('#verify-6-result');
  assert.match(verdict, /\u22124 steps · \u2212240 s/);
  const drift = cli(['drift', '--secret', t6.secretKey, '--period', '60', '--code', code, '--time', String(now)], { allowFail: true });
  const cliMessage = drift.match(/-4 step\(s\)(?: of 60 s)? = -240 s: (.*)/)[1];
  assert.ok(verdict.includes(cliMessage[0].toUpperCase() + cliMessage.slice(1)), `${verdict} has the CLI's verdict: ${cliMessage}`);
  assert.match(verdict, /✗ Outside: Sign-in window/);
  assert.match(verdict, /✓ Inside: Activation window/);
  await screenshot(page, 'flow-verify');

  // Variants, one copy each: the CLI's.
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  const variants = JSON.parse(cli(['variants', FILE, '--json']));
  assert.deepEqual(await page.$$eval('#variants tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent)),
    variants.variants.map((v) => v.serialNumber));

  // Send: 8 tokens per request; copy request 2 of 3; it is the CLI's.
  await page.click('#to-send');
  await page.waitForSelector('#step-send:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-send-title');
  await page.fill('#graph-chunk', '8');
  await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 3);
  const requests = JSON.parse(cli(['graph', FILE, '--request', 'create-bulk', '--chunk', '8', '--format', 'json']));
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click('#graph-requests > li[data-index="1"] [data-copy="body"]');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.deepEqual(JSON.parse(clip), requests[1].body);
  assert.ok(cli(['graph', FILE, '--request', 'create-bulk', '--chunk', '8', '--format', 'http']).includes(clip), 'byte for byte the CLI\'s body');
  assert.equal(await page.textContent('#copy-status'),
    'Copied request 2 of 3 (PATCH, 8 devices): the JSON body. The clipboard keeps it until you copy something else.');

  // Graph answers part 2 with the third token refused: mapped to its serial, as the CLI maps it.
  const part = requests[1].body.value;
  const answer = { value: part.map((t, i) => i === 2
    ? { '@contentId': t['@contentId'], error: { code: 'BadRequest', message: 'A device with this serial number already exists.' } }
    : { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: `6a1b2c3d-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
      device: { id: `6a1b2c3d-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, serialNumber: t.serialNumber, status: 'available', secretKey: null } }) };
  await page.fill('#response-text', JSON.stringify(answer, null, 2));
  await page.selectOption('#response-part', '2');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile tbody tr');
  const rows = await page.$$eval('#reconcile tbody tr', (trs) => trs.map((tr) => [tr.children[1].textContent, tr.dataset.result]));
  const failed = rows.filter((r) => r[1] === 'failed');
  assert.deepEqual(failed, [[part[2].serialNumber, 'failed']]);
  const tmp = path.join(root, 'target', 'page-flow-answer.json');
  fs.writeFileSync(tmp, JSON.stringify(answer));
  const expected = JSON.parse(cli(['reconcile', FILE, tmp, '--chunk', '8', '--part', '2', '--json'], { allowFail: true }));
  assert.deepEqual(rows, expected.tokens.map((t) => [t.serialNumber, t.result]));
}

/** Records what a page requests and logs; `check(url)` asserts it asked for nothing but the file
 *  at `url` (and blob:/data:), logged no error and no secret. */
function watch(page) {
  const requests = [];
  const logged = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { logged.push(m.text()); if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    check(url) {
      assert.deepEqual(requests.filter((u) => !u.startsWith(url) && !/^(blob|data):/.test(u)), [],
        'nothing but the file itself (and blob:/data:) was requested');
      assert.deepEqual(errors, [], 'console errors');
      for (const secret of SECRETS) assert.ok(!logged.some((m) => m.includes(secret)), 'a secret appeared in the console');
    },
  };
}

test('full workflow on a 20-token file: diagnostics, a device code\'s drift, variants, a copied request, Graph\'s answer', async () => {
  const { page, assertClean } = await env.open({ hash: '#load', permissions: CLIP });
  await fullWorkflow(page);
  await screenshot(page, 'flow-send');
  assertClean(SECRETS);
});

test('Firefox ESR: the same full workflow on the served page', { skip: !FIREFOX && 'HWOATH_BROWSERS has no firefox' }, async () => {
  const ff = await start({ browser: 'firefox' });
  try {
    const { page, assertClean } = await ff.open({ hash: '#load' });
    await fullWorkflow(page);
    await screenshot(page, 'flow-send-firefox');
    assertClean(SECRETS);
  } finally {
    await ff.close();
  }
});

test('Firefox ESR: the single offline file from file:// runs the same workflow and requests nothing else', { skip: !FIREFOX && 'HWOATH_BROWSERS has no firefox' }, async () => {
  const single = path.join(root, 'dist', 'hwoath.html');
  const browser = await launchFirefox(root);
  try {
    const raw = await browser.newPage();
    await raw.setViewport({ width: 1280, height: 900 });
    const page = adapt(raw);
    const seen = watch(page);
    const url = pathToFileURL(single).href;
    await page.goto(`${url}#load`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 15000 });
    await fullWorkflow(page);
    await screenshot(page, 'flow-send-single-file-firefox');
    seen.check(url);
  } finally {
    await browser.close();
  }
});

test('the single offline file (dist/hwoath.html) from file:// with the network off runs the same workflow', async () => {
  const single = path.join(root, 'dist', 'hwoath.html');
  assert.ok(fs.existsSync(single), 'dist/hwoath.html is missing: run `bash scripts/build.sh --single` (scripts/test.sh does)');
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  try {
    await context.grantPermissions(CLIP);
    await context.setOffline(true);
    await context.route('**/*', (route) => (/^(file|blob|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    const page = await context.newPage();
    const seen = watch(page);
    const url = pathToFileURL(single).href;
    await page.goto(`${url}#load`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    await fullWorkflow(page);
    await screenshot(page, 'flow-send-single-file');
    seen.check(url);
  } finally {
    await context.close();
  }
});

test('Clear everything: no secret left in the page text, the inputs or the state; workers replaced', async () => {
  const { page, assertClean, requests } = await env.open({ hash: '#load', permissions: CLIP });
  await loadFile(page);
  // Put secrets in as many places as possible: a revealed row, a verify box, the variants,
  // requests with secrets shown, Graph's answer, and a half-typed secret by hand.
  await page.click(`#token-table button[aria-label="Reveal the secret of ${DOC.value[0].serialNumber}"]`);
  await page.waitForSelector('#token-table tr[data-record="0"] .secret-text[data-revealed="true"]');
  await page.click(`#token-table button[aria-label="Verify a code from device ${DOC.value[1].serialNumber}"]`);
  await page.fill('#verify-1-codes', '123456');
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  await goStep(page, 'send');
  await page.waitForSelector('#graph-requests > li');
  await page.click('#graph-requests > li[data-index="0"] [data-copy="body"]');
  await page.waitForSelector('#graph-requests > li[data-index="0"] [data-copy="body"][data-state="copied"]');
  await page.fill('#response-text', '{"value": []}');
  await goStep(page, 'load');
  await page.fill('#manual-secret', DOC.value[3].secretKey);
  const before = await leftovers(page);
  assert.ok(SECRETS.some((s) => before.html.includes(s)), 'the test did put a secret in the page');
  assert.ok(SECRETS.some((s) => before.values.includes(s)), 'and in an input');
  assert.ok(!SECRETS.some((s) => before.state.includes(s)), 'the page\'s session never holds a key (the owner worker does)');
  assert.ok(SECRETS.some((s) => before.html.includes(s)), 'the revealed row is in the DOM');
  const workerLoads = () => requests.filter((u) => u.endsWith('/worker.js')).length;
  const workers = workerLoads();
  assert.ok(workers >= 2, `a pool of workers was started (${workers})`);

  await page.click('#clear-all');
  assert.equal(await page.isVisible('#clear-dialog'), true, 'a confirm dialog opens');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clear-cancel', 'focus on the safe choice');
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#clear-dialog'), false);
  const kept = await leftovers(page);
  assert.ok(SECRETS.some((s) => kept.html.includes(s)), 'Escape keeps the work');
  await page.click('#clear-all');
  await page.click('#clear-confirm');
  // The dialog's close event (which clears) fires in a later task; Load was already the open step.
  await page.waitForFunction(() => document.querySelector('#app-status').textContent !== '');
  await page.waitForSelector('#step-load:not([hidden])');
  assert.match(await page.textContent('#app-status'), /Everything was cleared.*The clipboard held text this page copied: it was emptied/);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '', 'the copied request is off the clipboard');
  const after_ = await leftovers(page);
  for (const s of SECRETS) {
    assert.ok(!after_.text.includes(s), 'a secret is left in the page text');
    assert.ok(!after_.html.includes(s), 'a secret is left in the DOM');
    assert.ok(!after_.values.includes(s), 'a secret is left in an input');
    assert.ok(!after_.state.includes(s), 'a secret is left in the state');
  }
  assert.match(after_.text, /Nothing is loaded yet|nothing loaded/);
  assert.equal(await page.inputValue('#manual-manufacturer'), 'Token2', 'inputs are back to their defaults');
  assert.equal(await page.inputValue('#graph-chunk'), '100');
  // The workers were terminated and fresh ones started (their wasm memory held the secrets).
  await page.waitForSelector('html[data-worker="ready"]');
  assert.equal(workerLoads(), 2 * workers, 'each worker was replaced by a fresh one');
  // The page still works: Check and Send are empty, the demo loads.
  await goStep(page, 'check');
  assert.equal(await page.isVisible('#check-empty'), true);
  assert.equal(await page.$$eval('#token-table tr', (t) => t.length), 0);
  await goStep(page, 'send');
  assert.equal(await page.isVisible('#graph-empty'), true);
  assert.equal(await page.$$eval('#graph-requests li, #sheet-preview *, #print-sheet *', (t) => t.length), 0);
  await goStep(page, 'load');
  await page.click('text=Start from the demo');
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  assertClean(SECRETS);
});

/** Presses Tab until the focused element's accessible name matches `name`, asserting at every stop
 *  that the focus is visible (an outline or a box shadow on :focus-visible) and that the element
 *  is on screen. */
async function tabTo(page, name, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const label = el.getAttribute('aria-label') || (el.labels?.[0]?.textContent) || el.textContent || el.id;
      return {
        label: label.trim().replace(/\s+/g, ' '), tag: el.tagName, id: el.id,
        matches: el.matches(':focus-visible'),
        outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1,
        shadow: cs.boxShadow !== 'none',
        size: r.width > 1 && r.height > 1,
      };
    });
    if (f.tag === 'BODY') continue;
    assert.ok(f.matches && (f.outline || f.shadow), `focus not visible on ${f.tag}#${f.id} "${f.label}"`);
    assert.ok(f.size, `focus on an invisible element ${f.tag}#${f.id} "${f.label}"`);
    if (typeof name === 'string' ? f.label === name : name.test(f.label)) return f;
  }
  throw new Error(`no control named ${name} within ${max} Tab presses`);
}

test('keyboard only: demo, Check, reveal a secret, Send, copy a request; focus visible at every stop', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  const doc = JSON.parse(fs.readFileSync(DEMO, 'utf8'));
  await tabTo(page, 'Start from the demo');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden]):not([data-busy])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-check-title', 'focus moves to the Check heading');
  await screenshot(page, 'keyboard-check');

  await tabTo(page, `Reveal the secret of ${doc.value[0].serialNumber}`);
  await page.keyboard.press('Space');
  const row = '#token-table tr[data-record="0"]';
  await page.waitForSelector(`${row} button[aria-pressed="true"]`);
  assert.equal((await page.textContent(`${row} .secret-text`)).trim(), doc.value[0].secretKey);
  await page.keyboard.press('Space');
  await page.waitForSelector(`${row} button[aria-pressed="false"]`);

  await tabTo(page, 'Continue to Send');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#step-send:not([hidden]) #graph-requests > li');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-send-title', 'focus moves to the Send heading');
  assert.equal(await page.getAttribute('#step-link-send', 'aria-current'), 'step');

  await page.evaluate(() => navigator.clipboard.writeText(''));
  await tabTo(page, 'Copy body');
  await page.keyboard.press('Enter');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
  const body = await page.evaluate(() => navigator.clipboard.readText());
  assert.deepEqual(JSON.parse(body), JSON.parse(cli(['graph', DEMO, '--request', 'create-bulk', '--format', 'json']))[0].body);
  assert.match(await page.textContent('#copy-status'), /^Copied the request \(PATCH, 5 devices\): the JSON body/);
  // The stepper is reachable by keyboard too: Shift+Tab back to it, Enter on "Load".
  await page.focus('#step-link-load');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#step-load:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-load-title');
  await screenshot(page, 'keyboard-load');
  assertClean(secretsOf(DEMO));
});
