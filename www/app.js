// Entry point: loads the wasm engine (js/engine.js), then mounts the three steps of the workflow:
// 1. Load (token file, listing, demo, one token by hand) → 2. Check (summary, diagnostics, live
// codes, verify a code, variants) → 3. Send (Graph requests, Graph's answer, end-user sheet).
// Everything runs in this page; the Content-Security-Policy forbids any other origin.
import { initSteps, status } from './js/ui.js';
import { mountManual } from './js/totp.js';
import { mountFilePanel } from './js/files.js';
import { mountVariantsPanel } from './js/variants.js';
import { mountGraphPanel } from './js/graph.js';
import { mountSheet } from './js/sheet.js';
import { mountClear } from './js/clear.js';
import { warm, scanDrift } from './js/worker-client.js';
import { loadEngine } from './js/engine.js';

async function main() {
  let api;
  try {
    api = await loadEngine();
  } catch (err) {
    status(`The TOTP engine (WebAssembly in ./pkg) could not load: ${err.message}. Run scripts/build.sh.`, 'error');
    return;
  }
  warm();
  // The page's parallel drift scan, for bench/node.mjs and tests: resolves to {result, ms}.
  window.hwoathScan = scanDrift;
  const steps = initSteps();
  const files = mountFilePanel(api, steps);
  mountManual(api, files.load);
  mountVariantsPanel(steps);
  mountGraphPanel(steps);
  mountSheet();
  mountClear(steps);
  status('');
  document.body.dataset.ready = 'true';
}

main();
