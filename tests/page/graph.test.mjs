// Issue 13 in the page, in Debian Chromium: an admin with a legacy CSV that names users by UPN
// gets the resolve-users step, reads its pasted answer back (per user found / guest / disabled /
// not found), then the upload with object ids, assign and activate by serial from a pasted device
// listing, and the exact cleanup requests for a doubled token — each request with its permission
// and role, and each the CLI's own (the same command line, the same JSON). A request kind the
// engine's catalogue says takes no input shows none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, root, goStep, dropFile, secretsOf } from './harness.mjs';

const G = path.join(root, 'tests/fixtures/graph');
const CSV = path.join(G, 'legacy.csv');
const read = (f) => fs.readFileSync(path.join(G, f), 'utf8');
const SECRETS = secretsOf(CSV);

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** The requests on screen: method, URL and the masked body (no key here: the CSV's keys are masked). */
const shown = (page) => page.$$eval('#graph-requests > li', (lis) => lis.map((li) => ({
  method: li.querySelector('.method').textContent, url: li.querySelector('.request__url').textContent,
  body: li.querySelector('pre')?.textContent ?? null, warnings: [...li.querySelectorAll('.request__warnings [data-code]')].map((w) => w.dataset.code),
  permission: li.querySelector('.request__meta dd').textContent })));

async function kind(page, k) {
  await page.selectOption('#graph-kind', k);
  await page.waitForSelector('#graph-output[data-state="ok"], #graph-output[data-state="error"]');
}

test('a legacy CSV naming users by UPN: resolve, upload with ids, assign and activate by serial, the doubled-token cleanup', async () => {
  const { page, assertClean } = await env.open({ hash: '#load' });
  await dropFile(page, '#token-drop', 'legacy.csv', fs.readFileSync(CSV));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  await goStep(page, 'send');

  // 1. The resolve step: one $batch for the four UPNs, as the CLI writes it.
  await kind(page, 'resolve-users');
  const want = JSON.parse(cli(['graph', CSV, '--request', 'resolve-users', '--format', 'json']));
  let got = await shown(page);
  assert.deepEqual(got.map(({ method, url, permission }) => ({ method, url, permission })), want.map(({ method, url, permission }) => ({ method, url, permission })));
  assert.deepEqual(JSON.parse(got[0].body), want[0].body);
  assert.equal(await page.isVisible('#graph-device'), false, 'resolve-users takes no device id');

  // Without the answer, an upload that would name a UPN is refused, naming the step.
  await kind(page, 'assign-ref');
  await page.fill('#graph-serial', '865923701');
  await page.fill('#graph-device', 'aad49556-0000-4000-8000-000000000701');
  await page.waitForSelector('#graph-output[data-state="error"]');
  assert.match(await page.textContent('#graph-output'), /resolve-users/);

  // 2. The answer read back, per user; then the upload with object ids.
  await kind(page, 'create-bulk');
  await page.fill('#graph-users', read('users-batch.json'));
  await page.waitForSelector('#graph-users-report[data-state="ok"], #graph-users-report[data-state="warn"]');
  const states = await page.$$eval('#graph-users-list li', (lis) => lis.map((li) => li.dataset.state));
  assert.deepEqual(states, ['found', 'guest', 'disabled', 'notFound']);
  await page.waitForSelector('#graph-output[data-state="ok"]');
  const upload = JSON.parse(cli(['graph', CSV, '--request', 'create-bulk', '--users', path.join(G, 'users-batch.json'), '--format', 'json']));
  got = await shown(page);
  const body = JSON.parse(got[0].body);
  assert.deepEqual(body.value.map((i) => i.assignTo?.id ?? null), upload[0].body.value.map((i) => i.assignTo?.id ?? null));
  assert.deepEqual(got[0].warnings, upload[0].warnings.map((w) => w.code), 'the guest and the disabled user are warned about');
  assert.ok(got[0].permission.includes('UserAuthenticationMethod.ReadWrite.All'));

  // 3. Assign by serial: the device id from the pasted listing, the user by object id.
  await kind(page, 'assign');
  await page.fill('#graph-device', '');
  await page.fill('#graph-serial', '865923702');
  await page.fill('#graph-listing', read('listing.json'));
  await page.waitForSelector('#graph-output[data-state="ok"]');
  const assign = JSON.parse(cli(['graph', CSV, '--request', 'assign', '--serial', '865923702', '--users', path.join(G, 'users-batch.json'), '--listing', path.join(G, 'listing.json'), '--format', 'json']));
  got = await shown(page);
  assert.equal(got[0].url, assign[0].url);
  assert.deepEqual(JSON.parse(got[0].body), assign[0].body);
  assert.deepEqual(got[0].warnings, ['HW501']);

  // 4. Activate by serial: the code is computed here; the disabled user is warned about.
  await page.fill('#graph-serial', '865923703');
  await kind(page, 'activate');
  await page.waitForSelector('#graph-output[data-state="ok"] .expiry');
  got = await shown(page);
  assert.match(got[0].url, /\/users\/5a8b1c3e-0000-4000-8000-000000000003\/authentication\/hardwareOathMethods\/aad49556-0000-4000-8000-000000000703\/activate$/);
  assert.match(JSON.parse(got[0].body).verificationCode, /^\d{6}$/);
  assert.deepEqual(got[0].warnings, ['HW502']);
  assertClean(SECRETS);
});

test('the doubled token: cleanup-duplicate writes Microsoft\'s two DELETEs on the legacy id', async () => {
  const { page, assertClean } = await env.open({ hash: '#load' });
  const tokens = path.join(root, 'tests/golden/tokens.json');
  await dropFile(page, '#token-drop', 'tokens.json', fs.readFileSync(tokens));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden])');
  await goStep(page, 'send');
  await kind(page, 'cleanup-duplicate');
  await page.fill('#graph-serial', '865923712');
  await page.fill('#graph-methods', read('user-methods-doubled.json'));
  await page.fill('#graph-listing', read('listing-doubled.json'));
  await page.waitForSelector('#graph-output[data-state="ok"]');
  const want = JSON.parse(cli(['graph', tokens, '--request', 'cleanup-duplicate', '--serial', '865923712',
    '--user-methods', path.join(G, 'user-methods-doubled.json'), '--listing', path.join(G, 'listing-doubled.json'), '--format', 'json']));
  const got = await shown(page);
  assert.deepEqual(got.map((r) => `${r.method} ${r.url}`), want.map((r) => `${r.method} ${r.url}`));
  assert.equal(got.length, 2);
  assert.ok(got.every((r) => r.method === 'DELETE'));
  assertClean(secretsOf(tokens));
});
