// The OpenPGP module's JS API (www/pkg/hwoath_pgp.js, built by scripts/build.sh) under Node,
// against the real GnuPG: every gpg key type armored and binary, every compression, signatures,
// password-only messages, keys made by generateKey imported and used by gpg, every refusal with
// its code and message, expiry and revocation at the `now` given, a leak scan of every result,
// thrown message and console line, and the decrypt time of a 10,000-token file (reported, never
// asserted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Gpg, buildMaterial, tokenFile, armorLines } from './gnupg.mjs';
import { secretsOf, scanner, stripSecretKeyValues } from '../page/secrets.mjs';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pkg = path.join(root, 'www', 'pkg');
if (!fs.existsSync(path.join(pkg, 'hwoath_pgp_bg.wasm'))) throw new Error('www/pkg/hwoath_pgp_bg.wasm is missing: run `bash scripts/build.sh` first');
const pgp = await import(pathToFileURL(path.join(pkg, 'hwoath_pgp.js')).href);
pgp.initSync({ module: fs.readFileSync(path.join(pkg, 'hwoath_pgp_bg.wasm')) });

const NOW = Math.floor(Date.now() / 1000);
const groups = (hex) => hex.match(/.{4}/g).join(' ');
let m;
/** Every call's outcome, for the leak scan: {what, value, thrown, console}. */
const outcomes = [];

/** Calls the API with the console captured; records the outcome; returns {value, error}. */
function call(what, fn) {
  const lines = [];
  const saved = {};
  for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) { saved[k] = console[k]; console[k] = (...a) => lines.push(a.join(' ')); }
  let value; let error = null;
  try { value = fn(); } catch (e) { error = e; } finally { Object.assign(console, saved); }
  outcomes.push({ what, value, thrown: error ? `${error.name} ${error.code} ${error.message}\n${error.stack}` : null, console: lines });
  return { value, error };
}

const read = (name) => fs.readFileSync(m.file(name));
const decrypt = (name, options, what = name) => call(what, () => pgp.decryptMessage(read(name), { now: NOW, ...options }));
const withKey = (stem, protectedKey = true) => ({ privateKey: read(`${stem}-private.asc`).toString(), ...(protectedKey ? { passphrase: m.pass } : {}) });

before(() => { m = buildMaterial(path.join(root, 'target', 'pgp-node')); });
after(() => { m?.gpg.close(); });

function assertRefused(outcome, code, message) {
  assert.ok(outcome.error, `expected ${code}, got a result`);
  assert.equal(outcome.error.name, 'PgpError');
  assert.equal(outcome.error.code, code, outcome.error.message);
  if (message instanceof RegExp) assert.match(outcome.error.message, message); else if (message) assert.equal(outcome.error.message, message);
}

test('every gpg key type decrypts, armored and binary, byte for byte', () => {
  for (const [stem, uid, , , protectedKey] of m.KEYS) {
    for (const ext of ['gpg', 'asc']) {
      const { value, error } = decrypt(`${stem}.${ext}`, withKey(stem, protectedKey));
      assert.ifError(error);
      assert.ok(Buffer.from(value.plaintext).equals(m.plain), `${stem}.${ext}`);
      assert.equal(value.format, ext === 'gpg' ? 'binary' : 'armored');
      assert.deepEqual(value.recipients, [m.encId[stem]]);
      assert.deepEqual(value.decryptedWith, { kind: 'key', fingerprint: m.fp[stem], fingerprintGroups: groups(m.fp[stem]), keyId: m.encId[stem], userIds: [uid] });
      assert.equal(value.integrity, 'mdc');
      assert.equal(value.fileName, 'tokens.json');
      assert.ok(Math.abs(value.date - NOW) < 3600, 'the literal packet date is the file time (now)');
      assert.equal(value.bytes, m.plain.length);
      assert.deepEqual(value.signatures, []);
    }
  }
});

test('every compression algorithm', () => {
  for (const [c, name] of [['none', null], ['zip', 'zip'], ['zlib', 'zlib'], ['bzip2', 'bzip2']]) {
    const { value, error } = decrypt(`c-${c}.gpg`, withKey('ed25519'));
    assert.ifError(error);
    assert.ok(Buffer.from(value.plaintext).equals(m.plain));
    assert.equal(value.compression, name, c);
    assert.equal(value.cipher, 'AES256');
  }
});

