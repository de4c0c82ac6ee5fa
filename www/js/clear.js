// "Clear everything": after a confirm dialog, terminates every worker (the owner's memory held the
// tokens and every key; the page's own thread never had the engine), empties every step's views
// and the session, resets every input to its default, empties the clipboard when this page wrote
// it last, and goes back to Load.
import { $, forgetClipboard } from './dom.js';
import { resetWorkers } from './workers.js';
import { resetSession } from './session.js';
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

export async function clearEverything(steps, parts) {
  resetWorkers();
  for (const p of parts) p.clear();
  resetControls();
  resetSession();
  const clipboard = await forgetClipboard();
  status(`Everything was cleared: the tokens, their secrets, every result and every typed value are gone from this page and its workers.${
    clipboard ? ' The clipboard held text this page copied: it was emptied.' : ''}`);
  steps.go('load');
}

export function mountClear(steps, parts) {
  const dialog = $('#clear-dialog');
  const opener = $('#clear-all');
  opener.addEventListener('click', () => dialog.showModal());
  $('#clear-cancel').addEventListener('click', () => dialog.close('cancel'));
  $('#clear-confirm').addEventListener('click', () => dialog.close('clear'));
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'clear') clearEverything(steps, parts);
    else opener.focus();
    dialog.returnValue = '';
  });
}
