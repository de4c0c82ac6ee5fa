// Panel 3 "Variants": duplicate-safe copies of every token (variants() in the worker), their
// end-user notes (printable), and the variants' delta JSON to download or to build requests for.
import { h, replace, $, num, copyText, download } from './dom.js';
import { run } from './worker-client.js';
import { state, onChange, update, fileOptions, usable } from './state.js';

/** The "load a usable file first" card shared by the Variants and Graph panels. */
export function emptyState(el, body, openTab) {
  const p = state.parsed;
  const ok = usable();
  body.hidden = !ok;
  el.hidden = ok;
  if (ok) return true;
  const why = !p ? 'Load a token file first: this panel works on its tokens.'
    : p.report.records === 0 ? 'The loaded file holds no tokens.'
      : `The loaded file has ${num(p.report.invalid)} invalid record${p.report.invalid === 1 ? '' : 's'}. Fix ${p.report.invalid === 1 ? 'it' : 'them'} first: requests and variants are only built from a file without errors.`;
  replace(el, h('p', {}, why), h('button', { type: 'button', class: 'btn btn--secondary', onclick: () => openTab('file') }, 'Open Token file'));
  return false;
}

export function mountVariantsPanel(tabs) {
  const empty = $('#variants-empty');
  const body = $('#variants-body');
  const form = $('#variants-form');
  const copies = $('#copies');
  const error = $('#variants-error');
  const results = $('#variants-results');
  const make = $('#variants-make');
  let current = null; // VariantsResult
  let job = 0;

  function refresh() {
    current = null;
    results.hidden = true;
    error.hidden = true;
    replace($('#print-notes'));
    if (state.variants) update({ variants: null });
    if (!emptyState(empty, body, tabs.open)) return;
    const listed = state.listing.reduce((a, l) => a + l.devices, 0);
    $('#variants-context').textContent = `${num(state.parsed.report.records)} tokens in ${state.name}` +
      (listed ? `; the ${num(listed)} serials of the tenant listing are avoided.` : '; add a tenant listing in Token file to avoid its serials too.');
  }
  let lastParsed = state.parsed;
  onChange((s) => { if (s.parsed !== lastParsed) { lastParsed = s.parsed; refresh(); } });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const n = Math.floor(Number(copies.value));
    if (!(n >= 1 && n <= 64)) { showError('Copies must be a whole number from 1 to 64.'); copies.focus(); return; }
    const my = ++job;
    make.disabled = true;
    error.hidden = true;
    try {
      const { result } = await run('variants', [state.text, { ...fileOptions(), copies: n }]);
      if (my !== job) return;
      current = result;
      if (result.refusals.length) {
        results.hidden = true;
        update({ variants: null });
        showError(`No variants were written: ${num(result.refusals.length)} token${result.refusals.length === 1 ? '' : 's'} cannot be varied safely.`,
          h('ul', { class: 'refusals' }, result.refusals.map((r) => h('li', { 'data-record': r.record },
            h('strong', {}, `Record ${r.record + 1} (serial ${r.serialNumber}), copy ${r.copy}: `), h('code', {}, r.code), ` ${r.message}`))));
        return;
      }
      render(result, n);
      update({ variants: { json: result.json, count: result.variants.length, copies: n } });
    } catch (err) {
      if (my === job) showError(err.message);
    } finally {
      make.disabled = false;
    }
  });

  function showError(message, extra) {
    error.hidden = false;
    replace(error, h('p', {}, message), extra);
  }

  function render(result, n) {
    const rows = state.parsed.records;
    results.hidden = false;
    $('#variants-title').textContent = `${num(result.variants.length)} variant${result.variants.length === 1 ? '' : 's'} of ${num(rows.length)} token${rows.length === 1 ? '' : 's'}` +
      (n > 1 ? ` (${n} copies each)` : '');
    const table = h('table', { class: 'data', id: 'variants' },
      h('caption', { class: 'visually-hidden' }, 'Variants and their end-user notes'),
      h('thead', {}, h('tr', {}, ['#', 'Printed serial', 'Copy', 'Serial to type', 'Note for the end user']
        .map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 2 ? 'num' : null }, c)))),
      h('tbody', {}, result.variants.slice(0, 500).map((v) => h('tr', { 'data-record': v.record, 'data-copy': v.copy },
        h('td', { class: 'num' }, String(v.record + 1)),
        h('td', { class: 'mono' }, rows[v.record]?.serialNumber ?? ''),
        h('td', { class: 'num' }, String(v.copy)),
        h('td', { class: 'mono strong' }, v.serialNumber),
        h('td', { class: 'note' }, v.note)))));
    replace($('#variants-table'), table,
      result.variants.length > 500 ? h('p', { class: 'empty' }, `The first 500 of ${num(result.variants.length)} are shown; the JSON and the printed notes hold all of them.`) : null);
    renderPrintNotes(result);
  }

  function renderPrintNotes(result) {
    const rows = state.parsed.records;
    replace($('#print-notes'), result.variants.map((v) => {
      const t = rows[v.record] || {};
      return h('article', { class: 'note-card' },
        h('h2', {}, 'Registering your hardware token'),
        h('dl', {},
          h('dt', {}, 'Device'), h('dd', {}, [t.manufacturer, t.model].filter(Boolean).join(' ')),
          h('dt', {}, 'Serial printed on the device'), h('dd', { class: 'mono' }, t.serialNumber ?? ''),
          h('dt', {}, 'Serial number to type'), h('dd', { class: 'mono note-card__serial' }, v.serialNumber)),
        h('p', {}, v.note));
    }));
  }

  $('#variants-copy').addEventListener('click', (e) => current?.json && copyText(current.json, e.currentTarget));
  $('#variants-download').addEventListener('click', () => {
    if (current?.json) download(`${(state.name || 'tokens').replace(/\.[^.]+$/, '')}.variants.json`, current.json);
  });
  $('#variants-print').addEventListener('click', () => {
    document.body.dataset.print = 'notes';
    window.addEventListener('afterprint', () => { delete document.body.dataset.print; }, { once: true });
    window.print();
  });
  $('#variants-to-graph').addEventListener('click', () => {
    update({ graphSource: 'variants' });
    tabs.open('graph');
  });

  refresh();
}
