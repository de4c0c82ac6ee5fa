// Send step, "End-user sheet": one block per token (or per variant when the variants are being
// sent) for the person who receives the device: the serial number to type, a name for it, and the
// steps on My Security Info. Only this sheet prints (style.css, @media print). It is built from
// serial numbers, device names and users only: never from a secret.
import { h, replace, $, num } from './dom.js';
import { state, onChange, usable } from './state.js';

export const SECURITY_INFO = 'https://mysignins.microsoft.com/security-info';
const PREVIEW = 2;

/** The blocks of the sheet: {serial, printedSerial, device, name, user, note}. */
export function sheetTokens() {
  if (!usable()) return [];
  const rows = state.parsed.records;
  const people = new Map(state.people.map((p) => [p.serialNumber, p]));
  const device = (r) => [r?.manufacturer, r?.model].filter(Boolean).join(' ') || 'hardware token';
  if (state.graphSource === 'variants' && state.variants) {
    return state.variants.variants.map((v) => {
      const r = rows[v.record];
      const p = people.get(r?.serialNumber);
      return { serial: v.serialNumber, printedSerial: r?.serialNumber ?? null, device: device(r), name: p?.displayName ?? null, user: p?.user ?? null, note: v.note };
    });
  }
  return rows.map((r) => {
    const p = people.get(r.serialNumber);
    return { serial: r.serialNumber, printedSerial: null, device: device(r), name: p?.displayName ?? null, user: p?.user ?? null, note: null };
  });
}

function block(t, Heading) {
  const name = t.name || `${t.device} ${t.serial.slice(-4)}`;
  return h('article', { class: 'sheet-block', 'data-serial': t.serial },
    h(Heading, { class: 'sheet-block__title' }, `Your hardware token: ${t.device}`),
    h('dl', { class: 'sheet-block__facts' },
      h('dt', {}, 'Serial number to type'), h('dd', { class: 'mono sheet-block__serial' }, t.serial),
      t.printedSerial ? [h('dt', {}, 'Serial printed on the device'), h('dd', { class: 'mono' }, t.printedSerial)] : null,
      h('dt', {}, 'Name for the token'), h('dd', {}, name),
      h('dt', {}, 'Given to'), h('dd', {}, t.user || h('span', { class: 'sheet-block__blank' }, '\u00A0'))),
    h('ol', { class: 'sheet-block__steps' },
      h('li', {}, 'Open ', h('span', { class: 'mono' }, SECURITY_INFO), ' and sign in with your work account.'),
      h('li', {}, 'Choose ', h('strong', {}, 'Add sign-in method'), ', then ', h('strong', {}, 'Hardware token'), '.'),
      h('li', {}, 'Type the serial number ', h('strong', { class: 'mono' }, t.serial),
        t.printedSerial ? ' (not the one printed on the device)' : '', '.'),
      h('li', {}, 'Type a name you will recognise, for example ', h('strong', {}, `“${name}”`), '.'),
      h('li', {}, 'Press the button on the device and type the 6-digit code it shows, then choose ', h('strong', {}, 'Next'), '.')),
    t.note ? h('p', { class: 'sheet-block__note' }, t.note) : null);
}

export function mountSheet() {
  const preview = $('#sheet-preview');
  const print = $('#print-sheet');
  const button = $('#sheet-print');

  function render() {
    const tokens = sheetTokens();
    button.disabled = !tokens.length;
    replace(preview, tokens.slice(0, PREVIEW).map((t) => block(t, 'h3')),
      tokens.length > PREVIEW ? h('p', { class: 'help' }, `… and ${num(tokens.length - PREVIEW)} more on the printed sheet (${num(tokens.length)} blocks in all).`) : null);
  }
  // The full sheet (one block per token, possibly thousands) is built only for printing.
  const fill = () => replace(print, sheetTokens().map((t) => block(t, 'h2')));
  window.addEventListener('beforeprint', fill);
  window.addEventListener('afterprint', () => replace(print));

  let seen = {};
  onChange((s) => {
    if (s.parsed === seen.parsed && s.variants === seen.variants && s.graphSource === seen.graphSource && s.people === seen.people) return;
    seen = { parsed: s.parsed, variants: s.variants, graphSource: s.graphSource, people: s.people };
    render();
  });
  button.addEventListener('click', () => { fill(); window.print(); });
  render();
}
