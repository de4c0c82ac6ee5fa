// Send step, "End-user sheet": one block per token (or per variant, when the variants are being
// sent) for the person who receives the device: the serial number to type, a name for it, who it
// is for (assignTo or the CSV's UPN), the steps on My Security Info. Two layouts: one block to a
// half page, or compact (several to a page, with cut lines). Only the sheet prints (style.css,
// @media print). The engine's sheet entries hold no secret.
import { h, replace, $, num } from '../dom.js';
import { call } from '../workers.js';
import { session, on, usable } from '../session.js';

export const SECURITY_INFO = 'https://mysignins.microsoft.com/security-info';
const PREVIEW = 2;

function block(t, Heading) {
  const device = [t.manufacturer, t.model].filter(Boolean).join(' ') || 'hardware token';
  const name = t.displayName || `${device} ${t.serialNumber.slice(-4)}`;
  return h('article', { class: 'sheet-block', 'data-serial': t.serialNumber },
    h(Heading, { class: 'sheet-block__title' }, `Your hardware token: ${device}`),
    h('dl', { class: 'sheet-block__facts' },
      h('dt', {}, 'Serial number to type'), h('dd', { class: 'mono sheet-block__serial' }, t.serialNumber),
      t.printedSerial ? [h('dt', {}, 'Serial printed on the device'), h('dd', { class: 'mono' }, t.printedSerial)] : null,
      h('dt', {}, 'Name for the token'), h('dd', {}, name),
      h('dt', {}, 'Given to'), h('dd', {}, t.user || h('span', { class: 'sheet-block__blank' }, '\u00A0'))),
    h('ol', { class: 'sheet-block__steps' },
      h('li', {}, 'Open ', h('span', { class: 'mono' }, SECURITY_INFO), ' and sign in with your work account.'),
      h('li', {}, 'Choose ', h('strong', {}, 'Add sign-in method'), ', then ', h('strong', {}, 'Hardware token'), '.'),
      h('li', {}, 'Type the serial number ', h('strong', { class: 'mono' }, t.serialNumber),
        t.printedSerial ? ' (not the one printed on the device)' : '', '.'),
      h('li', {}, 'Type a name you will recognise, for example ', h('strong', {}, `“${name}”`), '.'),
      h('li', {}, 'Press the button on the device and type the 6-digit code it shows, then choose ', h('strong', {}, 'Next'), '.')),
    t.note ? h('p', { class: 'sheet-block__note' }, t.note) : null);
}

export function mountSheet() {
  const preview = $('#sheet-preview');
  const print = $('#print-sheet');
  const button = $('#sheet-print');
  const layout = $('#sheet-layout');
  let entries = [];
  let asked = 0;

  async function load() {
    const my = ++asked;
    entries = [];
    render();
    if (!usable()) return;
    const { result } = await call('sheet', { source: session.source });
    if (my !== asked) return;
    entries = result;
    render();
  }
  function render() {
    button.disabled = !entries.length;
    replace(preview, entries.slice(0, PREVIEW).map((t) => block(t, 'h3')),
      entries.length > PREVIEW ? h('p', { class: 'help' }, `… and ${num(entries.length - PREVIEW)} more on the printed sheet (${num(entries.length)} blocks in all).`) : null);
  }
  // The full sheet (one block per token, possibly thousands) is built only for printing.
  const fill = () => {
    print.dataset.layout = layout.value;
    replace(print, entries.map((t) => block(t, 'h2')));
  };
  window.addEventListener('beforeprint', fill);
  window.addEventListener('afterprint', () => replace(print));
  button.addEventListener('click', () => { fill(); window.print(); });
  for (const topic of ['tokens', 'variants', 'source']) on(topic, () => load().catch(() => {}));
  load().catch(() => {});
  return { clear() { asked++; entries = []; render(); replace(print); } };
}
