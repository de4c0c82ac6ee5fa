// The release's CLI binaries (dist/release/hwoath-VERSION-*), run the way an admin would, on the
// CLI contract cases (validate, normalize, totp, drift, graph, plus verify, inspect, decrypt and
// key new's refusal), against
// the native build of this checkout: stdout, stderr and the exit code must be identical, bytes
// included (the CLI writes \n line ends on every system, Windows too), except Windows' own
// wording of an I/O error (osText below).
//   - x86_64 musl: with an empty environment (env -i);
//   - aarch64 musl: under qemu-user (Debian's qemu-aarch64), empty environment;
//   - Windows: under Wine (Debian's wine 8.0, a temporary WINEPREFIX, WINEDEBUG=-all), also with
//     files given as Windows paths (C:\…, backslashes, a space) and a file as Windows PowerShell 5
//     writes it (`>` / Out-File: UTF-16 LE with a byte order mark, CRLF). The DLLs it may import
//     are Windows' own (bcrypt.dll: the operating system's randomness for `hwoath key new`).
// Wine 8.0 lacks bcryptprimitives.dll (Windows 10+ has it; Rust's std imports ProcessPrng from
// it): tests/release/wine/bcryptprimitives.c stands in for it in the temporary prefix.
//   node --test tests/release/cli.test.mjs        (after bash scripts/release.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { artefact, nativeCli, root, run, tempDir, version } from './common.mjs';

const fixtures = path.join(root, 'tests', 'fixtures');
const RFC = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const DEVICE = '3dee0e53-f50f-43ef-85c0-b44689f2d66d';

// Input files, copied under these names into the directory each binary runs in.
const FILES = {
  'tokens.json': 'valid/sha256_token2.json',
  'graph.json': '../golden/tokens.json',
  'warnings.json': 'valid/short_key.json',
  'duplicates.json': 'invalid/duplicate_serial.json',
  'legacy.csv': 'valid/legacy.csv',
  'listing.json': 'listing/page1.json',
  'tokens.json.asc': 'pgp/password-only.json.asc',
};
// Passphrase files (the first line is the passphrase): the message's, a wrong one, a weak one.
const PASSPHRASES = { 'pass.txt': 'harbor lantern quiet 7 moss\n', 'wrong.txt': 'not the password\n', 'weak.txt': 'password1\n' };
const later = (t, steps) => String(t + steps * 30);
const code = (secret, time, extra = []) => execFileSync(nativeCli(), ['totp', '--secret', secret, '--time', String(time), ...extra], { encoding: 'utf8' }).trim();

/** [name, args, stdin]: every outcome of the contract (0, 1, 2) over the file formats. */
function cases() {
  const t = 1_700_000_000;
  return [
    ['validate, valid JSON', ['validate', 'tokens.json']],
    ['validate --json, warnings', ['validate', '--json', 'warnings.json']],
    ['validate, errors (exit 1)', ['validate', 'duplicates.json']],
    ['validate, several files and a listing', ['validate', 'tokens.json', 'graph.json', '--listing', 'listing.json']],
    ['validate, legacy CSV with a hash', ['validate', 'legacy.csv', '--hash-function', 'hmacsha256']],
    ['validate, a missing file (exit 2)', ['validate', 'missing.json']],
    ['normalize, CSV', ['normalize', 'legacy.csv']],
    ['normalize, invalid records (exit 1)', ['normalize', 'duplicates.json']],
    ['normalize --skip-invalid', ['normalize', 'duplicates.json', '--skip-invalid']],
    ['normalize, standard input', ['normalize', '-'], fs.readFileSync(path.join(fixtures, FILES['tokens.json']))],
    ['totp, SHA-1 8 digits', ['totp', '--secret', RFC, '--time', '59', '--digits', '8']],
    ['totp, SHA-256 60 s', ['totp', '--secret', RFC, '--hash', 'sha256', '--period', '60', '--time', String(t)]],
    ['totp, secret from standard input', ['totp', '--secret', '-', '--time', String(t)], `${RFC}\n`],
    ['totp, a bad secret (exit 2)', ['totp', '--secret', 'not base32!', '--time', '59']],
    ['drift --json, two codes', ['drift', '--secret', RFC, '--code', code(RFC, t + 90 - 30), '--code', code(RFC, t + 90), '--time', String(t), '--json']],
    ['drift, no match (exit 1)', ['drift', '--secret', RFC, '--code', '000000', '--code', '000000', '--time', String(t), '--max-steps', '100']],
    ['verify --json', ['verify', '--secret', RFC, '--code', code(RFC, Number(later(t, -1))), '--time', String(t), '--json']],
    ['inspect', ['inspect', '--secret', 'gezd-gnbv gy3t qojq']],
    ['graph create-bulk, curl', ['graph', 'graph.json', '--request', 'create-bulk', '--format', 'curl']],
    ['graph activate, PowerShell', ['graph', 'graph.json', '--request', 'activate', '--serial', '865923712', '--device-id', DEVICE, '--time', String(t), '--format', 'powershell']],
    ['graph assign, JSON', ['graph', 'graph.json', '--request', 'assign', '--user', 'amy@contoso.com', '--serial', '865923712', '--device-id', DEVICE]],
    ['graph, a missing option (exit 2)', ['graph', 'graph.json', '--request', 'activate']],
    ['graph resolve-users, JSON', ['graph', 'legacy.csv', '--request', 'resolve-users']],
    ['graph list-all, available only', ['graph', 'graph.json', '--request', 'list-all', '--available-only', '--top', '50', '--format', 'curl']],
    ['decrypt a password-only message to standard output', ['decrypt', 'tokens.json.asc', '--passphrase-file', 'pass.txt', '--out', '-']],
    ['validate an encrypted file in memory', ['validate', 'tokens.json.asc', '--passphrase-file', 'pass.txt']],
    ['decrypt, a wrong password (exit 2)', ['decrypt', 'tokens.json.asc', '--passphrase-file', 'wrong.txt', '--out', '-']],
    ['key new, a weak passphrase refused (exit 2)', ['key', 'new', '--name', 'Amy Admin', '--email', 'amy@contoso.example', '--out', 'keys', '--passphrase-file', 'weak.txt']],
  ];
}

