// Leak scanner, JS API side (Node, no browser): every input under tests/fixtures/** goes through
// every call of the wasm package (pkg/, built by scripts/build.sh) that reads a token file or a
// secret; each returned value, each thrown message and everything written to the console is
// searched for the input's secrets (rules in secrets.mjs). Results meant to carry secrets may hold
// them only as `secretKey` values (normalize's json, variants' body/json, create request bodies)
// or, for parseTokens, in each row's documented `secret` field; everything else must hold none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, fixtureInputs, fixturesWithSecrets, sidecar, decode, secretsOf, scanner, withoutSecretKeys, mask, echoingAnswer } from './secrets.mjs';

const pkg = path.resolve(FIXTURES, '../../pkg');
if (!fs.existsSync(path.join(pkg, 'hwoath_bg.wasm'))) throw new Error('pkg/ is missing: run `bash scripts/build.sh` first');
const api = await import(pathToFileURL(path.join(pkg, 'hwoath.js')).href);
api.initSync({ module: fs.readFileSync(path.join(pkg, 'hwoath_bg.wasm')) });

const TIME = 1700000000;
const USER = '0cadbf92-1111-4222-8333-444455556666';
const DEVICE = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const KINDS = ['create-bulk', 'create', 'assign', 'activate', 'assign-and-activate', 'assign-and-activate-by-serial',
  'deactivate', 'unassign', 'delete', 'list', 'enable-policy'];
const CARRYING = new Set(['create-bulk', 'create']);

/** Calls `fn` with the console captured: {value, thrown, console}. */
function call(fn) {
  const lines = [];
  const saved = {};
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    saved[m] = console[m];
    console[m] = (...a) => lines.push(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' '));
  }
  try {
    return { value: fn(), thrown: null, console: lines };
  } catch (err) {
    return { value: undefined, thrown: `${err?.message}\n${err?.stack ?? ''}`, console: lines };
  } finally {
    Object.assign(console, saved);
  }
}

/** The same as one error body for the whole request. */
const echoingError = (tokens) => JSON.stringify({ error: { code: 'Request_BadRequest',
  message: `secretKey values rejected: ${tokens.map((t) => t.secretKey).join(', ')}`, innerError: { 'request-id': 'r-1' } } });

let clean;
/** A fixture every call accepts as is (no error, no options sidecar): the token file other
 *  fixtures are given to as a listing or an answer. */
