// Module worker: runs the long wasm calls (drift scans, token-file validation) off the page's
// main thread so the page never freezes. Messages in: {id, op, args}; out: {id, progress} while
// working, then {id, ok: true, result, ms} or {id, ok: false, error}. Nothing here touches the network
// besides loading the wasm from this origin.
import init, * as api from './pkg/hwoath.js';

const ready = init();
ready.then(() => self.postMessage({ ready: true }), () => {});

// The operations the page may ask for (only exported API functions, never arbitrary names).
const OPS = new Set(['findDrift', 'parseTokens', 'normalize', 'variants', 'graphRequests', 'reconcile']);

self.onmessage = async (event) => {
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
