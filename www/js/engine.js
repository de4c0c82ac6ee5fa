// The page's one contact with the wasm engine: it compiles the module once and hands the compiled
// WebAssembly.Module to each Web Worker (www/worker.js), which instantiates it. The page itself
// never instantiates the engine, so no key is ever in a wasm memory of the page's own thread:
// every secret lives in the owner worker's TokenSet, and "Clear everything" terminates that worker.
//
// Nothing is fetched: the page's Content-Security-Policy has no connect-src. The wasm bytes come
// from an ES module (pkg/hwoath_wasm.js, written by scripts/build.sh).
import { wasmBytes } from '../pkg/hwoath_wasm.js';
import { WORKER_URL, WORKER_TYPE } from '../pkg/worker-url.js';

let compiled = null;

/** Resolves to the compiled wasm module (compiled once; needs 'wasm-unsafe-eval'). */
export function wasmModule() {
  if (!compiled) compiled = wasmBytes().then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** Starts one worker in `role` ('owner' holds the tokens, 'scan' runs a share of a drift scan).
 *  Its first message is the compiled module; it answers {ready: true}. */
export function spawnWorker(role, name) {
  const worker = new Worker(WORKER_URL, { type: WORKER_TYPE, name });
  wasmModule().then(
    (module) => worker.postMessage({ wasmModule: module, role }),
    (err) => worker.dispatchEvent(new ErrorEvent('error', { message: `the wasm engine did not compile: ${err.message}` })),
  );
  return worker;
}
