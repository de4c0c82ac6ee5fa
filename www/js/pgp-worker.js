// The OpenPGP worker: runs the OpenPGP wasm module (crates/hwoath-pgp, www/pkg/hwoath_pgp.js)
// off the page's thread. Started by js/pgp.js only when an encrypted file or the key maker is
// used, so neither it nor the module is part of the page's first load. It compiles the module
// itself from embedded bytes (www/pkg/hwoath_pgp_wasm.js; the CSP has no connect-src, nothing is
// fetched). Messages in: {connect} (a MessagePort to the owner worker, js/workers.js), then
// {id, op, args}; out: {ready: true} once the module is up (or {ready: false, error}), then
// {id, ok: true, result, ms} or {id, ok: false, error, code} (code: the stable PGP0NN code).
//
// Secrets stay here or go straight to the owner worker: a decrypted file is transferred to the
// owner over the port (decryptInto), never to the page; a key made here keeps its private half
// here until the admin downloads it (privateKey). Nothing is logged.
import * as pgp from '../pkg/hwoath_pgp.js';
import { pgpWasmBytes } from '../pkg/hwoath_pgp_wasm.js';

let owner = null;
/** Fingerprint → the armored private key of a key made here (until Clear ends this worker). */
const made = new Map();

/** A file (Blob), bytes or text as bytes; a Blob is read here, not by the page. */
async function bytesOf(input) {
  if (input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  if (typeof input === 'string') return new TextEncoder().encode(input);
  return input;
}

const OPS = {
  generateKey(options) {
    const key = pgp.generateKey(options);
    made.set(key.fingerprint, key.privateKey);
    return { ...key, privateKey: null };
  },
  privateKey(fingerprint) {
    if (!made.has(fingerprint)) throw new Error('that key was not made here (or everything was cleared)');
    return made.get(fingerprint);
  },
  async inspectMessage(input) { return pgp.inspectMessage(await bytesOf(input)); },
  async isOpenPgpMessage(input) { return pgp.isOpenPgpMessage(await bytesOf(input)); },
  async inspectKey(input) { return pgp.inspectKey(await bytesOf(input)); },
  checkPassphrase: (passphrase, context) => pgp.checkPassphrase(passphrase, context),
  pgpLimits: () => pgp.pgpLimits(),
  /** Decrypts `input` and hands the plaintext to the owner worker under `id`; the page gets what
   *  was learned (who it was for, the key used, the date, the signatures), not the plaintext. */
  async decryptInto(input, options, id) {
    if (!owner) throw new Error('the token worker is not connected');
    const opts = { ...options };
    for (const k of ['privateKey', 'verifyWith']) if (opts[k] instanceof Blob) opts[k] = await bytesOf(opts[k]);
    const message = await bytesOf(input);
    const r = pgp.decryptMessage(message, opts);
    for (const k of ['privateKey', 'verifyWith']) if (opts[k] instanceof Uint8Array) opts[k].fill(0);
    owner.postMessage({ id, plaintext: r.plaintext }, [r.plaintext.buffer]);
    return { ...r, plaintext: null };
  },
};

const ready = pgpWasmBytes()
  .then((bytes) => WebAssembly.compile(bytes))
  .then((module) => { pgp.initSync({ module }); self.postMessage({ ready: true }); })
  .catch((err) => { self.postMessage({ ready: false, error: `the OpenPGP module did not start: ${err.message}` }); throw err; });

self.onmessage = async (event) => {
  if (event.data?.connect) { owner = event.data.connect; return; }
  const { id, op, args } = event.data;
  try {
    await ready;
    if (!Object.hasOwn(OPS, op)) throw new Error(`unknown operation ${op}`);
    const t0 = performance.now();
    const result = await OPS[op](...args);
    self.postMessage({ id, ok: true, result, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err), code: err?.code ?? null });
  } finally {
    // The request's copies of keys and passphrases are dropped with the event.
    if (Array.isArray(args)) args.length = 0;
  }
};