let work;      // where every binary runs, with FILES in it
let expected;  // the native build's answers, by case name
before(() => {
  work = tempDir('hwoath-cli-');
  for (const [name, src] of Object.entries(FILES)) fs.copyFileSync(path.join(fixtures, src), path.join(work.dir, name));
  for (const [name, text] of Object.entries(PASSPHRASES)) fs.writeFileSync(path.join(work.dir, name), text);
  fs.mkdirSync(path.join(work.dir, 'keys'));
  expected = new Map(cases().map(([name, args, input]) => [name, run(nativeCli(), args, { cwd: work.dir, input })]));
  // The contract itself: every outcome appears among the cases.
  assert.deepEqual([...new Set([...expected.values()].map((r) => r.status))].sort(), [0, 1, 2]);
});
after(() => work?.remove());

const show = (r) => `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
function same(got, want, what) {
  assert.equal(show(got), show(want), what);
  assert.ok(got.stdout.equals(want.stdout) && got.stderr.equals(want.stderr), `${what}: same bytes`);
}

const versionLine = () => run(nativeCli(), ['--version']).stdout.toString();

test("the native build's --version names the version and this checkout's commit", () => {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  assert.match(versionLine(), new RegExp(`^hwoath ${version.replaceAll('.', '\\.')} \\(commit ${head}( with uncommitted changes)?\\)\\n$`));
});

test('x86_64 musl: static, no build id, and with an empty environment answers every case as the native build', () => {
  const bin = artefact(`hwoath-${version}-x86_64-linux-musl`);
  staticElf(bin, 'X86-64');
  for (const [name, args, input] of cases()) same(run(bin, args, { cwd: work.dir, env: {}, input }), expected.get(name), name);
  same(run(bin, ['--version'], { env: {} }), run(nativeCli(), ['--version']), '--version');
});

test('aarch64 musl under qemu-user: static, no build id, every case as the native build', () => {
  const bin = artefact(`hwoath-${version}-aarch64-linux-musl`);
  staticElf(bin, 'AArch64');
  const qemu = (args, input) => run('qemu-aarch64', [bin, ...args], { cwd: work.dir, env: {}, input });
  for (const [name, args, input] of cases()) same(qemu(args, input), expected.get(name), name);
  same(qemu(['--version']), run(nativeCli(), ['--version']), '--version');
});

/** No interpreter, no shared library, no GNU build id, no symbol table (stripped). */
function staticElf(bin, machine) {
  const headers = execFileSync('readelf', ['-hlnSdW', bin], { encoding: 'utf8' });
  assert.match(headers, new RegExp(`Machine:.*${machine}`));
  assert.doesNotMatch(headers, /INTERP|Requesting program interpreter/);
  assert.doesNotMatch(headers, /\(NEEDED\)/);
  assert.doesNotMatch(headers, /NT_GNU_BUILD_ID|\.note\.gnu\.build-id/);
  assert.doesNotMatch(headers, /\.symtab|\.debug_/);
}

/** The one difference allowed between systems: the operating system's own description of an
 *  I/O error ("File not found." on Windows, "No such file or directory" on Linux); the error
 *  number and everything around it must still be the same. */
function osText(r) {
  const clean = (b) => Buffer.from(b.toString().replace(/: [^:\n]*\(os error (\d+)\)/g, ': <system message> (os error $1)'));
  return { ...r, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

let wine;
function startWine() {
  const prefix = tempDir('hwoath-wine-');
  const env = { PATH: process.env.PATH, HOME: prefix.dir, WINEPREFIX: path.join(prefix.dir, 'prefix'), WINEDEBUG: '-all' };
  const boot = run('/usr/lib/wine/wine64', ['wineboot', '--init'], { env });
  assert.equal(boot.status, 0, `wineboot: ${boot.stderr}`);
  run('/usr/lib/wine/wineserver', ['-w'], { env });
  const dll = path.join(env.WINEPREFIX, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll');
  const cc = run('x86_64-w64-mingw32-gcc', ['-O2', '-shared', '-s', '-o', dll, path.join(root, 'tests/release/wine/bcryptprimitives.c'), '-ladvapi32']);
  assert.equal(cc.status, 0, `mingw-w64: ${cc.stderr}`);
  wine = { env, prefix, driveC: path.join(env.WINEPREFIX, 'drive_c') };
}
after(() => {
  if (!wine) return;
  run('/usr/lib/wine/wineserver', ['-k'], { env: wine.env });
  wine.prefix.remove();
});

test('Windows under Wine: a console PE without a timestamp, importing only Windows DLLs, answering every case as the native build', () => {
  const exe = artefact(`hwoath-${version}-x86_64-windows.exe`);
  const pe = fs.readFileSync(exe);
  const at = pe.readUInt32LE(0x3c);
  assert.equal(pe.toString('latin1', at, at + 4), 'PE\0\0');
  assert.equal(pe.readUInt16LE(at + 4), 0x8664, 'x86-64');
  assert.equal(pe.readUInt32LE(at + 8), 0, 'COFF TimeDateStamp is 0 (reproducible)');
  assert.equal(pe.readUInt16LE(at + 24 + 68), 3, 'console subsystem');
  const dlls = [...execFileSync('x86_64-w64-mingw32-objdump', ['-p', exe], { encoding: 'utf8', maxBuffer: 64 << 20 }).matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase());
  const system = ['kernel32.dll', 'ntdll.dll', 'msvcrt.dll', 'bcryptprimitives.dll', 'bcrypt.dll', 'userenv.dll', 'ws2_32.dll', 'advapi32.dll'];
  assert.deepEqual(dlls.filter((d) => !system.includes(d) && !d.startsWith('api-ms-win-')), [], 'no MinGW runtime DLL to ship');

  startWine();
  const win = (args, input, cwd = work.dir) => run('/usr/lib/wine/wine64', [exe, ...args], { cwd, env: wine.env, input });
  for (const [name, args, input] of cases()) same(osText(win(args, input)), osText(expected.get(name)), name);
  same(win(['--version']), run(nativeCli(), ['--version']), '--version');
});

test('Windows under Wine: files given as C:\\ paths, and a file written by Windows PowerShell 5 (UTF-16 LE, BOM), answer as on Linux', () => {
  assert.ok(wine, 'the previous test started Wine');
  const exe = artefact(`hwoath-${version}-x86_64-windows.exe`);
  const dir = path.join(wine.driveC, 'Token files');
  fs.mkdirSync(dir);
  // What `Get-Content tokens.json | Out-File ps5.json` (or `>`) writes in Windows PowerShell 5.1.
  const ps5 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fs.readFileSync(path.join(work.dir, 'warnings.json'), 'utf8').replace(/\r?\n/g, '\r\n'), 'utf16le')]);
  fs.writeFileSync(path.join(work.dir, 'ps5.json'), ps5);
  for (const f of ['warnings.json', 'duplicates.json', 'listing.json', 'ps5.json']) fs.copyFileSync(path.join(work.dir, f), path.join(dir, f));
  const winPath = (f) => `C:\\Token files\\${f}`;
  const checks = [
    [['validate', 'warnings.json'], ['validate', winPath('warnings.json')]],
    [['validate', 'duplicates.json', '--listing', 'listing.json'], ['validate', winPath('duplicates.json'), '--listing', winPath('listing.json')]],
    [['normalize', 'warnings.json'], ['normalize', winPath('warnings.json')]],
    [['validate', 'ps5.json'], ['validate', winPath('ps5.json')]],
    [['normalize', 'ps5.json'], ['normalize', winPath('ps5.json')]],
  ];
  for (const [linux, windows] of checks) {
    const want = run(nativeCli(), linux, { cwd: work.dir });
    const got = run('/usr/lib/wine/wine64', [exe, ...windows], { cwd: work.dir, env: wine.env });
    // The only difference allowed: the file name as given, which the CLI echoes.
    const unpath = (r) => ({ ...r, stdout: Buffer.from(r.stdout.toString().replaceAll('C:\\Token files\\', '')), stderr: Buffer.from(r.stderr.toString().replaceAll('C:\\Token files\\', '')) });
    same(unpath(got), want, windows.join(' '));
    assert.ok(got.stdout.length + got.stderr.length > 0);
  }
  // The PowerShell file gives the same answer as its UTF-8 original, or is refused the same way on both systems.
  const utf16 = run(nativeCli(), ['validate', 'ps5.json'], { cwd: work.dir });
  assert.ok(utf16.status === 2 ? /UTF-16/.test(utf16.stderr) : utf16.status === run(nativeCli(), ['validate', 'warnings.json'], { cwd: work.dir }).status);
});
