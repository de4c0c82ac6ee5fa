// Promise wrapper around www/worker.js. One worker for the page; calls run in order.
let worker = null;
let next = 1;
const pending = new Map();

function get() {
  if (worker) return worker;
  worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module', name: 'hwoath' });
  worker.onmessage = (e) => {
    const { id, progress, ok, result, error, ms, ready } = e.data;
    if (ready) { document.documentElement.dataset.worker = 'ready'; return; }
    const p = pending.get(id);
    if (!p) return;
    if (progress) { p.onProgress?.(progress); return; }
    pending.delete(id);
    if (ok) p.resolve({ result, ms }); else p.reject(new Error(error));
  };
  worker.onerror = (e) => {
    e.preventDefault();
    for (const p of pending.values()) p.reject(new Error('the background worker failed to start'));
    pending.clear();
    worker = null;
  };
  return worker;
}

/** Starts the worker now (with the page), so it and its wasm are loaded before they are needed,
 *  also when the server is gone afterwards. */
export function warm() { get(); }

/** Runs an API function in the worker: `run('validate', [text, opts], {onProgress})` → {result, ms}. */
export function run(op, args, { onProgress } = {}) {
  const id = next++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    get().postMessage({ id, op, args });
  });
}