test('signatures: checked with the sender key, unchecked otherwise (never hidden), a bad one refused', () => {
  let r = decrypt('signed.gpg', withKey('ed25519'));
  assert.ifError(r.error);
  assert.equal(r.value.signatures.length, 1);
  const [un] = r.value.signatures;
  assert.equal(un.status, 'unchecked');
  assert.equal(un.reason, "no sender key was given to check it (the sender's public key checks it)");
  assert.deepEqual(un.issuerFingerprints, [m.fp.vendor]);
  r = decrypt('signed.gpg', { ...withKey('ed25519'), verifyWith: read('vendor-public.asc') }, 'signed.gpg + vendor');
  assert.ifError(r.error);
  assert.ok(Buffer.from(r.value.plaintext).equals(m.plain));
  const [ok] = r.value.signatures;
  assert.equal(ok.status, 'valid');
  assert.equal(ok.signerFingerprint, m.fp.vendor);
  assert.equal(ok.signerFingerprintGroups, groups(m.fp.vendor));
  assert.equal(ok.signerKeyId, m.fp.vendor.slice(24));
  assert.ok(Math.abs(ok.created - NOW) < 3600);
  r = decrypt('signed.gpg', { ...withKey('ed25519'), verifyWith: read('ed25519-public.asc').toString() }, 'signed.gpg + other');
  assert.ifError(r.error);
  assert.equal(r.value.signatures[0].status, 'unchecked');
  assert.equal(r.value.signatures[0].reason, `signed by key ${groups(m.fp.vendor)}, not by the sender's key given (${groups(m.fp.ed25519)})`);
  assertRefused(decrypt('badsig.gpg', { ...withKey('ed25519'), verifyWith: read('vendor-public.asc') }), 'PGP020',
    `BAD signature by the sender's key ${groups(m.fp.vendor)}: the message was altered after it was signed, or was not signed by that key; nothing of it was used`);
});

test('password-only messages (gpg --symmetric)', () => {
  for (const f of ['sym.gpg', 'sym.asc']) {
    const { value, error } = decrypt(f, { passphrase: m.symPass });
    assert.ifError(error);
    assert.ok(Buffer.from(value.plaintext).equals(m.plain));
    assert.deepEqual(value.decryptedWith, { kind: 'passphrase' });
    assert.equal(value.passwords, 1);
    assert.deepEqual(value.recipients, []);
    assertRefused(decrypt(f, { passphrase: m.pass }), 'PGP009', /^wrong passphrase for this password-only message/);
    assertRefused(decrypt(f, {}), 'PGP012', 'a passphrase is needed');
    assertRefused(decrypt(f, withKey('ed25519')), 'PGP011', /^the message is encrypted with a passphrase only/);
  }
  assert.deepEqual(pgp.inspectMessage(read('sym.gpg')), { format: 'binary', recipients: [], passwords: 1, integrity: 'mdc' });
  assert.deepEqual(pgp.inspectMessage(read('rsa2048.asc')), { format: 'armored', recipients: [m.encId.rsa2048], passwords: 0, integrity: 'mdc' });
  assert.deepEqual(pgp.inspectMessage(read('sed-sym.gpg')).integrity, 'none');
});

