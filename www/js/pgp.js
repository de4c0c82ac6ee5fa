// The page's door to the OpenPGP module (key maker, encrypted files). Nothing here loads until
// `openPgp()` is first called: the worker (js/pgp-worker.js) and the OpenPGP wasm (about 0.7 MB
// gzip) are never part of the page's first load. One worker at a time; `close()` terminates it
// (its wasm memory, which held keys, passphrases and plaintext, goes with it) — call it from
// Clear everything. The API mirrors www/pkg/hwoath_pgp.d.ts, asynchronously:
//
//   const pgp = openPgp();
//   const key = await pgp.generateKey({ name, email, passphrase, algorithm: 'ed25519', created: Date.now() / 1000 });
//   const msg = await pgp.decryptMessage(bytes, { privateKey, passphrase, verifyWith, now: Date.now() / 1000 });
//   const text = new TextDecoder('utf-8', { fatal: true }).decode(msg.plaintext); msg.plaintext.fill(0);
//
// A refusal rejects with an Error whose `code` is the PGP0NN code (docs/openpgp.md).
import { pgpWorkerUrl } from '../pkg/pgp-worker-url.js';

let current = null;

function start() {
  let next = 1;
  let closed = false;
  const pending = new Map();
  const fail = (message) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  const worker = pgpWorkerUrl().then(({ url, type }) => {
    const w = new Worker(url, { type, name: 'hwoath-pgp' });
    w.onmessage = (e) => {
      const { id, ready, ok, result, error, code } = e.data;
      if (ready === false) { fail(error); return; }
      if (ready) return;
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(Object.assign(new Error(error), code ? { code, name: 'PgpError' } : {}));
    };
    w.onerror = (e) => { e.preventDefault(); fail('the OpenPGP worker failed to start'); };
    return w;
  });
  const call = (op, ...args) => new Promise((resolve, reject) => {
    if (closed) { reject(new Error('the OpenPGP worker was closed')); return; }
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.then((w) => w.postMessage({ id, op, args }), (err) => { pending.delete(id); reject(err); });
  });
  const api = {
    /** @param {import('../pkg/hwoath_pgp.js').GenerateKeyOptions} options */
    generateKey: (options) => call('generateKey', options),
    /** @param {Uint8Array} bytes @param {import('../pkg/hwoath_pgp.js').DecryptOptions} options */
    decryptMessage: (bytes, options) => call('decryptMessage', bytes, options),
    inspectMessage: (bytes) => call('inspectMessage', bytes),
    inspectKey: (key) => call('inspectKey', key),
    checkPassphrase: (passphrase, context) => call('checkPassphrase', passphrase, context),
    isOpenPgpMessage: (bytes) => call('isOpenPgpMessage', bytes),
    pgpLimits: () => call('pgpLimits'),
    /** Terminates the worker; pending and later calls reject (openPgp() starts a new one). */
    close() {
      closed = true;
      if (current === api) current = null;
      worker.then((w) => w.terminate(), () => {});
      fail('the OpenPGP worker was closed');
    },
  };
  return api;
}

/** The OpenPGP module's API in a worker, started on first use and shared afterwards. */
export function openPgp() {
  if (!current) current = start();
  return current;
}

/** Terminates the OpenPGP worker if one runs (Clear everything). */
export function closePgp() {
  current?.close();
  current = null;
}

/** A cheap first look, without loading the module: false means "certainly not an OpenPGP
 *  message" (no armor line `-----BEGIN PGP MESSAGE-----`, and a first byte that is no packet
 *  header a message starts with). True means "maybe": the Load step then starts the module and
 *  asks `isOpenPgpMessage`, which decides by the full rule (crates/hwoath-pgp/src/detect.rs). A
 *  token file (UTF-8 JSON or CSV) is always false here, so the module is never loaded for one. */
export function looksLikeOpenPgp(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return false;
  const b = bytes[0];
  if (b & 0x80) {
    const tag = b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
    if ([1, 2, 3, 4, 8, 9, 10, 11, 18, 20].includes(tag)) return true;
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024));
  return /(^|[\r\n])[ \t]*-----BEGIN PGP MESSAGE-----/.test(head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''));
}
