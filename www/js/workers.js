// The page's workers (www/worker.js): one owner, which holds the loaded tokens and answers every
// call in order, and a pool of scan workers, which split a drift scan into contiguous ranges.
// The owner sends each scan worker its one-token file over a MessagePort, so a key never passes
// through this thread. Cancelling a scan terminates the pool; cancelling a load terminates the
// owner (its tokens were being replaced anyway); "Clear everything" terminates both. Each is
// replaced by a fresh worker at once, and the channels between them are made again.
import { spawnWorker } from './engine.js';

/** Scan workers: one per core, at least 2 and at most 4. */
export const POOL_SIZE = Math.min(Math.max(navigator.hardwareConcurrency || 2, 2), 4);

let owner = null;
let pool = [];
let next = 1;
let pgpWorker = null; // the OpenPGP worker (js/pgp.js), when one runs

const abortError = () => new DOMException('The operation was cancelled.', 'AbortError');
/** True for the rejection of a cancelled call. */
export const isAbort = (err) => err?.name === 'AbortError';

function markReady() {
  const all = [owner, ...pool];
  if (all.every((w) => w?.ready)) document.documentElement.dataset.worker = 'ready';
}

function start(role, name) {
  const entry = { role, ready: false, pending: new Map(), worker: spawnWorker(role, name) };
  entry.worker.onmessage = (e) => {
    const { id, progress, ok, result, error, ms, ready } = e.data;
    if (ready) { entry.ready = true; markReady(); return; }
    const p = entry.pending.get(id);
    if (!p) return;
    if (progress) { p.onProgress?.(progress); return; }
    entry.pending.delete(id);
    if (ok) p.resolve({ result, ms }); else p.reject(new Error(error));
  };
  entry.worker.onerror = (e) => {
    e.preventDefault();
    for (const p of entry.pending.values()) p.reject(new Error('the background worker failed to start'));
    entry.pending.clear();
  };
  return entry;
}

/** A channel from the owner to each scan worker (after any of them was replaced). */
function connect() {
  pool.forEach((entry, slot) => {
    const ch = new MessageChannel();
    owner.worker.postMessage({ connect: ch.port1, slot }, [ch.port1]);
    entry.worker.postMessage({ connect: ch.port2 }, [ch.port2]);
  });
}

/** A channel from the OpenPGP worker to the owner: a decrypted file goes over it. */
function connectPgp() {
  if (!pgpWorker || !owner) return;
  const ch = new MessageChannel();
  pgpWorker.postMessage({ connect: ch.port1 }, [ch.port1]);
  owner.worker.postMessage({ connectPgp: ch.port2 }, [ch.port2]);
}

/** Links the OpenPGP worker (js/pgp.js starts it) to the owner, now and after the owner is
 *  replaced; `null` when it ends. */
export function linkPgp(worker) {
  warm();
  pgpWorker = worker;
  connectPgp();
}

function kill(entry) {
  entry.worker.terminate();
  for (const p of entry.pending.values()) p.reject(abortError());
  entry.pending.clear();
}

/** Starts the workers (with the page). */
export function warm() {
  if (owner) return;
  owner = start('owner', 'hwoath-owner');
  pool = Array.from({ length: POOL_SIZE }, (_, i) => start('scan', `hwoath-scan-${i}`));
  connect();
}

function restart(which) {
  delete document.documentElement.dataset.worker;
  if (which !== 'pool') { kill(owner); owner = start('owner', 'hwoath-owner'); }
  if (which !== 'owner') { pool.forEach(kill); pool = pool.map((_, i) => start('scan', `hwoath-scan-${i}`)); }
  connect();
  if (which !== 'pool') connectPgp();
}

/** Terminates every worker (their memory held the tokens) and starts fresh ones. */
export function resetWorkers() { pgpWorker = null; if (owner) restart('all'); }

function pend(entry, { onProgress } = {}) {
  const id = next++;
  const promise = new Promise((resolve, reject) => entry.pending.set(id, { resolve, reject, onProgress }));
  return { id, promise };
}

/** Calls an operation of the owner: `call('open', {input, options}, {signal, onProgress})` →
 *  {result, ms}. Aborting `signal` terminates the owner (and so the call). */
export function call(op, args = {}, { signal, onProgress } = {}) {
  warm();
  if (signal?.aborted) return Promise.reject(abortError());
  const entry = owner;
  const { id, promise } = pend(entry, { onProgress });
  entry.worker.postMessage({ id, op, args });
  signal?.addEventListener('abort', () => { if (owner === entry && entry.pending.has(id)) restart('owner'); }, { once: true });
  return promise;
}

/** Splits the offsets `from..=to` into at most `parts` contiguous ranges (the first ones one
 *  longer when the count does not divide evenly). */
export function splitRange(from, to, parts) {
  const total = to - from + 1;
  if (total <= 0) return [];
  const n = Math.min(parts, total);
  const size = Math.floor(total / n);
  let extra = total % n;
  const ranges = [];
  for (let i = 0, start = from; i < n; i++) {
    const end = start + size - 1 + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    ranges.push({ fromSteps: start, toSteps: end });
    start = end + 1;
  }
  return ranges;
}

/** A drift scan of `range` for one row of `source`, split across the pool; the owner merges the
 *  shares (the engine's order) and judges the nearest offset against Entra's windows.
 *  Resolves to {result: DriftVerdict, ms}; `onProgress({scannedSteps, totalSteps})` as each share
 *  ends; aborting `signal` terminates the pool. */
export async function scanDrift({ source, row, typed, time, range, period }, { signal, onProgress } = {}) {
  warm();
  if (signal?.aborted) throw abortError();
  const t0 = performance.now();
  const shares = splitRange(range.fromSteps, range.toSteps, pool.length).map((r, slot) => ({ slot, range: r, ...pend(pool[slot]) }));
  const here = pool;
  signal?.addEventListener('abort', () => { if (pool === here) restart('pool'); }, { once: true });
  const totalSteps = range.toSteps - range.fromSteps + 1;
  let done = 0;
  const parts = shares.map((s) => s.promise.then(({ result }) => {
    done += s.range.toSteps - s.range.fromSteps + 1;
    onProgress?.({ scannedSteps: done, totalSteps });
    return result;
  }));
  await call('scan', { source, row, typed, time, parts: shares.map(({ slot, id, range: r }) => ({ slot, id, range: r })) });
  const results = await Promise.all(parts);
  const { result } = await call('mergeDrift', { parts: results, period });
  return { result, ms: performance.now() - t0 };
}