test('every bad input has its one error, with the key ids named', () => {
  assertRefused(decrypt('ed25519.gpg', { ...withKey('ed25519'), passphrase: 'not the passphrase at all' }), 'PGP008',
    `wrong passphrase for the private key ${groups(m.fp.ed25519)}`);
  assertRefused(decrypt('ed25519.gpg', { privateKey: read('ed25519-private.asc') }), 'PGP012', 'a passphrase is needed');
  assertRefused(decrypt('rsa2048.gpg', withKey('ed25519')), 'PGP007',
    `the message is encrypted to key ${m.encId.rsa2048} but the key given is ${m.fp.ed25519.slice(24)} and ${m.encId.ed25519}: give the private key for ${m.encId.rsa2048}`);
  assertRefused(decrypt('rsa2048.gpg', {}), 'PGP010', `the message is encrypted to key ${m.encId.rsa2048}: give the private key`);
  assertRefused(decrypt('ed25519.gpg', { privateKey: read('ed25519-public.asc'), passphrase: m.pass }), 'PGP013',
    `the key given is the public key ${groups(m.fp.ed25519)}; decrypting needs the private key (the …-private-key.asc file)`);
  assertRefused(decrypt('ed25519.gpg', { privateKey: 'hello', passphrase: m.pass }), 'PGP014', /^the private key is not an OpenPGP key/);
  assertRefused(decrypt('signed.gpg', { ...withKey('ed25519'), verifyWith: 'not a key' }), 'PGP014', /^the sender's key is not an OpenPGP key/);
  for (const f of ['sed-key.gpg', 'sed-sym.gpg']) {
    assertRefused(decrypt(f, { ...withKey('ed25519'), passphrase: m.symPass }), 'PGP006', /no MDC\): refused, as such data can be altered unnoticed \(the EFAIL class of attack\)/);
  }
  assertRefused(decrypt('bomb.gpg', withKey('ed25519')), 'PGP018', /^the message decompresses to more than 67,108,864 bytes/);
  assertRefused(decrypt('a.sig', withKey('ed25519')), 'PGP002', /^an OpenPGP message, but not an encrypted one/);
  assertRefused(call('tokens', () => pgp.decryptMessage(m.plain, { now: NOW })), 'PGP001', /^not an OpenPGP message/);
  // Expiry and revocation, at the `now` given.
  assert.ifError(decrypt('soon.gpg', { privateKey: read('soon-private.asc') }).error);
  assertRefused(call('soon later', () => pgp.decryptMessage(read('soon.gpg'), { privateKey: read('soon-private.asc'), now: NOW + 2 * 86400 })), 'PGP015',
    new RegExp(`^the private key ${groups(m.fp.soon)} expired on \\d{4}-\\d\\d-\\d\\d \\(UTC\\)$`));
  assertRefused(decrypt('rev.gpg', { privateKey: read('rev-private.asc') }), 'PGP016', `the private key ${groups(m.fp.rev)} is revoked: its owner declared it must not be used`);
  // Truncated and bit-flipped.
  const bin = read('c-none.gpg');
  const arm = read('ed25519.asc');
  for (const [what, bytes] of [['cut', bin.subarray(0, bin.length - 1)], ['cut head', bin.subarray(0, 40)], ['cut armor', arm.subarray(0, arm.length >> 1)]]) {
    assertRefused(call(what, () => pgp.decryptMessage(bytes, { ...withKey('ed25519'), now: NOW })), 'PGP003', /^the encrypted message is truncated/);
  }
  for (let i = 0; i < 10; i++) {
    const b = Buffer.from(bin);
    b[Math.floor(b.length * (0.2 + i * 0.07))] ^= 0x04;
    assertRefused(call(`flip ${i}`, () => pgp.decryptMessage(b, { ...withKey('ed25519'), now: NOW })), 'PGP005', /^the integrity check failed/);
  }
  // Arguments of the wrong type are programming errors, without a code.
  const { error } = call('bad now', () => pgp.decryptMessage(bin, { ...withKey('ed25519') }));
  assert.equal(error.code, undefined);
  assert.match(error.message, /options\.now must be a time in Unix seconds/);
});

