// hwoath's OpenPGP module (the package's "hwoath/pgp" entry), used as an admin's program would:
// make the order's key, look at a vendor's message, open it in memory (tests/release/npm.test.mjs
// compiles this with `tsc --strict`, runs it under Node and fails when an export is unused).
import init, {
  initSync, generateKey, inspectKey, checkPassphrase, isOpenPgpMessage, inspectMessage, decryptMessage, pgpLimits,
} from 'hwoath/pgp';
import type {
  InitInput, InitOutput, SyncInitInput, KeyAlgorithm, GenerateKeyOptions, GeneratedKey, DecryptOptions, DecryptedWith,
  SignatureCheck, DecryptedMessage, MessageSummary, PassphraseCheck, SubkeyInfo, KeyInfo, PgpLimits,
} from 'hwoath/pgp';
import { TokenSet } from 'hwoath';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`usage-pgp.ts: ${what}`);
}

const output: InitOutput = await init();
const input: InitInput | undefined = undefined;
const sync: SyncInitInput | undefined = undefined;
check(initSync({ module: new Uint8Array(0) }) === output && input === undefined && sync === undefined, 'initSync after init');

const limits: PgpLimits = pgpLimits();
check(limits.maxMessageBytes > 0 && limits.maxPlaintextBytes > 0 && limits.maxKeyBytes > 0, 'pgpLimits');

// The order's key (Ed25519 + cv25519, the default).
const weak: PassphraseCheck = checkPassphrase('password1', { name: 'Amy Admin' });
check(!weak.ok && weak.reason !== null, 'a weak passphrase is refused with its reason');
const passphrase = 'tulip ember canyon frost 42';
check(checkPassphrase(passphrase, { name: 'Amy Admin', email: 'amy@contoso.example' }).ok, 'a strong passphrase');
const algorithm: KeyAlgorithm = 'ed25519';
const keyOptions: GenerateKeyOptions = { name: 'Amy Admin', email: 'amy@contoso.example', passphrase, algorithm, created: 1_700_000_000 };
const key: GeneratedKey = generateKey(keyOptions);
check(key.publicKey.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----') && key.fingerprint.length === 40, 'generateKey');
check(key.fingerprintGroups.split(' ').length === 10 && key.publicKeyFileName.endsWith('-public-key.asc'), 'fingerprint groups, file name');
const info: KeyInfo = inspectKey(key.privateKey);
const sub: SubkeyInfo | undefined = info.subkeys[0];
check(info.kind === 'private' && info.protected && info.fingerprint === key.fingerprint && sub?.canEncrypt === true, 'inspectKey');

// A vendor's password-only message (gpg --symmetric --armor of a one-token file).
const message = new TextEncoder().encode(`-----BEGIN PGP MESSAGE-----

jA0ECQMCzC41l3aundL/0sApAVsJbWa0cvwolvx+SnpE9goBq+7Myd+ddaMZCqkp
e/SN0u+ZmKq6vtJ45fPsvXODGIofn6bo4ettFbr/J6VLCnlKsB52s1/1ZE7m21y6
dhAxHwW3WGEmuDSy5ij2VJbOxr9zCcMolRthEE2UipcJeKopGkdG6K7wnzBKshd7
FFUXGqPRPc+LeWaexeIb56QdMD37UrJrvYMvHoFrC0QMOpFnVKS8s95ZlOd3Bx6F
Udz5DkrzxSymevIaCocrvEHSJoyF7JqAsCDcisOZwm2wbd3ELTlHUNsMTeTWQb+C
UUQkzDDq+TUgk3k=
=cZ1/
-----END PGP MESSAGE-----
`);
check(isOpenPgpMessage(message) && !isOpenPgpMessage(new TextEncoder().encode('{}')), 'isOpenPgpMessage');
const summary: MessageSummary = inspectMessage(message);
check(summary.passwords === 1 && summary.recipients.length === 0 && summary.integrity !== 'none', 'inspectMessage');
const options: DecryptOptions = { passphrase: 'harbor lantern quiet 7 moss', now: 1_800_000_000 };
const opened: DecryptedMessage = decryptMessage(message, options);
const how: DecryptedWith = opened.decryptedWith;
const signatures: SignatureCheck[] = opened.signatures;
check(how.kind === 'passphrase' && signatures.length === 0 && opened.fileName === 'tokens.json', 'decryptMessage');
// Straight into a token set; then the plaintext is wiped.
const set = TokenSet.open(opened.plaintext);
opened.plaintext.fill(0);
check(set.report().summary.valid === 1 && set.reveal(0) === 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'the decrypted file opens');
set.free();
let refused = '';
try { decryptMessage(message, { passphrase: 'wrong', now: 1_800_000_000 }); } catch (e) { refused = e instanceof Error ? String((e as Error & { code?: unknown }).code ?? '') : ''; }
check(refused.startsWith('PGP'), 'a wrong password is refused with its code');

console.log('usage-pgp.ts: every export called');
