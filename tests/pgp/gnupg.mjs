// The real GnuPG (Debian's gnupg 2.2, installed by scripts/bootstrap.sh) in throw-away home
// folders, for the OpenPGP tests under Node (tests/pgp/*.test.mjs, tests/page/pgp-worker.test.mjs).
// The JS twin of tests/common/gnupg.rs. Passphrases go in by file (--pinentry-mode loopback
// --passphrase-file), never as arguments; close() stops the home's gpg-agent and removes it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class Gpg {
  constructor(name) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `hwgpg-${name}-`));
    fs.chmodSync(this.home, 0o700);
  }

  run(args, { input } = {}) {
    return execFileSync('gpg', ['--batch', '--yes', '--quiet', '--trust-model', 'always', ...args], {
      env: { ...process.env, GNUPGHOME: this.home }, input, maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  static pass(file) {
    return ['--pinentry-mode', 'loopback', ...(file ? ['--passphrase-file', file] : ['--passphrase', ''])];
  }

  /** A key: `primary` (cert, sign) and an encryption subkey `sub`; returns its fingerprint. */
  genKey(uid, primary, sub, passFile, { expire = 'never', faked } = {}) {
    const base = [...Gpg.pass(passFile), ...(faked ? ['--faked-system-time', faked] : [])];
    this.run([...base, '--quick-gen-key', uid, primary, 'cert,sign', expire]);
    const fp = this.fingerprint(uid);
    this.run([...base, '--quick-add-key', fp, sub, 'encr', expire]);
    return fp;
  }

  colons(uid) { return this.run(['--with-colons', '--list-keys', uid]).toString().split('\n'); }
  fingerprint(uid) { return this.colons(uid).find((l) => l.startsWith('fpr:')).split(':')[9]; }
  encryptionKeyId(uid) { return this.colons(uid).find((l) => l.startsWith('sub:') && l.split(':')[11].includes('e')).split(':')[4]; }
  exportPublic(uid) { return this.run(['--armor', '--export', uid]); }
  exportSecret(uid, passFile) { return this.run([...Gpg.pass(passFile), '--armor', '--export-secret-keys', uid]); }
  import(file, passFile) { this.run([...Gpg.pass(passFile), '--import', file]); }

  close() {
    try { execFileSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: this.home }, stdio: 'ignore' }); } catch { /* no agent */ }
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** A real-shaped Token2 seed file (Graph #$delta JSON) with `n` tokens; 20-byte keys from `seed`. */
export function tokenFile(n, seed = 7) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = seed | 1;
  const byte = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 8) & 0xff; };
  const b32 = (bytes) => { let bits = 0; let v = 0; let out = ''; for (const x of bytes) { v = (v << 8) | x; bits += 8; while (bits >= 5) { out += A[(v >>> (bits - 5)) & 31]; bits -= 5; } } return out; };
  const value = Array.from({ length: n }, (_, i) => ({
    '@contentId': String(i + 1), serialNumber: String(2300000000000 + i + 1), manufacturer: 'Token2', model: 'C202',
    secretKey: b32(Array.from({ length: 20 }, byte)), timeIntervalInSeconds: 30, hashFunction: 'hmacsha1',
  }));
  return `${JSON.stringify({ '@context': '#$delta', value }, null, 4)}\n`;
}

/** The top-level packets of binary OpenPGP data with fixed lengths (as gpg writes a signed file). */
export function packets(d) {
  const out = [];
  for (let i = 0; i < d.length;) {
    const c = d[i];
    let h; let n;
    if (c & 0x40) {
      const l0 = d[i + 1];
      if (l0 < 192) { h = 2; n = l0; } else if (l0 < 224) { h = 3; n = ((l0 - 192) << 8) + d[i + 2] + 192; } else { h = 6; n = d.readUInt32BE(i + 2); }
    } else {
      h = { 0: 2, 1: 3, 2: 5 }[c & 3];
      n = h === 2 ? d[i + 1] : h === 3 ? d.readUInt16BE(i + 1) : d.readUInt32BE(i + 1);
    }
    out.push(d.subarray(i, i + h + n));
    i += h + n;
  }
  return out;
}

/** Armor body lines (base64, 16+ characters) of an armored block: pieces of a key no output may hold. */
export function armorLines(text) {
  const out = [];
  let body = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('-----BEGIN ')) { body = false; continue; }
    if (line === '') { body = true; continue; }
    if (body && line.length >= 16 && !line.startsWith('=') && !line.startsWith('-----')) out.push(line);
  }
  return out;
}

/**
 * Builds the shared material in `dir`: gpg's keys (ed25519+cv25519 and RSA-2048 with the
 * passphrase, ed25519 and RSA-4096 without), a vendor signing key, and the token file encrypted to
 * each (binary and armored), every compression, signed, a bad signature, password-only, SED
 * (no MDC), a compression bomb, a key expiring in a day and a revoked key. Returns
 * {plain, pass, symPass, fp, encId, file(name), gpg} — `gpg` still open (close it in after()).
 */
