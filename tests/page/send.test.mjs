// Variants (Check step) and the Send step in Debian Chromium: variants equal the CLI's; a bulk
// request copied from the page is the CLI's request and the page says which one was copied; an
// activation code is the token's code with its expiry shown; a pasted Graph answer with one
// failure is mapped to the right serial; the end-user sheet prints alone and holds no secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, root, screenshot, goStep, dropFile } from './harness.mjs';

const DEMO = path.join(root, 'www/demo/token2-demo.json');
const doc = JSON.parse(fs.readFileSync(DEMO, 'utf8'));
const SECRETS = doc.value.map((t) => t.secretKey);
const CLIP = ['clipboard-read', 'clipboard-write'];

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

async function loadDemo(page) {
  await goStep(page, 'load');
  await page.click('text=Start from the demo');
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden]):not([data-busy])');
}

async function copied(page, button) {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click(button);
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
  return page.evaluate(() => navigator.clipboard.readText());
}

test('with invalid records, Send and the variants point to them in the Check table, not back to Load', async () => {
  const { page, assertClean } = await env.open();
  const file = path.join(root, 'tests/fixtures/invalid/duplicate_secret.json');
  const { invalid } = JSON.parse(cli(['validate', file, '--json'], { allowFail: true }));
  assert.ok(invalid >= 2, 'the fixture has invalid records');
  await goStep(page, 'load');
  await dropFile(page, '#token-drop', 'duplicate_secret.json', fs.readFileSync(file));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  // In the Check step, the variants card: the filter is set and focused, the step stays.
  const here = await page.textContent('#variants-empty button');
  assert.equal(here, `Show the ${invalid} invalid records`);
  await page.click('#variants-empty button');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'row-filter');
  assert.equal(await page.inputValue('#row-filter'), 'invalid');
  assert.equal(await page.$$eval('#token-table tbody tr[data-record]', (rs) => new Set(rs.map((r) => r.dataset.record)).size), invalid, 'only the invalid rows are listed');
  // From Send: to the Check step, filtered the same way.
  await page.selectOption('#row-filter', 'all');
  await goStep(page, 'send');
  assert.match(await page.textContent('#graph-empty'), new RegExp(`have ${invalid} invalid records`));
  assert.equal(await page.isVisible('#graph-empty button:has-text("Go to step 1: Load")'), false);
  await page.click(`#graph-empty button:has-text("Show the ${invalid} invalid records")`);
  await page.waitForSelector('#step-check:not([hidden])');
  assert.equal(await page.inputValue('#row-filter'), 'invalid');
  assert.equal(await page.$$eval('#token-table tbody tr[data-record]', (rs) => new Set(rs.map((r) => r.dataset.record)).size), invalid);
  assertClean(JSON.parse(fs.readFileSync(file, 'utf8')).value.map((t) => t.secretKey).filter(Boolean));
});

test('Check and Send say what to do before anything is loaded, with a button back to Load', async () => {
  const { page, assertClean } = await env.open({ hash: '#send' });
  assert.equal(await page.getAttribute('#step-link-send', 'aria-current'), 'step');
  assert.match(await page.textContent('#graph-empty'), /Nothing is loaded yet/);
  assert.equal(await page.isHidden('#graph-body'), true);
  assert.match(await page.textContent('#step-state-send'), /waiting for valid tokens/);
  await page.click('#graph-empty button:has-text("Go to step 1: Load")');
  await page.waitForSelector('#step-load:not([hidden])');
  assert.equal(await page.getAttribute('#step-link-load', 'aria-current'), 'step');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'step-load-title', 'focus moves to the step heading');
  await goStep(page, 'check');
  assert.match(await page.textContent('#check-empty'), /Nothing is loaded yet/);
  assert.match(await page.textContent('#variants-empty'), /Nothing is loaded yet/);
  // Back and forward go through the steps visited, back to the first entry (opened on #send).
  await page.goBack();
  await page.waitForSelector('#step-load:not([hidden])');
  await page.goBack();
  await page.waitForSelector('#step-send:not([hidden])');
  await page.goForward();
  await page.waitForSelector('#step-load:not([hidden])');
  await page.goForward();
  await page.waitForSelector('#step-check:not([hidden])');

  // Opened without a hash: Back from a step returns to Load.
  const fresh = await env.open();
  await goStep(fresh.page, 'check');
  await fresh.page.goBack();
  await fresh.page.waitForSelector('#step-load:not([hidden])');
  fresh.assertClean();

  // A file with an invalid record: Send explains that it needs a file without errors.
  await goStep(page, 'load');
  await page.setInputFiles('#token-file', path.join(root, 'tests/fixtures/invalid/mixed.json'));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  assert.match(await page.textContent('#step-state-check'), /\d+ invalid/);
  await goStep(page, 'send');
  assert.match(await page.textContent('#graph-empty'), /invalid record/);
  assertClean();
});

