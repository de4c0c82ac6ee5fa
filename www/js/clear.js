// "Clear everything": after a confirm dialog, terminates every worker (their wasm memory held the
// secrets; fresh ones start), empties the shared state and every module's data and DOM (clear
// handlers in state.js), resets every input to its default, and goes back to Load.
import { $ } from './dom.js';
import { resetWorkers } from './worker-client.js';
import { clearState } from './state.js';
import { status } from './ui.js';

/** Resets every form control on the page to the value it had when the page loaded. */
function resetControls() {
  for (const el of document.querySelectorAll('input, textarea, select')) {
    if (el instanceof HTMLSelectElement) {
      const def = [...el.options].findIndex((o) => o.defaultSelected);
      el.selectedIndex = def >= 0 ? def : (el.options.length ? 0 : -1);
    } else if (el.type === 'checkbox' || el.type === 'radio') el.checked = el.defaultChecked;
    else if (el.type === 'file') el.value = '';
    else el.value = el.defaultValue;
  }
  for (const d of document.querySelectorAll('details[open]')) d.open = false;
}

export function clearEverything(steps) {
  resetWorkers();
  clearState();
  resetControls();
  status('Everything was cleared: the tokens, their secrets, every result and every typed value are gone from this page and its workers. The clipboard may still hold a request you copied: copy something else to replace it.');
  steps.go('load');
}

export function mountClear(steps) {
  const dialog = $('#clear-dialog');
  const opener = $('#clear-all');
  opener.addEventListener('click', () => dialog.showModal());
  $('#clear-cancel').addEventListener('click', () => dialog.close('cancel'));
  $('#clear-confirm').addEventListener('click', () => dialog.close('clear'));
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'clear') clearEverything(steps);
    else opener.focus();
    dialog.returnValue = '';
  });
}