export function buildMaterial(dir, { tokens = 40 } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = (n) => path.join(dir, n);
  const plain = Buffer.from(tokenFile(tokens));
  const pass = 'tulip ember canyon frost 42';
  const symPass = 'river-lantern-copper-meadow';
  fs.writeFileSync(file('tokens.json'), plain);
  fs.writeFileSync(file('pass.txt'), `${pass}\n`);
  fs.writeFileSync(file('sym.txt'), `${symPass}\n`);
  const g = new Gpg('m');
  const fp = {}; const encId = {};
  const KEYS = [
    ['ed25519', 'Ed Admin <ed@contoso.example>', 'ed25519', 'cv25519', true],
    ['ed25519-nopass', 'Eve Admin <eve@contoso.example>', 'ed25519', 'cv25519', false],
    ['rsa2048', 'Rob Admin <rob@contoso.example>', 'rsa2048', 'rsa2048', true],
    ['rsa4096', 'Ria Admin <ria@contoso.example>', 'rsa4096', 'rsa4096', false],
  ];
  for (const [stem, uid, primary, sub, protectedKey] of KEYS) {
    const pf = protectedKey ? file('pass.txt') : null;
    fp[stem] = g.genKey(uid, primary, sub, pf);
    encId[stem] = g.encryptionKeyId(uid);
    fs.writeFileSync(file(`${stem}-private.asc`), g.exportSecret(uid, pf));
    fs.writeFileSync(file(`${stem}-public.asc`), g.exportPublic(uid));
    g.run(['-r', uid, '--encrypt', '-o', file(`${stem}.gpg`), file('tokens.json')]);
    g.run(['-r', uid, '--armor', '--encrypt', '-o', file(`${stem}.asc`), file('tokens.json')]);
  }
  const ed = KEYS[0][1];
  for (const c of ['none', 'zip', 'zlib', 'bzip2']) g.run(['-r', ed, '--compress-algo', c, '--encrypt', '-o', file(`c-${c}.gpg`), file('tokens.json')]);
  const vendor = 'Vendor <seeds@token2.example>';
  fp.vendor = g.genKey(vendor, 'ed25519', 'cv25519', file('pass.txt'));
  fs.writeFileSync(file('vendor-public.asc'), g.exportPublic(vendor));
  const signArgs = [...Gpg.pass(file('pass.txt')), '-u', vendor];
  g.run([...signArgs, '-r', ed, '--sign', '--encrypt', '-o', file('signed.gpg'), file('tokens.json')]);
  fs.writeFileSync(file('a.txt'), 'AAAA-first-file\n');
  fs.writeFileSync(file('b.txt'), 'BBBB-other-file\n');
  for (const x of ['a', 'b']) g.run([...signArgs, '--compress-algo', 'none', '--sign', '-o', file(`${x}.sig`), file(`${x}.txt`)]);
  const [pa, pb] = ['a', 'b'].map((x) => packets(fs.readFileSync(file(`${x}.sig`))));
  fs.writeFileSync(file('bad.sig'), Buffer.concat([pa[0], pb[1], pa[2]]));
  g.run(['-r', ed, '--no-literal', '--compress-algo', 'none', '--encrypt', '-o', file('badsig.gpg'), file('bad.sig')]);
  const symArgs = Gpg.pass(file('sym.txt'));
  g.run([...symArgs, '--symmetric', '-o', file('sym.gpg'), file('tokens.json')]);
  g.run([...symArgs, '--armor', '--symmetric', '-o', file('sym.asc'), file('tokens.json')]);
  g.run([...symArgs, '--rfc2440', '--symmetric', '-o', file('sed-sym.gpg'), file('tokens.json')]);
  g.run(['--rfc2440', '-r', ed, '--encrypt', '-o', file('sed-key.gpg'), file('tokens.json')]);
  fs.writeFileSync(file('zeros.bin'), Buffer.alloc(70_000_000));
  g.run(['-r', ed, '--compress-algo', 'zlib', '--encrypt', '-o', file('bomb.gpg'), file('zeros.bin')]);
  fs.rmSync(file('zeros.bin'));
  const soon = 'Soon Admin <soon@contoso.example>';
  fp.soon = g.genKey(soon, 'ed25519', 'cv25519', null, { expire: '1d' });
  g.run(['-r', soon, '--encrypt', '-o', file('soon.gpg'), file('tokens.json')]);
  fs.writeFileSync(file('soon-private.asc'), g.exportSecret(soon, null));
  fs.writeFileSync(file('soon-public.asc'), g.exportPublic(soon));
  const rev = 'Rev Admin <rev@contoso.example>';
  fp.rev = g.genKey(rev, 'ed25519', 'cv25519', null);
  g.run(['-r', rev, '--encrypt', '-o', file('rev.gpg'), file('tokens.json')]);
  const cert = fs.readFileSync(path.join(g.home, 'openpgp-revocs.d', `${fp.rev}.rev`), 'utf8').replace(':-----BEGIN', '-----BEGIN');
  fs.writeFileSync(file('rev.rev'), cert);
  g.run(['--import', file('rev.rev')]);
  fs.writeFileSync(file('rev-private.asc'), g.exportSecret(rev, null));
  fs.writeFileSync(file('rev-public.asc'), g.exportPublic(rev));
  return { plain, pass, symPass, fp, encId, file, gpg: g, KEYS };
}