test('bulk create: the copied body, URL and PowerShell are the CLI\'s; secrets hidden on screen', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  await loadDemo(page);
  await goStep(page, 'send');
  await page.fill('#graph-chunk', '3');
  await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 2);
  const json = JSON.parse(cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'json']));
  const http = cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'http']);
  const ps = cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'powershell']);
  assert.equal(json.length, 2);

  const first = '#graph-requests > li[data-index="0"]';
  const body = await copied(page, `${first} [data-copy="body"]`);
  assert.equal(await page.textContent('#copy-status'),
    'Copied request 1 of 2 (PATCH, 3 devices): the JSON body. The clipboard keeps it until you copy something else.');
  assert.equal(await page.getAttribute('#copy-status', 'aria-live'), 'polite');
  assert.equal(await page.textContent('#step-state-send'), '(copied request 1 of 2)');
  assert.deepEqual(JSON.parse(body), json[0].body);
  assert.ok(http.includes(`${json[0].method} ${json[0].url}\n\n${body}`), 'the copied body is the CLI\'s text');
  assert.equal(await copied(page, `${first} [data-copy="url"]`), json[0].url);
  const psCopied = await copied(page, `${first} [data-copy="powershell"]`);
  const [connect, ...invoke] = psCopied.trimEnd().split('\n');
  assert.ok(ps.startsWith(`${connect}\n`), 'the PowerShell starts with the CLI\'s Connect-MgGraph line');
  assert.ok(ps.includes(invoke.join('\n')), 'the PowerShell command is the CLI\'s');
  const curlCopied = await copied(page, `${first} [data-copy="curl"]`);
  assert.match(curlCopied, /^# hwoath_send FILE METHOD URL \[BODY\]/);
  assert.ok(curlCopied.includes("hwoath_send 'hwoath-response.json' PATCH 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices'"));
  assert.equal(await page.textContent(`${first} .method`), 'PATCH');

  // The keys are in the copied body but never on screen (the engine masks the body it shows).
  const shown = await page.textContent(`${first} pre`);
  for (const s of SECRETS) assert.ok(!shown.includes(s), 'a secret is shown in the body');
  assert.ok(body.includes(SECRETS[0]));

  // Download gives the body as a file.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`${first} [data-download]`)]);
  assert.equal(fs.readFileSync(await dl.path(), 'utf8'), body);
  assert.equal(dl.suggestedFilename(), 'hardwareOathDevices-part-1-of-2.json');
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('#graph-requests > li[data-index="1"] [data-download]')]);
  assert.equal(dl2.suggestedFilename(), 'hardwareOathDevices-part-2-of-2.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(await dl2.path(), 'utf8')), json[1].body);

  // Graph answers part 1 with one failure: it is mapped to serial 2300000000002.
  const part1 = json[0].body.value;
  const answer = { value: part1.map((t, i) => i === 1
    ? { '@contentId': t['@contentId'], error: { code: 'BadRequest', message: 'A device with this serial number already exists.' } }
    : { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: `6a1b2c3d-0000-4000-8000-00000000000${i}`,
      device: { id: `6a1b2c3d-0000-4000-8000-00000000000${i}`, serialNumber: t.serialNumber, status: 'available', secretKey: null } }) };
  await page.fill('#response-text', JSON.stringify(answer, null, 2));
  await page.selectOption('#response-part', '1');
  await page.click('#reconcile-btn');
  await page.waitForSelector('#reconcile tbody tr');
  const rows = await page.$$eval('#reconcile tbody tr', (trs) => trs.map((tr) => ({
    serial: tr.children[1].textContent, result: tr.dataset.result, reason: tr.children[6].textContent })));
  assert.deepEqual(rows.map((r) => [r.serial, r.result]),
    [['2300000000001', 'created'], ['2300000000002', 'failed'], ['2300000000003', 'created']]);
  assert.match(rows[1].reason, /already exists/);
  const tmp = path.join(root, 'target', 'page-answer.json');
  fs.writeFileSync(tmp, JSON.stringify(answer));
  const expected = JSON.parse(cli(['reconcile', DEMO, tmp, '--chunk', '3', '--part', '1', '--json'], { allowFail: true }));
  assert.deepEqual(rows.map((r) => [r.serial, r.result, r.reason]), expected.tokens.map((t) => [t.serialNumber, t.result, t.reason ?? '']));
  assert.equal(await page.textContent('#reconcile-output [data-stat="failed"] .stat__value'), '1');
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'send-bulk');

  // "Use id" on a created token prepares an assign request for that device.
  await page.click('#reconcile tbody tr[data-result="created"] >> nth=0 >> button');
  assert.equal(await page.inputValue('#graph-kind'), 'assign');
  assert.equal(await page.inputValue('#graph-device'), '6a1b2c3d-0000-4000-8000-000000000000');
  assertClean(SECRETS);
});

