// Promise wrapper around www/worker.js. A small pool of module workers, all started with the page
// (so they and their wasm are loaded before they are needed, also when the server is gone
// afterwards). `run` uses the first worker (calls run in order); `scanDrift` splits a drift scan
// across the whole pool, one contiguous range of offsets each, and merges the results.
// Work can be cancelled with an AbortSignal: the workers doing it are terminated (a wasm call
// cannot be interrupted otherwise), their calls reject with an AbortError, and fresh workers start.
import { loadEngine, spawnWorker } from './engine.js';

let pool = null;
let next = 1;

/** Workers in the pool: one per core, at least 2 and at most 4. */
export const POOL_SIZE = Math.min(Math.max(navigator.hardwareConcurrency || 2, 2), 4);

const abortError = () => new DOMException('The operation was cancelled.', 'AbortError');

/** True for the rejection of a cancelled call. */
export const isAbort = (err) => err?.name === 'AbortError';

function spawn(slot) {
  const entry = { worker: null, ready: false, pending: new Map() };
  const w = spawnWorker(`hwoath-${slot}`);
  w.onmessage = (e) => {
    const { id, progress, ok, result, error, ms, ready } = e.data;
    if (ready) {
      entry.ready = true;
      if (pool.every((p) => p?.ready)) document.documentElement.dataset.worker = 'ready';
      return;
    }
    const p = entry.pending.get(id);
    if (!p) return;
    if (progress) { p.onProgress?.(progress); return; }
    entry.pending.delete(id);
    if (ok) p.resolve({ result, ms }); else p.reject(new Error(error));
  };
  w.onerror = (e) => {
    e.preventDefault();
    for (const p of entry.pending.values()) p.reject(new Error('the background worker failed to start'));
    entry.pending.clear();
    if (pool[slot] === entry) pool[slot] = null; // started again on the next call
  };
  entry.worker = w;
  return entry;
}

function get(slot) {
  if (!pool) pool = Array.from({ length: POOL_SIZE }, () => null);
  for (let i = 0; i < POOL_SIZE; i++) if (!pool[i]) pool[i] = spawn(i);
  return pool[slot];
}

/** Starts the workers now (with the page). */
export function warm() { get(0); }

/** Terminates the worker in `slot` (its wasm memory goes with it) and rejects its calls with an
 *  AbortError; a fresh worker is started in its place. */
function kill(slot) {
  const entry = pool?.[slot];
  if (!entry) return;
  pool[slot] = null;
  entry.worker.terminate();
  delete document.documentElement.dataset.worker;
  for (const p of entry.pending.values()) p.reject(abortError());
  entry.pending.clear();
}

/** Terminates every worker (dropping all wasm memory that held secrets), rejects every pending
 *  call with an AbortError and starts a fresh pool. */
export function resetWorkers() {
  if (!pool) return;
  for (let i = 0; i < pool.length; i++) kill(i);
  warm();
}

function call(slot, op, args, { onProgress, signal } = {}) {
  if (signal?.aborted) return Promise.reject(abortError());
  const id = next++;
  return new Promise((resolve, reject) => {
    const entry = get(slot);
    entry.pending.set(id, { resolve, reject, onProgress });
    entry.worker.postMessage({ id, op, args });
    signal?.addEventListener('abort', () => {
      if (pool?.[slot] === entry && entry.pending.has(id)) { kill(slot); warm(); }
    }, { once: true });
  });
}

/** Runs an API function in the first worker: `run('parseTokens', [text, opts], {onProgress, signal})`
 *  → {result, ms}. Aborting `signal` terminates that worker and rejects with an AbortError. */
export function run(op, args, options = {}) {
  return call(0, op, args, options);
}

/** Splits the offsets `from..=to` into `parts` contiguous ranges (the first ones one longer when
 *  the count does not divide evenly); fewer ranges when there are fewer offsets than parts. */
export function splitRange(from, to, parts) {
  const total = to - from + 1;
  const ranges = [];
  if (total <= 0) return ranges;
  const n = Math.min(parts, total);
  const size = Math.floor(total / n);
  let extra = total % n;
  let start = from;
  for (let i = 0; i < n; i++) {
    const end = start + size - 1 + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    ranges.push([start, end]);
    start = end + 1;
  }
  return ranges;
}

/** Nearest first; on a tie the device behind (negative) before ahead — the order of `findDrift`. */
export function byNearest(a, b) {
  return Math.abs(a.offsetSteps) - Math.abs(b.offsetSteps) || a.offsetSteps - b.offsetSteps;
}

/** A `findDrift(secret, options)` split across the worker pool: the same result as one call
 *  (candidates nearest first, `scannedSteps` summed), in about 1/N of the time on N cores.
 *  Resolves to {result, ms} (ms: wall time of the whole scan). `onProgress({scannedSteps,
 *  totalSteps})` is called as each worker's share finishes; aborting `signal` cancels the scan. */
export async function scanDrift(secret, options, { signal, onProgress } = {}) {
  let { maxSteps, ...rest } = options;
  if (maxSteps === undefined) {
    // findDrift's own default (±2 years of steps), from the engine rather than a copy of it.
    try { maxSteps = (await loadEngine()).defaultDriftSteps(options.period); } catch { maxSteps = NaN; }
  }
  // Options findDrift would refuse (a bad period or maxSteps): one call, for its own error.
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 0) return run('findDrift', [secret, options], { signal });
  const t0 = performance.now();
  const ranges = splitRange(-maxSteps, maxSteps, POOL_SIZE);
  let done = 0;
  const parts = await Promise.all(ranges.map(([fromSteps, toSteps], slot) =>
    call(slot, 'findDrift', [secret, { ...rest, fromSteps, toSteps }], { signal }).then((p) => {
      done += toSteps - fromSteps + 1;
      onProgress?.({ scannedSteps: done, totalSteps: 2 * maxSteps + 1 });
      return p;
    })));
  const candidates = parts.flatMap((p) => p.result.candidates).sort(byNearest);
  const scannedSteps = parts.reduce((sum, p) => sum + p.result.scannedSteps, 0);
  return { result: { candidates, scannedSteps }, ms: performance.now() - t0 };
}
