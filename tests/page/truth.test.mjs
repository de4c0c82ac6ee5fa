// What the admin sees is true (issue 10): a refused request is never shown as created, a hidden
// control never changes what is built, an empty file says so and drops the previous file's views,
// bidi controls are flagged where the end-user sheet would show them, and every result view is
// emptied the moment an input it was computed from changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, root, goStep, dropFile, secretsOf } from './harness.mjs';

const FILE = path.join(root, 'tests/fixtures/page/token2-20.json');
const DOC = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const SECRETS = secretsOf(FILE);

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

async function load(page, file = FILE) {
  await goStep(page, 'load');
  await dropFile(page, '#token-drop', path.basename(file), fs.readFileSync(file));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
}

const state = (page, sel) => page.getAttribute(sel, 'data-state');

/** Sets a control's value, fires `event`, and reads the view's state in the same task: "at once"
 *  means before the worker can answer (a small build answers within one round trip of the test). */
const changeThenState = (page, control, value, event, view) => page.evaluate(([c, v, e, o]) => {
  const el = document.querySelector(c);
  el.value = v;
  el.dispatchEvent(new Event(e, { bubbles: true }));
  return document.querySelector(o).dataset.state;
}, [control, value, event, view]);

/** Graph's answer to a bulk part: every token of `part` created. */
function created(part) {
  return { value: part.map((t, i) => ({ '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: `6a1b2c3d-0000-4000-8000-${String(i).padStart(12, '0')}`,
    device: { id: `6a1b2c3d-0000-4000-8000-${String(i).padStart(12, '0')}`, serialNumber: t.serialNumber, status: 'available', secretKey: null } })) };
}

test('success → Use id → the part mixed up → Graph\'s error: the error is shown, never "created"', async () => {
  const { page, assertClean } = await env.open();
  await load(page);
  await goStep(page, 'send');
  await page.fill('#graph-chunk', '10');
  await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 2);
  const parts = JSON.parse(cli(['graph', FILE, '--request', 'create-bulk', '--chunk', '10', '--format', 'json']));
  await page.fill('#response-text', JSON.stringify(created(parts[0].body.value)));
  await page.selectOption('#response-part', '1');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile-output[data-state="ok"] #reconcile');
  assert.equal(await page.textContent('#reconcile-output [data-stat="created"] .stat__value'), '10');
  // Use id: the form switches to a request that takes a device id.
  await page.click('#reconcile tbody tr[data-result="created"] >> nth=0 >> button');
  assert.notEqual(await page.inputValue('#graph-kind'), 'create-bulk');
  // The answer of part 1 given as part 2: the previous result goes at once.
  await page.selectOption('#response-part', '2');
  assert.equal(await state(page, '#reconcile-output'), 'empty', 'a changed "Answer to" drops the result');
  // Graph's error answer, mapped: the error replaces everything; nothing says created.
  await page.fill('#response-text', JSON.stringify({ error: { code: 'BadRequest', message: 'Invalid request body.', innerError: { 'request-id': '1c5e' } } }));
  assert.equal(await state(page, '#reconcile-output'), 'empty');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile-output:not([data-state="busy"]):not([data-state="empty"])');
  const text = await page.textContent('#reconcile-output');
  const createdShown = await page.$eval('#reconcile-output', (el) => el.querySelector('[data-stat="created"] .stat__value')?.textContent ?? '0');
  assert.equal(createdShown, '0', `no token is shown as created: ${text}`);
  assert.match(text, /BadRequest|Invalid request body/);
  assert.ok(!(await page.$('#reconcile tbody tr[data-result="created"]')), 'no row says created');
  assertClean(SECRETS);
});

test('Use id, then bulk create again: the hidden serial filter does not shrink the upload', async () => {
  const { page, assertClean } = await env.open();
  await load(page);
  await goStep(page, 'send');
  await page.waitForSelector('#graph-requests > li');
  const parts = JSON.parse(cli(['graph', FILE, '--request', 'create-bulk', '--format', 'json']));
  await page.fill('#response-text', JSON.stringify(created(parts[0].body.value)));
  await page.click('#reconcile-btn');
  await page.click('#reconcile tbody tr[data-result="created"] >> nth=0 >> button');
  assert.equal(await page.inputValue('#graph-serial'), DOC.value[0].serialNumber, 'Use id fills the serial');
  await page.fill('#graph-user', '0cadbf92-1234-4abc-9def-0123456789ab');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  assert.match(await page.textContent('#graph-meta'), /for 1 token/);
  await page.selectOption('#graph-kind', 'create-bulk');
  assert.equal(await page.isVisible('#graph-serial'), false, 'the serial filter is hidden for a bulk create');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  assert.match(await page.textContent('#graph-meta'), new RegExp(`1 request for ${DOC.value.length} tokens`));
  assertClean(SECRETS);
});

