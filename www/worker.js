// Module worker: runs the long wasm calls (drift scans, token-file validation) off the page's
// main thread so the page never freezes. Messages in: first {wasmModule} (the compiled
// WebAssembly.Module, posted by spawnWorker in js/engine.js), then {id, op, args}; out: {ready: true}
// once the engine is up, {id, progress} while working, then {id, ok: true, result, ms} or
// {id, ok: false, error}. Nothing here touches the network: the worker never fetches or compiles
// the wasm, it instantiates the module the page compiled.
import * as api from './pkg/hwoath.js';

let resolveReady;
const ready = new Promise((resolve) => { resolveReady = resolve; });

// The operations the page may ask for (only exported API functions, never arbitrary names).
const OPS = new Set(['findDrift', 'parseTokens', 'normalize', 'variants', 'graphRequests', 'reconcile']);

self.onmessage = async (event) => {
  if (event.data && event.data.wasmModule instanceof WebAssembly.Module) {
    api.initSync({ module: event.data.wasmModule });
    resolveReady();
    self.postMessage({ ready: true });
    return;
  }
  const { id, op, args } = event.data;
  const progress = (stage, detail = {}) => self.postMessage({ id, progress: { stage, ...detail } });
  try {
    await ready;
    if (!OPS.has(op) || typeof api[op] !== 'function') throw new Error(`unknown operation ${op}`);
    progress('running');
    const t0 = performance.now();
    const result = api[op](...args);
    self.postMessage({ id, ok: true, result, ms: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
