// The one place the page loads the wasm engine. Everything else calls `loadEngine()` and gets the
// initialised API object (the exports of pkg/hwoath.js). Workers are created by `spawnWorker()`.
// (Interface shared by the page modules; how the wasm is obtained is this file's business.)

let engine = null;

/** Resolves to the initialised wasm API (pkg/hwoath.js exports). Loads it once. */
export function loadEngine() {
  if (!engine) {
    engine = import('../pkg/hwoath.js').then(async (api) => { await api.default(); return api; });
  }
  return engine;
}

/** Starts one background worker (www/worker.js) that speaks the protocol in worker-client.js. */
export function spawnWorker(name) {
  return new Worker(new URL('../worker.js', import.meta.url), { type: 'module', name });
}
