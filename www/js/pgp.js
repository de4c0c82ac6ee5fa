// The page's door to the OpenPGP module (key maker, encrypted files). Nothing here loads until
// `openPgp()` is first called: the worker (js/pgp-worker.js) and the OpenPGP wasm (about 0.7 MB
// gzip) are never part of the page's first load. One worker at a time, linked to the owner
// worker (js/workers.js) so that a decrypted file goes from one to the other without passing
// through this thread; `close()` terminates it (its wasm memory, which held keys, passphrases
// and plaintext, goes with it) — Clear everything calls it. Asynchronous, mirroring
// www/pkg/hwoath_pgp.d.ts where it can:
//
//   const pgp = openPgp();
//   const key = await pgp.generateKey({ name, email, passphrase, algorithm: 'ed25519', created: Date.now() / 1000 });
//   const armored = await pgp.privateKey(key.fingerprint);      // SECRET, for the download only
//   const info = await pgp.decryptInto(file, { privateKey, passphrase, now: Date.now() / 1000 }, id);
//   // …then the owner worker's openDecrypted({id}) reads the plaintext it was sent.
//
// A refusal rejects with an Error whose `code` is the PGP0NN code (docs/openpgp.md).
import { pgpWorkerUrl } from '../pkg/pgp-worker-url.js';
import { linkPgp } from './workers.js';

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
    linkPgp(w);
    return w;
  });
  const call = (op, ...args) => new Promise((resolve, reject) => {
    if (closed) { reject(new Error('the OpenPGP worker was closed')); return; }
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.then((w) => w.postMessage({ id, op, args }), (err) => { pending.delete(id); reject(err); });
  });
  const api = {
    /** A new key; its private half stays in the worker (`privateKey` hands it out). */
    generateKey: (options) => call('generateKey', options),
    /** SECRET: the armored private key of a key made here, for its download. */
    privateKey: (fingerprint) => call('privateKey', fingerprint),
    /** Decrypts `input` (a File, bytes or text) and sends the plaintext to the owner worker under
     *  `id`; resolves to what was learned, without the plaintext. */
    decryptInto: (input, options, id) => call('decryptInto', input, options, id),
    inspectMessage: (input) => call('inspectMessage', input),
    inspectKey: (key) => call('inspectKey', key),
    checkPassphrase: (passphrase, context) => call('checkPassphrase', passphrase, context),
    isOpenPgpMessage: (input) => call('isOpenPgpMessage', input),
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