test('many requests: the first three show their masked body, a later one on "Show the body", the CLI\'s body masked', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  await loadDemo(page);
  await goStep(page, 'send');
  await page.fill('#graph-chunk', '1');
  await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 5);
  const json = JSON.parse(cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '1', '--format', 'json']));
  const card = (i) => `#graph-requests > li[data-index="${i}"]`;
  for (const i of [0, 1, 2]) {
    assert.equal(await page.isVisible(`${card(i)} pre`), true);
    assert.equal(await page.$(`${card(i)} [data-show="body"]`), null);
  }
  for (const i of [3, 4]) {
    assert.equal(await page.isVisible(`${card(i)} pre`), false, `request ${i + 1}'s body waits to be asked for`);
    assert.equal(await page.textContent(`${card(i)} [data-show="body"]`), 'Show the body (1 device)');
  }
  await page.click(`${card(4)} [data-show="body"]`);
  await page.waitForSelector(`${card(4)} pre:not([hidden])`);
  assert.equal(await page.$(`${card(4)} [data-show="body"]`), null, 'the button goes once the body is shown');
  const shown = JSON.parse(await page.textContent(`${card(4)} pre`));
  const want = json[4].body;
  assert.equal(shown.value[0].serialNumber, want.value[0].serialNumber);
  assert.equal(shown.value[0]['@contentId'], '5');
  assert.match(shown.value[0].secretKey, /^•+[A-Z2-7]{4}$/, 'the key is masked');
  assert.equal(shown.value[0].secretKey.slice(-4), want.value[0].secretKey.slice(-4));
  // Copying a body never shown gives the CLI's body with its key.
  assert.deepEqual(JSON.parse(await copied(page, `${card(3)} [data-copy="body"]`)), json[3].body);
  assertClean(SECRETS);
});