test('keys made by generateKey: gpg imports them, encrypts to them and decrypts with them', (t) => {
  for (const algorithm of ['ed25519', 'rsa3072']) {
    const t0 = performance.now();
    const { value: key, error } = call(`generateKey ${algorithm}`, () => pgp.generateKey({ name: `Amy ${algorithm}`, email: `amy.${algorithm}@contoso.example`, passphrase: m.pass, algorithm, created: NOW }));
    t.diagnostic(`generateKey ${algorithm}: ${(performance.now() - t0).toFixed(0)} ms (wasm in Node)`);
    assert.ifError(error);
    assert.equal(key.algorithm, algorithm);
    assert.equal(key.userId, `Amy ${algorithm} <amy.${algorithm}@contoso.example>`);
    assert.equal(key.publicKeyFileName, `amy-${algorithm}-public-key.asc`);
    assert.equal(key.privateKeyFileName, `amy-${algorithm}-private-key.asc`);
    assert.equal(key.fingerprintGroups, groups(key.fingerprint));
    assert.equal(key.created, NOW);
    assert.match(key.publicKey, /^-----BEGIN PGP PUBLIC KEY BLOCK-----\n/);
    assert.match(key.privateKey, /^-----BEGIN PGP PRIVATE KEY BLOCK-----\n/);
    const info = pgp.inspectKey(key.privateKey);
    assert.equal(info.kind, 'private');
    assert.equal(info.protected, true);
    assert.equal(info.fingerprint, key.fingerprint);
    assert.equal(info.subkeys[0].keyId, key.encryptionKeyId);
    assert.equal(info.subkeys[0].canEncrypt, true);
    const h = new Gpg(`h-${algorithm}`);
    try {
      fs.writeFileSync(m.file(key.publicKeyFileName), key.publicKey);
      fs.writeFileSync(m.file(key.privateKeyFileName), key.privateKey);
      h.import(m.file(key.publicKeyFileName), null);
      h.import(m.file(key.privateKeyFileName), m.file('pass.txt'));
      assert.equal(h.fingerprint(key.userId), key.fingerprint);
      assert.equal(h.encryptionKeyId(key.userId), key.encryptionKeyId);
      const msg = h.run(['-r', key.userId, '--encrypt', '--output', '-', m.file('tokens.json')]);
      const r = call(`decrypt to ${algorithm}`, () => pgp.decryptMessage(msg, { privateKey: key.privateKey, passphrase: m.pass, now: NOW }));
      assert.ifError(r.error);
      assert.ok(Buffer.from(r.value.plaintext).equals(m.plain));
      const back = h.run([...Gpg.pass(m.file('pass.txt')), '--decrypt'], { input: msg });
      assert.ok(back.equals(m.plain), 'gpg decrypts with the private key made by generateKey');
      const listed = h.run(['--list-packets', m.file(key.privateKeyFileName)]).toString();
      assert.equal(listed.match(/iter\+salt S2K, algo: 9, SHA1 protection, hash: 8/g)?.length, 2, 'AES-256, usage 254, SHA-256');
      assert.equal(listed.match(/protect count: 65011712 \(255\)/g)?.length, 2);
    } finally {
      h.close();
    }
  }
});

test('generateKey refusals, the passphrase rule and the helpers', () => {
  const base = { name: 'Amy Admin', email: 'amy@contoso.example', passphrase: m.pass, created: NOW };
  assertRefused(call('weak', () => pgp.generateKey({ ...base, passphrase: 'AmyAdmin2024!' })), 'PGP022', /^the passphrase is too weak: only 5 of its characters/);
  assertRefused(call('empty', () => pgp.generateKey({ ...base, passphrase: '', allowWeakPassphrase: true })), 'PGP022', /it is empty, and the private key would be stored unprotected/);
  assert.ifError(call('weak allowed', () => pgp.generateKey({ ...base, passphrase: 'hunter2', allowWeakPassphrase: true })).error);
  assertRefused(call('name', () => pgp.generateKey({ ...base, name: 'Amy <x@y.z>' })), 'PGP023', 'the name cannot be used: character 5 is < or >, which would break the user ID');
  assertRefused(call('email', () => pgp.generateKey({ ...base, email: 'amy@localhost' })), 'PGP024', 'the e-mail address cannot be used: the domain after @ needs a dot (contoso.com)');
  assertRefused(call('time', () => pgp.generateKey({ ...base, created: 2 ** 32 })), 'PGP025', /^the creation time must be between 1970 and 2106/);
  assert.deepEqual(pgp.checkPassphrase('correct horse battery staple'), { ok: true, reason: null });
  assert.deepEqual(pgp.checkPassphrase('amy-admin-contoso', { name: 'Amy Admin', email: 'amy@contoso.example' }).ok, false);
  assert.deepEqual(pgp.checkPassphrase('short'), { ok: false, reason: 'it has 5 characters; at least 12 are needed (four or more unrelated words make a good one)' });
  assert.equal(pgp.isOpenPgpMessage(read('sym.gpg')), true);
  assert.equal(pgp.isOpenPgpMessage(read('ed25519.asc')), true);
  assert.equal(pgp.isOpenPgpMessage(m.plain), false);
  assert.equal(pgp.isOpenPgpMessage(read('ed25519-public.asc')), false);
  assert.deepEqual(pgp.pgpLimits(), { maxMessageBytes: 64 * 1024 * 1024, maxPlaintextBytes: 64 * 1024 * 1024, maxKeyBytes: 1024 * 1024 });
  const pub = pgp.inspectKey(read('rsa4096-public.asc'));
  assert.equal(pub.kind, 'public');
  assert.equal(pub.fingerprint, m.fp.rsa4096);
  assert.deepEqual(pub.userIds, ['Ria Admin <ria@contoso.example>']);
  assert.equal(pgp.inspectKey(read('rev-private.asc')).revoked, true);
  assert.ok(pgp.inspectKey(read('soon-private.asc')).expires > NOW);
});

