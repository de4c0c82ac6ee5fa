// Check step, "Duplicate-safe variants": copies of every token (variants() in the worker) with
// their serials to type, and the variants' delta JSON to download or to send (Send step).
import { h, replace, $, num, plural, copyText, download } from './dom.js';
import { run, isAbort } from './worker-client.js';
import { state, onChange, update, fileOptions, usable, onClear } from './state.js';
import { needTokens } from './ui.js';

/** The "load usable tokens first" card shared by the variants card and the Send step: hides
 *  `body` and explains why (with a button back to Load) unless the tokens are usable. */
export function emptyState(el, body, steps) {
  const p = state.parsed;
  const ok = usable();
  body.hidden = !ok;
  el.hidden = ok;
  if (ok) return true;
  const why = !p ? 'Nothing is loaded yet. Load a token file, start from the demo, or type one token by hand in step 1.'
    : p.report.records === 0 ? 'The loaded file holds no tokens.'
      : `The loaded tokens have ${num(p.report.invalid)} invalid record${p.report.invalid === 1 ? '' : 's'}. Fix ${p.report.invalid === 1 ? 'it' : 'them'} in the file and load it again: requests and variants are only built from tokens without errors.`;
  needTokens(el, why, steps);
  return false;
}

export function mountVariantsPanel(steps) {
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
    replace($('#variants-table'));
    if (state.variants) update({ variants: null });
    if (!emptyState(empty, body, steps)) return;
    const listed = state.listing.reduce((a, l) => a + l.devices, 0);
    $('#variants-context').textContent = `${plural(state.parsed.report.records, 'token')} in ${state.name}` +
      (listed ? `; the ${num(listed)} serials of the tenant listing are avoided.` : '; add a tenant listing in step 1 to avoid its serials too.');
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
        showError(`No variants were written: ${plural(result.refusals.length, 'token')} cannot be varied safely.`,
          h('ul', { class: 'refusals' }, result.refusals.map((r) => h('li', { 'data-record': r.record },
            h('strong', {}, `Record ${r.record + 1} (serial ${r.serialNumber}), copy ${r.copy}: `), h('code', {}, r.code), ` ${r.message}`))));
        return;
      }
      render(result, n);
      update({ variants: { json: result.json, count: result.variants.length, copies: n, variants: result.variants } });
    } catch (err) {
      if (my === job && !isAbort(err)) showError(err.message);
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
    $('#variants-title').textContent = `${plural(result.variants.length, 'variant')} of ${plural(rows.length, 'token')}` +
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
  }

  $('#variants-copy').addEventListener('click', (e) => current?.json && copyText(current.json, e.currentTarget));
  $('#variants-download').addEventListener('click', () => {
    if (current?.json) download(`${(state.name || 'tokens').replace(/\.[^.]+$/, '')}.variants.json`, current.json);
  });
  $('#variants-to-graph').addEventListener('click', () => {
    update({ graphSource: 'variants' });
    steps.go('send');
  });

  onClear(() => { job++; current = null; copies.value = '1'; refresh(); });

  refresh();
}