test('activate: the verification code is the token\'s own at that time, with its expiry counting down', async () => {
  const { page, assertClean } = await env.open();
  await loadDemo(page);
  await goStep(page, 'send');
  await page.selectOption('#graph-kind', 'activate');
  await page.waitForSelector('#graph-output[data-state="error"]');
  assert.match(await page.textContent('#graph-output'), /device's Graph id/);
  await page.fill('#graph-user', 'adele.vance@contoso.onmicrosoft.com');
  await page.fill('#graph-device', '6a1b2c3d-0000-4000-8000-000000000004');
  await page.fill('#graph-serial', '2300000000004'); // the 60 s SHA-256 token
  await page.waitForSelector('#graph-requests .expiry');
  const body = JSON.parse(await page.textContent('#graph-requests pre'));
  const url = await page.textContent('#graph-requests .request__url');
  assert.equal(url, 'https://graph.microsoft.com/beta/users/adele.vance@contoso.onmicrosoft.com/authentication/hardwareOathMethods/6a1b2c3d-0000-4000-8000-000000000004/activate');
  const note = await page.textContent('#graph-requests .request__meta');
  const expiresAt = Number(note.match(/expiresAt (\d+)/)[1]);
  const t = doc.value[3];
  assert.equal(t.timeIntervalInSeconds, 60);
  assert.equal(body.verificationCode,
    cli(['totp', '--secret', t.secretKey, '--hash', 'sha256', '--period', '60', '--time', String(expiresAt - 1)]).trim());
  assert.match(await page.textContent('#graph-requests .expiry'), /^Code valid for \d+ s \(until /);
  await screenshot(page, 'send-activate');
  assertClean(SECRETS);
});

test('variants: the JSON is the CLI\'s, they can be sent, and the end-user sheet prints them without a secret', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  await loadDemo(page);
  await page.fill('#copies', '2');
  await page.click('#variants-make');
  await page.waitForSelector('#variants-results:not([hidden])');
  const expected = JSON.parse(cli(['variants', DEMO, '--copies', '2', '--json']));
  const rows = await page.$$eval('#variants tbody tr', (trs) => trs.map((tr) => ({
    record: Number(tr.dataset.record), copy: Number(tr.dataset.copy), serialNumber: tr.children[3].textContent, note: tr.children[4].textContent })));
  assert.deepEqual(rows, expected.variants);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#variants-download')]);
  const text = fs.readFileSync(await dl.path(), 'utf8');
  assert.equal(text, cli(['variants', DEMO, '--copies', '2']));
  assert.equal(await copied(page, '#variants-copy'), text);
  await screenshot(page, 'check-variants');

  // Send these variants: the bulk body is the variants' body.
  await page.click('#variants-to-graph');
  await page.waitForSelector('#step-send:not([hidden])');
  assert.equal(await page.inputValue('#graph-source'), 'variants');
  await page.waitForFunction(() => document.querySelector('#graph-requests .request__tokens')?.textContent === 'tokens 1–10');
  const body = await copied(page, '#graph-requests > li[data-index="0"] [data-copy="body"]');
  assert.deepEqual(JSON.parse(body), expected.body);
  assert.equal(await page.textContent('#copy-status'),
    'Copied the request (PATCH, 10 devices): the JSON body. The clipboard keeps it until you copy something else.');

  // The end-user sheet: one block per variant with the serial to type and the steps; printing
  // shows the sheet only; no secret (of the file or of a variant) is on it.
  const blocks = await page.$$eval('#sheet-preview .sheet-block', (bs) => bs.map((b) => b.dataset.serial));
  assert.deepEqual(blocks, expected.variants.slice(0, 2).map((v) => v.serialNumber));
  assert.match(await page.textContent('#sheet-preview'), /… and 8 more on the printed sheet/);
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.emulateMedia({ media: 'print' });
  const printed = await page.$$eval('#print-sheet .sheet-block', (bs) => bs.filter((b) => b.offsetParent !== null).map((b) => ({
    serial: b.dataset.serial, text: b.innerText })));
  assert.deepEqual(printed.map((b) => b.serial), expected.variants.map((v) => v.serialNumber));
  for (const b of printed) {
    assert.match(b.text, /https:\/\/mysignins\.microsoft\.com\/security-info/);
    assert.match(b.text, /Add sign-in method/);
    assert.match(b.text, /Hardware token/);
    assert.ok(b.text.includes(`Type the serial number ${b.serial}`), b.text);
  }
  assert.equal(await page.isHidden('main'), true, 'only the sheet prints');
  assert.equal(await page.isHidden('.stepbar'), true);
  const sheetText = await page.$eval('#print-sheet', (el) => el.innerText);
  const keys = [...SECRETS, ...expected.body.value.map((v) => v.secretKey)];
  for (const k of keys) assert.ok(!sheetText.includes(k) && !sheetText.includes(k.slice(-8)), 'a secret is on the sheet');
  await screenshot(page, 'send-sheet-print');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  assert.equal(await page.isHidden('#print-sheet'), true);
  assertClean(keys);
});