test('a 10,000-token encrypted file through the wasm API (time reported, not asserted)', (t) => {
  const text = Buffer.from(tokenFile(10_000, 3));
  fs.writeFileSync(m.file('big.json'), text);
  m.gpg.run(['-r', 'ed@contoso.example', '--armor', '--encrypt', '-o', m.file('big.asc'), m.file('big.json')]);
  const big = read('big.asc');
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const out = pgp.decryptMessage(big, { ...withKey('ed25519'), now: NOW });
    runs.push(performance.now() - t0);
    assert.ok(Buffer.from(out.plaintext).equals(text));
    out.plaintext.fill(0);
  }
  const t0 = performance.now();
  const nopass = pgp.decryptMessage(read('ed25519-nopass.gpg'), { privateKey: read('ed25519-nopass-private.asc'), now: NOW });
  const small = performance.now() - t0;
  assert.equal(nopass.bytes, m.plain.length);
  runs.sort((a, b) => a - b);
  t.diagnostic(`10,000 tokens: ${(text.length / 1024 / 1024).toFixed(1)} MiB of JSON, ${(big.length / 1024 / 1024).toFixed(1)} MiB armored (zlib); decryptMessage median ${runs[1].toFixed(0)} ms (of 3: ${runs.map((x) => x.toFixed(0)).join(', ')}), of which the passphrase unlock (65 MB of SHA-256) is most; a 40-token file with an unprotected key: ${small.toFixed(0)} ms`);
});

test('no result, thrown message or console line holds a passphrase, a private key or plaintext', () => {
  const secrets = secretsOf(m.plain);
  assert.ok(secrets.canonical.length >= 40);
  const extra = [m.pass, m.symPass, 'not the passphrase at all', 'AmyAdmin2024!'];
  // Each private key's armor lines, less those its public key has too (public material).
  for (const f of fs.readdirSync(path.dirname(m.file('x'))).filter((n) => n.endsWith('private.asc') || n.endsWith('private-key.asc'))) {
    const pub = new Set(armorLines(fs.readFileSync(m.file(f.replace('private', 'public')), 'utf8')));
    extra.push(...armorLines(fs.readFileSync(m.file(f), 'utf8')).filter((l) => !pub.has(l)));
  }
  const scan = scanner({ ...secrets, forms: [...secrets.forms, ...extra] });
  assert.ok(scan.find(fs.readFileSync(m.file('ed25519-private.asc'), 'utf8')), 'the scanner finds a private key');
  assert.ok(scan.find(m.plain.toString()), 'the scanner finds the plaintext');
  let checked = 0;
  for (const o of outcomes) {
    // generateKey's result carries its own new private key by design (and its lines are in the
    // list); everything else must hold none. Plaintext is only in `plaintext`.
    const value = o.value && typeof o.value === 'object' ? { ...o.value, plaintext: undefined, privateKey: undefined } : o.value;
    for (const [where, text] of [['result', JSON.stringify(value) ?? ''], ['thrown', o.thrown ?? ''], ['console', o.console.join('\n')]]) {
      const found = scan.find(stripSecretKeyValues(text));
      assert.equal(found, null, `${o.what} ${where}: ${found}`);
      checked += 1;
    }
  }
  assert.ok(outcomes.length >= 60, `only ${outcomes.length} calls scanned`);
  assert.ok(checked >= 180);
});
