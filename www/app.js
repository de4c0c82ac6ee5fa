// Entry point: loads the wasm engine (./pkg, built by scripts/build.sh), then mounts the panels.
// Everything runs in this page; the Content-Security-Policy forbids any other origin.
import { initTabs, status } from './js/ui.js';
import { mountCodePanel } from './js/totp.js';
import { mountFilePanel } from './js/files.js';
import { mountVariantsPanel } from './js/variants.js';
import { mountGraphPanel } from './js/graph.js';
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
  const tabs = initTabs();
  mountCodePanel(api);
  mountFilePanel(api);
  mountVariantsPanel(tabs);
  mountGraphPanel(tabs);
  status('');
  document.body.dataset.ready = 'true';
}

main();
