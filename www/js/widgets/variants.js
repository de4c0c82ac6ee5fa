// Check step, "Duplicate-safe variants": copies of every valid token, or of one chosen token,
// made and self-checked by the engine (owner worker) — their serials to type, the end-user notes,
// and the variants' JSON to copy, download or send (Send step). The list is bound to the tokens,
// the number of copies and the choice of token: a change to any of them drops it.
import { h, replace, $, num, plural, copyText, download } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { session, on, facts, usable, setVariants, setSource } from '../session.js';
import { resultView } from '../results.js';
import { needTokens } from '../ui.js';

const SHOWN = 500;

export function mountVariants(steps) {
  const empty = $('#variants-empty');
  const body = $('#variants-body');
  const copies = $('#copies');
  const record = $('#variants-record');
  const make = $('#variants-make');
  const results = $('#variants-results');
  const view = resultView($('#variants-error')).dependsOn('tokens', copies, record);
  // The list and its buttons go with any change too.
  for (const i of [copies, record]) i.addEventListener('input', () => drop());
  on('tokens', () => { drop(); refresh(); });

  function drop() {
    results.hidden = true;
    replace($('#variants-table'));
    if (session.variants) setVariants(null);
  }

  function refresh() {
    const r = session.report;
    const ok = usable();
    body.hidden = !ok;
    empty.hidden = ok;
    if (!ok) {
      needTokens(empty, !r ? 'Nothing is loaded yet. Load a token file, start from the demo, or type one token by hand in step 1.'
        : r.summary.invalid ? `The tokens have ${plural(r.summary.invalid, 'invalid record')}. Fix or remove ${r.summary.invalid === 1 ? 'it' : 'them'} in the table above: variants are only made from tokens without errors.`
          : 'The loaded file holds no tokens.', steps, { invalid: r?.summary.invalid ?? 0 });
      return;
    }
    copies.max = String(facts.maxCopies);
    const valid = r.rows.filter((t) => t.valid && !t.removed);
    replace(record, h('option', { value: '' }, `All ${plural(valid.length, 'token')}`),
      valid.slice(0, 1000).map((t) => h('option', { value: String(t.index) }, `Only #${t.index + 1}${t.serialNumber ? ` (serial ${t.serialNumber})` : ''}`)));
    $('#variants-context').textContent = `${plural(r.summary.valid, 'token')} in ${session.name}` +
      (r.listedDevices ? `; the ${num(r.listedDevices)} serials of the tenant listing are avoided.` : '; add a tenant listing in step 1 to avoid its serials too.');
  }

  $('#variants-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    drop();
    const current = view.begin();
    const options = { copies: Number(copies.value) };
    if (record.value !== '') options.record = Number(record.value);
    make.disabled = true;
    try {
      // The table shows the first SHOWN; the engine lists only those (the set holds them all).
      const { result } = await call('variants', { options: { ...options, list: SHOWN } });
      if (!current()) return;
      if (result.refusals.length) {
        view.error(h('p', {}, `No variants were written: ${plural(result.refusals.length, 'token')} cannot be varied safely.`),
          h('ul', { class: 'refusals' }, result.refusals.map((x) => h('li', { 'data-record': x.record },
            h('strong', {}, `Record ${x.record + 1} (serial ${x.serialNumber}), copy ${x.copy}: `), h('code', {}, x.code), ` ${x.message}`))));
        return;
      }
      view.clear();
      show(result.variants, result.count, options);
      setVariants({ count: result.count, options, list: result.variants });
    } catch (err) {
      if (current() && !isAbort(err)) view.error(h('p', {}, err.message));
    } finally {
      make.disabled = false;
    }
  });

  function show(list, count, options) {
    const rows = session.report.rows;
    results.hidden = false;
    const of = options.record === undefined ? plural(session.report.summary.valid, 'token') : `token #${options.record + 1}`;
    $('#variants-title').textContent = `${plural(count, 'variant')} of ${of}${options.copies > 1 ? ` (${options.copies} copies each)` : ''}`;
    replace($('#variants-table'), h('table', { class: 'data', id: 'variants' },
      h('caption', { class: 'visually-hidden' }, 'Variants and their end-user notes'),
      h('thead', {}, h('tr', {}, ['#', 'Printed serial', 'Copy', 'Serial to type', 'Note for the end user']
        .map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 2 ? 'num' : null }, c)))),
      h('tbody', {}, list.map((v) => h('tr', { 'data-record': v.record, 'data-copy': v.copy },
        h('td', { class: 'num' }, String(v.record + 1)),
        h('td', { class: 'mono' }, rows[v.record]?.serialNumber ?? ''),
        h('td', { class: 'num' }, String(v.copy)),
        h('td', { class: 'mono strong' }, v.serialNumber),
        h('td', { class: 'note' }, v.note))))),
    count > list.length ? h('p', { class: 'empty' }, `The first ${num(list.length)} of ${num(count)} are shown; the JSON and the printed notes hold all of them.`) : null);
  }

  const text = async () => (await call('variantsText')).result;
  $('#variants-copy').addEventListener('click', async (e) => { const b = e.currentTarget; const t = await text(); if (t) copyText(t, b); });
  $('#variants-download').addEventListener('click', async () => {
    const t = await text();
    if (t) download(`${(session.name || 'tokens').replace(/\.[^.]+$/, '')}.variants.json`, t);
  });
  $('#variants-to-graph').addEventListener('click', () => { setSource('variants'); steps.go('send'); });

  refresh();
  return { clear() { drop(); view.clear(); } };
}
