// The token table of the Check step: one row per record (numbered from 1, as every message
// counts), its diagnostics under it, a live code, Reveal, "Verify a code", Edit (fix in place) and
// Remove/Restore; filtered and paged 50 at a time. Rows come from the engine's report: masked
// keys, escaped values. Reveal asks the owner worker for the one key, when clicked.
import { h, replace, $, num } from '../dom.js';
import { call } from '../workers.js';
import { session, change } from '../session.js';
import { liveCodes } from './live-codes.js';
import { verifyBox } from './verify-box.js';
import { recordEditor } from './record-editor.js';
import { diagItem, SEV_ICON } from './diagnostics.js';

const PAGE = 50;
const HASH = { hmacsha1: 'SHA-1', hmacsha256: 'SHA-256' };
const COLUMNS = ['#', 'Serial number', 'Device', 'Hash', 'Period', 'Secret', 'Code now', 'Status', 'Actions'];
const missing = () => h('span', { class: 'muted', 'aria-label': 'missing or unusable' }, '—');
const badge = (kind, icon, text) => h('span', { class: `badge badge--${kind}` }, h('span', { 'aria-hidden': 'true' }, `${icon} `), text);

export function mountTable() {
  const select = $('#row-filter');
  const codes = liveCodes();
  let report = null;
  let page = 0;
  const boxes = new Map(); // row → {row, box}: the open verify boxes (kept while paging)
  const editors = new Map(); // row → the open editor
  const openRows = { verify: new Set(), edit: new Set() };

  select.addEventListener('change', () => { page = 0; draw(); });

  function secretCell(t) {
    if (t.secretMasked === null) return h('span', { class: 'muted' }, 'does not decode');
    const masked = t.secretMasked.length > 8 ? `\u2026${t.secretMasked.slice(-8)}` : t.secretMasked;
    const text = h('span', { class: 'mono secret-text' }, masked);
    const len = h('span', { class: 'muted secret-len' }, `${t.secretLength} chars`);
    const btn = h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'aria-pressed': 'false',
      'aria-label': `Reveal the secret of ${t.serialNumber || `record ${t.index + 1}`}` }, 'Reveal');
    btn.addEventListener('click', async () => {
      const on = btn.getAttribute('aria-pressed') !== 'true';
      const version = session.version;
      const shown = on ? (await call('reveal', { source: 'file', row: t.index })).result : masked;
      if (version !== session.version) return;
      btn.setAttribute('aria-pressed', String(on));
      btn.textContent = on ? 'Hide' : 'Reveal';
      text.textContent = shown;
      text.dataset.revealed = String(on);
      len.hidden = on;
    });
    return h('div', { class: 'cell-secret' }, text, len, btn);
  }

  /** The button that opens and closes a row's verify box or editor, in place (the rest of the
   *  table, a revealed key included, stays as it is). */
  function toggle(kind, t, label, text) {
    const id = `${kind}-row-${t.index}`;
    const btn = h('button', { type: 'button', class: 'btn btn--small', 'aria-expanded': String(openRows[kind].has(t.index)), 'aria-controls': id,
      'aria-label': `${label} ${t.serialNumber || `record ${t.index + 1}`}`,
      onclick: () => {
        if (openRows[kind].has(t.index)) { close(kind, t.index); return; }
        openRows[kind].add(t.index);
        btn.setAttribute('aria-expanded', 'true');
        const row = kind === 'verify' ? verifyRow(t) : editRow(t);
        // Verify box first, then the editor, then the findings: after the record's own row.
        const after = kind === 'edit' ? document.getElementById(`verify-row-${t.index}`) : null;
        (after ?? btn.closest('tr')).after(row);
        if (kind === 'edit') editors.get(t.index)?.focus(); else row.querySelector('input')?.focus();
      } }, text);
    return btn;
  }

  function close(kind, index) {
    openRows[kind].delete(index);
    if (kind === 'verify') boxes.get(index)?.box.cancel();
    if (kind === 'edit') editors.delete(index);
    document.getElementById(`${kind}-row-${index}`)?.remove();
    document.querySelector(`#token-table button[aria-controls="${kind}-row-${index}"]`)?.setAttribute('aria-expanded', 'false');
  }

  function recordRow(t, diags) {
    const status = t.removed ? badge('muted', '\u2212', 'Left out')
      : !t.valid ? badge('error', SEV_ICON.error, `Invalid${t.errors ? ` (${t.errors})` : ''}`)
        : t.warnings ? badge('warn', SEV_ICON.warning, `Warning${t.warnings === 1 ? '' : 's'} (${t.warnings})`)
          : badge('ok', '\u2713', 'Valid');
    const actions = [
      t.hasCode && !t.removed ? toggle('verify', t, 'Verify a code from device', 'Verify a code') : null,
      t.removed ? null : toggle('edit', t, 'Edit record', 'Edit'),
      h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'aria-label': `${t.removed ? 'Restore' : 'Remove'} record ${t.index + 1}`,
        onclick: () => change(t.removed ? 'restore' : 'remove', { row: t.index }) }, t.removed ? 'Restore' : 'Remove'),
    ];
    return h('tr', { 'data-record': t.index, class: [diags.length ? 'has-diags' : '', t.removed ? 'row--removed' : ''].join(' ').trim() || null },
      h('td', { class: 'num' }, String(t.index + 1)),
      h('td', { class: 'mono' }, t.serialNumber ?? missing()),
      h('td', {}, [t.manufacturer, t.model].filter(Boolean).join(' ') || missing()),
      h('td', { class: 'nowrap' }, t.hashFunction ? HASH[t.hashFunction] : missing()),
      h('td', { class: 'num nowrap' }, t.timeIntervalInSeconds ? `${t.timeIntervalInSeconds} s` : missing()),
      h('td', {}, secretCell(t)),
      h('td', { class: 'cell-code' }, t.hasCode && !t.removed ? codes.cell(t.index) : missing()),
      h('td', {}, status),
      h('td', {}, h('div', { class: 'cell-actions' }, actions)));
  }

  function verifyRow(t) {
    // A box belongs to one version of its row (an edit may change its period or key); what was
    // typed in it is carried over, its verdict is not.
    const old = boxes.get(t.index);
    if (!old || old.row !== t) {
      old?.box.cancel();
      const box = verifyBox(t);
      if (old) box.input.value = old.box.input.value;
      boxes.set(t.index, { row: t, box });
    }
    return h('tr', { class: 'verify-row', 'data-record': t.index, id: `verify-row-${t.index}` }, h('td', {}), h('td', { colspan: 8 }, boxes.get(t.index).box.el));
  }

  function editRow(t) {
    const editor = recordEditor(t, () => close('edit', t.index));
    editors.set(t.index, editor);
    return h('tr', { class: 'edit-row', 'data-record': t.index, id: `edit-row-${t.index}` }, h('td', {}), h('td', { colspan: 8 }, editor.el));
  }

  function extraRows(t, diags) {
    const out = [];
    if (openRows.verify.has(t.index) && t.hasCode && !t.removed) out.push(verifyRow(t));
    if (openRows.edit.has(t.index) && !t.removed) out.push(editRow(t));
    if (diags.length) {
      out.push(h('tr', { class: 'diag-row', 'data-record': t.index }, h('td', {}),
        h('td', { colspan: 8 }, h('ul', { class: 'diags', 'aria-label': `Findings for record ${t.index + 1}` }, diags.map(diagItem)))));
    }
    return out;
  }

  function draw() {
    codes.reset();
    editors.clear();
    if (!report) { replace($('#token-table')); replace($('#token-pager')); return; }
    const byRecord = new Map();
    for (const d of report.report.diagnostics) {
      if (d.record === null) continue;
      if (!byRecord.has(d.record)) byRecord.set(d.record, []);
      byRecord.get(d.record).push(d);
    }
    const keep = { all: () => true, valid: (t) => t.valid && !t.removed, invalid: (t) => !t.valid && !t.removed, findings: (t) => byRecord.has(t.index) };
    const rows = report.rows.filter(keep[select.value] ?? keep.all);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    page = Math.min(page, pages - 1);
    const body = h('tbody', {}, rows.slice(page * PAGE, page * PAGE + PAGE).map((t) => {
      const diags = byRecord.get(t.index) || [];
      return [recordRow(t, diags), ...extraRows(t, diags)];
    }));
    replace($('#token-table'), rows.length
      ? h('table', { class: 'data', id: 'tokens' }, h('caption', { class: 'visually-hidden' }, 'Tokens in the file'),
        h('thead', {}, h('tr', {}, COLUMNS.map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 4 ? 'num' : null }, c)))), body)
      : h('p', { class: 'empty' }, report.rows.length ? 'No record matches this filter.' : 'The file holds no records.'));
    replace($('#token-pager'), rows.length > PAGE ? [
      h('span', {}, `Records ${num(page * PAGE + 1)}–${num(Math.min(rows.length, page * PAGE + PAGE))} of ${num(rows.length)}`),
      h('button', { type: 'button', class: 'btn btn--small', disabled: page === 0, onclick: () => { page--; draw(); } }, 'Previous'),
      h('button', { type: 'button', class: 'btn btn--small', disabled: page >= pages - 1, onclick: () => { page++; draw(); } }, 'Next'),
    ] : []);
  }

  return {
    /** Shows `r` (a new report: after a load, an edit, new options). */
    render(r) {
      // Another file (or none): its rows' boxes and open forms go; after an edit they stay.
      if (!r) { boxes.forEach((b) => b.box.cancel()); boxes.clear(); openRows.verify.clear(); openRows.edit.clear(); page = 0; }
      report = r;
      draw();
    },
    filter(value) { select.value = value; page = 0; draw(); },
    clear() { this.render(null); },
  };
}