function cleanTokenFile() {
  clean ??= fixtureInputs().filter((rel) => rel.startsWith('valid/') && !sidecar(rel).listing.length && !sidecar(rel).hashFunction)
    .map((rel) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8'))
    .find((text) => {
      const r = call(() => api.validate(text, {})).value;
      return r && r.records > 0 && !r.diagnostics.some((d) => d.severity === 'error');
    });
  assert.ok(clean, 'a clean token fixture');
  return clean;
}

/** Every call for one fixture, as [label, () => value, carries, allowKeys]. Inputs over 1 MB
 *  (each call on them costs a fraction of a second) get one call per function: the paths a big
 *  input takes are the same as a small one's. */
function calls(text, rel, secrets) {
  const detail = text.length <= 1e6;
  const side = sidecar(rel);
  const listing = side.listing.map((p) => fs.readFileSync(path.join(FIXTURES, p), 'utf8'));
  const opts = { listing, ...(side.hashFunction ? { hashFunction: side.hashFunction } : {}) };
  const hash = side.hashFunction ? { hashFunction: side.hashFunction } : {};
  const list = [
    ['validate', () => api.validate(text, opts), false],
    ['validate format csv', () => api.validate(text, { ...opts, format: 'csv' }), false],
    ['validate format json', () => api.validate(text, { ...opts, format: 'json' }), false],
    ['normalize', () => api.normalize(text, opts), true],
    ['normalize skipInvalid', () => api.normalize(text, { ...opts, skipInvalid: true }), true],
    ['parseTokens', () => api.parseTokens(text, opts), false, ['secret']],
    ['variants', () => api.variants(text, { listing, ...hash }), true],
    ['variants copies 2', () => api.variants(text, { copies: 2, listing, ...hash }), true],
  ];
  if (!detail) list.splice(1, 2);
  let tokens = [];
  try { tokens = JSON.parse(api.normalize(text, { ...opts, skipInvalid: true }).json ?? '{}').value ?? []; } catch { /* unusable */ }
  const serial = tokens[0]?.serialNumber;
  for (const kind of detail ? KINDS : KINDS.slice(0, 1)) {
    const o = { request: kind, time: TIME, user: USER, deviceId: DEVICE, ...hash };
    if (serial && !['create-bulk', 'enable-policy'].includes(kind)) o.serial = serial;
    list.push([`graphRequests ${kind}`, () => api.graphRequests(text, o), CARRYING.has(kind)]);
  }
  list.push(['reconcile echoing items', () => api.reconcile(text, echoingAnswer(tokens.map((t) => ({ contentId: t['@contentId'], key: t.secretKey }))), hash), false]);
  if (!detail) return list;
  // The file where another kind of input belongs: as a tenant listing, and as Graph's answer to
  // the create of a clean token file; errors and mappings must not quote it.
  list.push(['parseListing', () => api.parseListing(text), false]);
  list.push(['validate with it as listing', () => api.validate(cleanTokenFile(), { listing: [text] }), false]);
  list.push(['variants with it as listing', () => api.variants(cleanTokenFile(), { listing: [text] }), true]);
  list.push(['reconcile with it as answer', () => api.reconcile(cleanTokenFile(), text), false]);
  list.push(['reconcile echoing error', () => api.reconcile(text, echoingError(tokens), { chunk: 1, part: 1, ...hash }), false]);
  const written = [...new Set(secrets.written.filter((w) => w && !w.includes('\0') && w.length <= 4096))];
  for (const [i, w] of written.slice(0, 3).entries()) list.push([`inspectSecret written ${i}`, () => api.inspectSecret(w), false, ['canonical']]);
  const ok = written.find((w) => api.inspectSecret(w).valid);
  if (ok) {
    list.push(['totp', () => api.totp(ok, { time: TIME }), false]);
    list.push(['verifyCode', () => api.verifyCode(ok, { time: TIME, code: '000000' }), false]);
    list.push(['findDrift', () => api.findDrift(ok, { time: TIME, codes: ['000000', '999999'], maxSteps: 100 }), false]);
  }
  return list;
}

test('no wasm API result, thrown message or console line leaks a secret of any fixture', () => {
  const t0 = performance.now();
  const findings = [];
  const fixtures = fixturesWithSecrets();
  const scanned = fixtures.length;
  let runs = 0;
  let carried = 0;
  for (const { rel, bytes, secrets, scan } of fixtures) {
    const text = decode(bytes);
    for (const [label, fn, carries, allowKeys = []] of calls(text, rel, secrets)) {
      runs++;
      const r = call(fn);
      const value = r.value === undefined ? '' : JSON.stringify(r.value);
      if ((carries || allowKeys.length) && scan.find(value)) carried++;
      const kept = carries || allowKeys.length ? JSON.stringify(withoutSecretKeys(r.value ?? null, allowKeys)) : value;
      for (const [stream, out] of [['result', kept], ['thrown', r.thrown ?? ''], ['console', r.console.join('\n')]]) {
        const what = scan.find(out);
        if (what) findings.push(`${rel}: ${label} ${stream}: ${what}`);
      }
    }
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`wasm leak scan: ${scanned} fixtures with secrets, ${runs} calls × 3 channels (${carried} carrying results held secrets where allowed) in ${s} s`);
  assert.ok(scanned >= 50, `only ${scanned} fixtures had secrets to look for`);
  assert.ok(carried >= scanned, `only ${carried} carrying results held a secret before stripping`);
  assert.deepEqual(findings, []);
});

test('the JS extraction finds every key the wasm reader decodes, in every fixture', () => {
  let checked = 0;
  for (const rel of fixtureInputs()) {
    const bytes = fs.readFileSync(path.join(FIXTURES, rel));
    const r = call(() => api.parseTokens(decode(bytes), {}));
    if (!r.value) continue;
    const { canonical } = secretsOf(bytes);
    for (const row of r.value.records) {
      if (row.secret && row.secret.length >= 8) {
        assert.ok(canonical.includes(row.secret), `${rel}: record ${row.index} key (${mask(row.secret)}) not extracted`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 100, `only ${checked} keys checked`);
});

test('extraction counts known fixtures, keeps broken JSON and UTF-16, ignores short values', () => {
  const read = (p) => fs.readFileSync(path.join(FIXTURES, p));
  const csv = read('valid/legacy.csv');
  const rows = csv.toString('utf8').split(/\r?\n/).slice(1).filter((l) => l.trim()).length;
  assert.equal(secretsOf(csv).written.length, rows);
  for (const p of ['valid/key_case.json', 'valid/equivalent_keys.json', 'invalid/mixed.json']) {
    const items = JSON.parse(read(p)).value.filter((i) => i && typeof i === 'object'
      && Object.entries(i).some(([k, v]) => k.toLowerCase() === 'secretkey' && typeof v === 'string'));
    assert.equal(secretsOf(read(p)).written.length, items.length, p);
  }
  const broken = Buffer.from('{"value": [{"secretKey": "JBSWY3DPEHPK3PXP", "SECRETKEY": "GEZDGNBVGY3TQOJQ"}, {"secretKey": "MFRGGZDFMZTWQ2LK');
  assert.deepEqual(secretsOf(broken).written, ['JBSWY3DPEHPK3PXP', 'GEZDGNBVGY3TQOJQ']);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('secret key\nJBSWY3DPEHPK3PXP\n', 'utf16le')]);
  assert.deepEqual(secretsOf(utf16).written, ['JBSWY3DPEHPK3PXP']);
  const other = secretsOf(Buffer.from('[{"serialNumber": "12345678901", "secretKey": "12345678901"}]'));
  assert.equal(other.written.length, 1);
  assert.deepEqual(other.forms, [], 'the text of another field is not searched for');
  const short = secretsOf(Buffer.from('{"secretKey": "JBSWY3D"}'));
  assert.equal(short.written.length, 1);
  assert.deepEqual(short.forms, []);
  // Lenient forms decode to the canonical key (the same as the wasm reader's).
  const lenient = secretsOf(Buffer.from('[{"secretKey": "jbsw-y3dp ehpk 3pxp===="}]'));
  assert.ok(lenient.forms.includes('JBSWY3DPEHPK3PXP') && lenient.forms.includes('jbswy3dpehpk3pxp'));
});

test('the scanner finds planted secrets, masked, and lets only secretKey values through', () => {
  const secrets = secretsOf(Buffer.from('[{"secretKey": "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"}]'));
  const c = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const scan = scanner(secrets);
  assert.equal(scan.find('record 1 secretKey: 32 characters, ••••3PXP'), null);
  for (const leaked of [`bad ${c}`, `bad ${c.toLowerCase()}`, 'jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp', `${c.slice(0, 12)}…`, `…${c.slice(20).toLowerCase()}`]) {
    const found = scan.find(leaked);
    assert.ok(found, 'a planted secret is found');
    assert.ok(!found.includes(c.slice(0, 8)) && !found.toLowerCase().includes(c.slice(0, 8).toLowerCase()), 'the finding shows the secret');
  }
  assert.equal(scan.find(JSON.stringify(withoutSecretKeys({ value: [{ secretKey: c, model: 'C202' }], json: `{"secretKey": "${c}"}` }))), null);
  assert.ok(scan.find(JSON.stringify(withoutSecretKeys({ secretKey: c, displayName: c }))));
  assert.ok(scan.find(JSON.stringify(withoutSecretKeys({ records: [{ secret: c }] }))), 'secret only allowed when named');
  assert.equal(scan.find(JSON.stringify(withoutSecretKeys({ records: [{ secret: c }] }, ['secret']))), null);
});
