// Web Worker: the only place the page's tokens live. Two roles, set by the first message
// ({wasmModule, role}, posted by js/engine.js):
// - owner: holds the TokenSet of the loaded file and the one of its variants. Every key the page
//   has is inside that wasm memory; the page receives masked rows, codes and request texts, and a
//   secret only in the answer to the one request that asks for it (reveal, copy, download).
// - scan: runs one share of a split drift scan on a one-token file the owner sends it over a
//   MessagePort (never through the page), and answers the page with the candidates.
// Messages in: {id, op, args}; out: {ready: true}, {id, progress}, {id, ok: true, result, ms} or
// {id, ok: false, error}. Nothing here touches the network.
import * as api from './pkg/hwoath.js';
import { ownerOps } from './worker/owner.js';

let ops = null;
// Calls can arrive before the engine (its module is posted once compiled): they wait for it.
let started;
const ready = new Promise((resolve) => { started = resolve; });
let early = []; // channels that arrived before the engine (their order is not guaranteed)

function reply(id, run) {
  const t0 = performance.now();
  Promise.resolve().then(run).then(
    (result) => self.postMessage({ id, ok: true, result, ms: performance.now() - t0 }),
    (err) => self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}

/** A share of a drift scan: open the one-token file, wipe its bytes, scan, free. */
function scanShare({ id, bytes, typed, time, range }) {
  reply(id, () => {
    let set = null;
    try {
      set = api.TokenSet.open(bytes);
      return set.drift(0, typed, time, range);
    } finally {
      bytes.fill(0);
      set?.free();
    }
  });
}

/** The owner's end of a channel to one scan worker, or a scan worker's end from the owner. */
function attach({ connect, connectPgp, slot }) {
  if (connectPgp) ops.connectPgp?.(connectPgp);
  else if (ops.connect) ops.connect(slot, connect);
  else connect.onmessage = (e) => scanShare(e.data);
}

self.onmessage = (event) => {
  const data = event.data;
  if (data && data.wasmModule instanceof WebAssembly.Module) {
    api.initSync({ module: data.wasmModule });
    ops = data.role === 'owner' ? ownerOps(api) : {};
    for (const c of early) attach(c);
    early = null;
    started();
    self.postMessage({ ready: true });
    return;
  }
  if (data?.connect || data?.connectPgp) {
    if (ops) attach(data); else early.push(data);
    return;
  }
  const { id, op, args } = data;
  reply(id, async () => {
    await ready;
    if (!Object.hasOwn(ops, op) || op === 'connect' || op === 'connectPgp') throw new Error(`unknown operation ${op}`);
    return ops[op](args ?? {}, (progress) => self.postMessage({ id, progress }));
  });
};
