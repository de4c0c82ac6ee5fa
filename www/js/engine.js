// The one place the page loads the wasm engine. Everything else calls `loadEngine()` and gets the
// initialised API object (the exports of pkg/hwoath.js). Workers are created by `spawnWorker()`.
// (Interface shared by the page modules; how the wasm is obtained is this file's business.)
//
// Nothing is fetched: the page's Content-Security-Policy has no connect-src. The wasm bytes come
// from an ES module (pkg/hwoath_wasm.js, written by scripts/build.sh), are compiled once here and
// the compiled WebAssembly.Module is both instantiated for the page and posted to every worker,
// which instantiates it without fetching or compiling anything.
import * as api from '../pkg/hwoath.js';
import { wasmBytes } from '../pkg/hwoath_wasm.js';
import { WORKER_URL, WORKER_TYPE } from '../pkg/worker-url.js';

let compiled = null;
let engine = null;

/** Resolves to the compiled wasm module (compiled once; needs 'wasm-unsafe-eval'). */
function wasmModule() {
  if (!compiled) compiled = wasmBytes().then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** Resolves to the initialised wasm API (pkg/hwoath.js exports). Loads it once. */
export function loadEngine() {
  if (!engine) {
    engine = wasmModule().then((module) => { api.initSync({ module }); return api; });
  }
  return engine;
}

/** Starts one background worker (www/worker.js) that speaks the protocol in worker-client.js.
 *  Its first message is the compiled wasm module ({wasmModule}); it answers {ready: true}. */
export function spawnWorker(name) {
  const worker = new Worker(WORKER_URL, { type: WORKER_TYPE, name });
  wasmModule().then(
    (module) => worker.postMessage({ wasmModule: module }),
    (err) => worker.dispatchEvent(new ErrorEvent('error', { message: `the wasm engine did not compile: ${err.message}` })),
  );
  return worker;
}
