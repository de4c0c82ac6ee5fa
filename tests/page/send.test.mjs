// Panels 3 and 4 in Debian Chromium: variants equal the CLI's and print as end-user notes; a
// bulk request copied from the page is the CLI's request; an activation code is the token's code
// with its expiry shown; a pasted Graph answer with one failure is mapped to the right serial.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, root, screenshot } from './harness.mjs';

const DEMO = path.join(root, 'www/demo/token2-demo.json');
const doc = JSON.parse(fs.readFileSync(DEMO, 'utf8'));
const SECRETS = doc.value.map((t) => t.secretKey);
const CLIP = ['clipboard-read', 'clipboard-write'];

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

async function loadDemo(page) {
  await page.click('#tab-file');
  await page.click('text=Load demo file');
  await page.waitForSelector('#file-results:not([hidden]):not([data-busy])');
}

async function copied(page, button) {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click(button);
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
  return page.evaluate(() => navigator.clipboard.readText());
}

test('Variants and Graph panels say what they need before a file is loaded', async () => {
  const { page, assertClean } = await env.open({ hash: '#graph' });
  assert.match(await page.textContent('#graph-empty'), /Load a token file first/);
  assert.equal(await page.isHidden('#graph-body'), true);
  await page.click('#graph-empty button');
  assert.equal(await page.getAttribute('#tab-file', 'aria-selected'), 'true');
  // Arrow keys move between tabs.
  await page.focus('#tab-file');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-variants', 'aria-selected'), 'true');
  assert.match(await page.textContent('#variants-empty'), /Load a token file first/);
  assertClean();
});

test('bulk create: the copied body, URL and PowerShell are the CLI\'s; secrets hidden on screen', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  await loadDemo(page);
  await page.click('#tab-graph');
  await page.fill('#graph-chunk', '3');
  await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 2);
  const json = JSON.parse(cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'json']));
  const http = cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'http']);
  const ps = cli(['graph', DEMO, '--request', 'create-bulk', '--chunk', '3', '--format', 'powershell']);
  assert.equal(json.length, 2);

  const first = '#graph-requests > li[data-index="0"]';
  const body = await copied(page, `${first} [data-copy="body"]`);
  assert.deepEqual(JSON.parse(body), json[0].body);
  assert.ok(http.includes(`${json[0].method} ${json[0].url}\n\n${body}`), 'the copied body is the CLI\'s text');
  assert.equal(await copied(page, `${first} [data-copy="url"]`), json[0].url);
  const psCopied = await copied(page, `${first} [data-copy="powershell"]`);
  assert.ok(ps.includes(psCopied.trimEnd()), 'the PowerShell command is the CLI\'s');
  assert.match(await copied(page, `${first} [data-copy="curl"]`), /^curl -X PATCH 'https:\/\/graph\.microsoft\.com\/beta\/directory\/authenticationMethodDevices\/hardwareOathDevices'/);
  assert.equal(await page.textContent(`${first} .method`), 'PATCH');

  // The keys are in the copied body but not on screen, unless asked for.
  const shown = await page.textContent(`${first} pre`);
  for (const s of SECRETS) assert.ok(!shown.includes(s), 'a secret is shown in the body');
  assert.ok(body.includes(SECRETS[0]));
  await page.click(`${first} button:has-text("Show secrets")`);
  assert.ok((await page.textContent(`${first} pre`)).includes(SECRETS[0]));
  await page.click(`${first} button:has-text("Hide secrets")`);

  // Download gives the body as a file.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`${first} [data-download]`)]);
  assert.equal(fs.readFileSync(await dl.path(), 'utf8'), body);

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
  assert.equal(await page.textContent('#reconcile-results [data-stat="failed"] .stat__value'), '1');
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'graph-bulk');

  // "Use id" on a created token prepares an assign request for that device.
  await page.click('#reconcile tbody tr[data-result="created"] >> nth=0 >> button');
  assert.equal(await page.inputValue('#graph-kind'), 'assign');
  assert.equal(await page.inputValue('#graph-device'), '6a1b2c3d-0000-4000-8000-000000000000');
  assertClean(SECRETS);
});

test('activate: the verification code is the token\'s own at that time, with its expiry counting down', async () => {
  const { page, assertClean } = await env.open();
  await loadDemo(page);
  await page.click('#tab-graph');
  await page.selectOption('#graph-kind', 'activate');
  await page.waitForSelector('#graph-error:not([hidden])');
  assert.match(await page.textContent('#graph-error'), /device's Graph id/);
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
  await screenshot(page, 'graph-activate');
  assertClean(SECRETS);
});

test('variants: the JSON is the CLI\'s, the notes print, and requests can be built for them', async () => {
  const { page, assertClean } = await env.open({ permissions: CLIP });
  await loadDemo(page);
  await page.click('#tab-variants');
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

  // The printable notes: one card per variant, the rest of the page hidden.
  await page.evaluate(() => { document.body.dataset.print = 'notes'; });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.$$eval('#print-notes .note-card', (cs) => cs.filter((c) => c.offsetParent !== null).length), 10);
  assert.equal(await page.isHidden('main'), true);
  await screenshot(page, 'variants-print');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => { delete document.body.dataset.print; });
  assert.equal(await page.isHidden('#print-notes'), true);
  await screenshot(page, 'variants');

  // Build requests for the variants: the bulk body is the variants' body.
  await page.click('#variants-to-graph');
  assert.equal(await page.inputValue('#graph-source'), 'variants');
  await page.waitForFunction(() => document.querySelector('#graph-requests .request__tokens')?.textContent === 'tokens 1–10');
  const body = await copied(page, '#graph-requests > li[data-index="0"] [data-copy="body"]');
  assert.deepEqual(JSON.parse(body), expected.body);
  assertClean([...SECRETS, ...expected.body.value.map((v) => v.secretKey)]);
});
