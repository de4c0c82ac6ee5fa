// Entry point: refuses to run inside another site's frame, starts the workers (the owner, which
// will hold the tokens, and the scan pool) with the compiled engine, reads the engine's facts, then
// mounts the three steps of the workflow:
// 1. Load (token file, listing, demo, one token by hand) → 2. Check (summary, diagnostics, live
// codes, verify a code, fix in place, variants) → 3. Send (Graph requests, Graph's answer, sheet).
// Everything runs in this page; the Content-Security-Policy forbids any other origin.
import { initSteps, status } from './js/ui.js';
import { warm, call, scanDrift } from './js/workers.js';
import { facts } from './js/session.js';
import { mountLoad } from './js/steps/load.js';
import { mountCheck } from './js/steps/check.js';
import { mountSend } from './js/steps/send.js';
import { mountClear } from './js/clear.js';

async function main() {
  // Framed by another page, a click could be steered onto "Copy" or "Reveal" (clickjacking): the
  // served page says frame-ancestors 'none'; a copy hosted without that header refuses here.
  if (window.top !== window.self) {
    status('hwoath does not run inside a frame of another page. Open it in a tab of its own.', 'error');
    return;
  }
  try {
    warm();
    Object.assign(facts, (await call('facts')).result);
  } catch (err) {
    status(`The TOTP engine (WebAssembly in ./pkg) could not start: ${err.message}. Run scripts/build.sh.`, 'error');
    return;
  }
  // The page's split drift scan of a loaded row, for bench/ and the tests (also in the single
  // file, where the modules are bundled): hwoathScan({source, row, typed, time, period, range}).
  window.hwoathScan = (args, options) => scanDrift(args, options);
  const steps = initSteps();
  const parts = [mountLoad(steps), mountCheck(steps), mountSend(steps)];
  mountClear(steps, parts);
  status('');
  document.body.dataset.ready = 'true';
}

main();
