// The OpenPGP worker: runs the OpenPGP wasm module (crates/hwoath-pgp, www/pkg/hwoath_pgp.js)
// off the page's thread. Started by js/pgp.js only when an encrypted file or the key maker is
// used, so neither it nor the module is part of the page's first load. It compiles the module
// itself from embedded bytes (www/pkg/hwoath_pgp_wasm.js; the CSP has no connect-src, nothing is
// fetched). Messages in: {id, op, args}; out: {ready: true} once the module is up (or
// {ready: false, error}), then {id, ok: true, result, ms} or {id, ok: false, error, code}
// (code: the stable PGP0NN code of a refusal). A decrypted plaintext is transferred, not
// copied. Nothing is logged: results and errors hold no secret, and the page shows them.
import * as pgp from '../pkg/hwoath_pgp.js';
import { pgpWasmBytes } from '../pkg/hwoath_pgp_wasm.js';

const OPS = new Set(['generateKey', 'decryptMessage', 'inspectMessage', 'inspectKey', 'checkPassphrase', 'isOpenPgpMessage', 'pgpLimits']);

const ready = pgpWasmBytes()
  .then((bytes) => WebAssembly.compile(bytes))
  .then((module) => { pgp.initSync({ module }); self.postMessage({ ready: true }); })
  .catch((err) => { self.postMessage({ ready: false, error: `the OpenPGP module did not start: ${err.message}` }); throw err; });

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  try {
    await ready;
    if (!OPS.has(op) || typeof pgp[op] !== 'function') throw new Error(`unknown operation ${op}`);
    const t0 = performance.now();
    const result = pgp[op](...args);
    const transfer = result?.plaintext instanceof Uint8Array ? [result.plaintext.buffer] : [];
    self.postMessage({ id, ok: true, result, ms: performance.now() - t0 }, transfer);
  } catch (err) {
    self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err), code: err?.code ?? null });
  } finally {
    // The request's copies of keys and passphrases are dropped with the event.
    if (Array.isArray(args)) args.length = 0;
  }
};