test('a 0-byte file says the file is empty and drops the previous file\'s views', async () => {
  const { page, assertClean } = await env.open();
  await load(page);
  await goStep(page, 'load');
  await dropFile(page, '#token-drop', 'empty.json', Buffer.alloc(0));
  await page.waitForSelector('#file-error:not([hidden])');
  assert.match(await page.textContent('#file-error'), /the file is empty/i);
  assert.equal(await page.isVisible('#load-current'), false, 'no "Loaded …" card for the previous file');
  await goStep(page, 'check');
  assert.equal(await page.isVisible('#file-results'), false, 'the previous file\'s Check views are gone');
  await goStep(page, 'send');
  assert.equal(await page.isVisible('#graph-body'), false);
  assert.match(await page.textContent('#step-state-load'), /nothing loaded/);
  assertClean(SECRETS);
});

test('every result view is emptied the moment an input it was computed from changes', async () => {
  const { page, assertClean } = await env.open({ permissions: ['clipboard-read', 'clipboard-write'] });
  await load(page);
  const t = DOC.value[2];
  // Verify box ← what was typed, and the tokens (an edit of another record).
  await page.click(`#token-table button[aria-label="Verify a code from device ${t.serialNumber}"]`);
  await page.fill('#verify-2-codes', '12');
  await page.click('#verify-row-2 button[type="submit"]');
  await page.waitForSelector('#verify-2-result[data-state="error"]');
  await page.fill('#verify-2-codes', '123');
  assert.equal(await state(page, '#verify-2-result'), 'empty', 'typing drops the verdict');
  await page.click('#verify-row-2 button[type="submit"]');
  await page.waitForSelector('#verify-2-result[data-state="error"]');
  await page.click(`#token-table button[aria-label="Edit record ${DOC.value[5].serialNumber}"]`);
  await page.fill('#edit-5-displayName', 'Front desk');
  await page.click('#edit-row-5 button[type="submit"]');
  await page.waitForFunction(() => !document.querySelector('#edit-row-5'));
  assert.equal(await state(page, '#verify-2-result'), 'empty', 'an edit of the tokens drops the verdict');

  // Variants ← copies, the token chosen, the tokens.
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  await page.fill('#copies', '2');
  assert.equal(await page.isVisible('#variants-results'), false, 'new copies drop the variants');
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  await page.selectOption('#variants-record', '3');
  assert.equal(await page.isVisible('#variants-results'), false, 'another token drops the variants');

  // Requests ← kind, chunk, the tokens; Graph's answer ← text, part, the tokens.
  await goStep(page, 'send');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  assert.equal(await changeThenState(page, '#graph-chunk', '7', 'input', '#graph-output'), 'busy', 'a new chunk size marks the requests out of date at once');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  assert.equal(await changeThenState(page, '#graph-kind', 'list', 'change', '#graph-output'), 'busy', 'another kind marks the requests out of date at once');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  await page.fill('#response-text', '{"value": []}');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile-output:not([data-state="busy"]):not([data-state="empty"])');
  await page.fill('#response-text', '{"value": [ ]}');
  assert.equal(await state(page, '#reconcile-output'), 'empty', 'new answer text drops the mapping');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile-output:not([data-state="busy"]):not([data-state="empty"])');
  await goStep(page, 'check');
  await page.click(`#token-table button[aria-label="Remove record 1"]`);
  await page.waitForSelector('#token-table tr.row--removed[data-record="0"]');
  assert.equal(await state(page, '#reconcile-output'), 'empty', 'removing a record drops the mapping');
  await goStep(page, 'send');
  await page.waitForSelector('#graph-output[data-state="ok"]');
  assert.match(await page.textContent('#graph-meta'), new RegExp(`for ${DOC.value.length - 1} tokens`), 'the requests are built for the set without the removed record');
  assertClean(SECRETS);
});
