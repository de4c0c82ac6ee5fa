// Panel 2 "Token file": load a file (drop, pick, paste, demo), validate it in the worker
// (parseTokens = records + report in one call), show the summary, every diagnostic next to its
// record with line:column, a live code and a reveal per row, and the normalised JSON.
import { h, replace, $, num, copyText, download, stat } from './dom.js';
import { run } from './worker-client.js';
import { fileSource } from './input.js';
import { DEMOS, demoText } from './demo.js';
import { liveCode } from './totp.js';
import { state, update, fileOptions } from './state.js';

const PAGE = 50;
const FORMAT = { graphDelta: 'Graph #$delta JSON', bareArray: 'JSON array (wrapped)', singleObject: 'single JSON object (wrapped)', legacyCsv: 'legacy Entra CSV' };
const HASH = { hmacsha1: 'SHA-1', hmacsha256: 'SHA-256' };

export function mountFilePanel(api) {
  const progress = $('#file-progress');
  const progressText = $('#file-progress-text');
  const error = $('#file-error');
  const results = $('#file-results');
  const skip = $('#skip-invalid');
  const copyBtn = $('#normalized-copy');
  const downloadBtn = $('#normalized-download');
  const filter = $('#row-filter');
  let normalized = null; // {json, skipped}
  let page = 0;
  let job = 0;

  replace($('#file-source'), fileSource({
    id: 'token', title: 'token file', accept: '.json,.csv,.txt,application/json,text/csv',
    hint: 'Token2 / Graph #$delta JSON (also a bare array or one object) or the legacy Entra CSV. Read in this browser only.',
    demos: DEMOS.map((d) => ({ ...d, load: () => demoText(d.name) })),
    onLoad: ([f]) => load(f.name, f.text),
    onError: (message) => { results.hidden = true; showError(message); },
  }));

  replace($('#listing-source'), fileSource({
    id: 'listing', title: 'listing', accept: '.json,application/json', multiple: true, compact: true,
    onLoad: (files) => addListing(files),
    onError: (message) => showError(message),
  }));

  $('#file-hash').addEventListener('change', (e) => { state.hashFunction = e.target.value; reparse(); });
  skip.addEventListener('change', () => renormalize());
  filter.addEventListener('change', () => { page = 0; renderTable(); });
  copyBtn.addEventListener('click', () => normalized?.json && copyText(normalized.json, copyBtn));
  downloadBtn.addEventListener('click', () => {
    if (!normalized?.json) return;
    download(`${(state.name || 'tokens').replace(/\.[^.]+$/, '')}.normalized.json`, normalized.json);
  });

  function addListing(files) {
    for (const f of files) {
      try {
        const devices = api.parseListing(f.text).length;
        state.listing.push({ name: f.name, text: f.text, devices });
      } catch (err) {
        showError(`${f.name} is not a Graph listing: ${err.message}`);
        return;
      }
    }
    renderListing();
    reparse();
  }

  function renderListing() {
    replace($('#listing-list'), state.listing.map((l, i) => h('li', { class: 'listing-item' },
      h('span', { class: 'listing-item__name' }, l.name),
      h('span', { class: 'badge badge--muted' }, `${num(l.devices)} device${l.devices === 1 ? '' : 's'}`),
      h('button', { type: 'button', class: 'btn btn--link', 'aria-label': `Remove ${l.name}`,
        onclick: () => { state.listing.splice(i, 1); renderListing(); reparse(); } }, 'Remove'))));
  }

  function showError(message, name = state.name) {
    error.hidden = false;
    error.dataset.file = name;
    replace(error, h('p', { class: 'result__headline' }, 'This file cannot be used'), h('p', { class: 'result__detail' }, message));
  }

  function setProgress(text) {
    progress.hidden = !text;
    progressText.textContent = text || '';
  }

  function load(name, text) {
    update({ name, text, parsed: null });
    reparse();
  }

  async function reparse() {
    if (!state.text) return;
    const my = ++job;
    const t0 = performance.now();
    const mb = state.text.length / 1e6;
    error.hidden = true;
    results.dataset.busy = 'true';
    let stage = `Validating ${state.name} (${mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${num(state.text.length)} characters`})`;
    const tick = setInterval(() => setProgress(`${stage}… ${((performance.now() - t0) / 1000).toFixed(1)} s`), 200);
    setProgress(`${stage}…`);
    try {
      const { result, ms } = await run('parseTokens', [state.text, fileOptions()]);
      if (my !== job) return;
      stage = `Showing ${num(result.records.length)} records`;
      setProgress(`${stage}…`);
      update({ parsed: result });
      page = 0;
      normalized = null;
      renderResults(performance.now() - t0, ms);
      await renormalize();
    } catch (err) {
      if (my !== job) return;
      update({ parsed: null });
      results.hidden = true;
      showError(err.message);
    } finally {
      if (my === job) { clearInterval(tick); setProgress(''); delete results.dataset.busy; }
      else clearInterval(tick);
    }
  }

  async function renormalize() {
    const p = state.parsed;
    if (!p) return;
    const my = job;
    copyBtn.disabled = downloadBtn.disabled = true;
    const { result } = await run('normalize', [state.text, { ...fileOptions(), skipInvalid: skip.checked }]);
    if (my !== job) return;
    normalized = result;
    copyBtn.disabled = downloadBtn.disabled = !result.json;
    const note = $('#normalized-note');
    const inv = p.report.invalid;
    skip.disabled = inv === 0;
    if (!result.json) {
      replace(note, `${num(inv)} invalid record${inv === 1 ? '' : 's'} block${inv === 1 ? 's' : ''} the normalised file. Fix ${inv === 1 ? 'it' : 'them'}, or tick “Skip invalid records” to write the ${num(p.report.valid)} valid one${p.report.valid === 1 ? '' : 's'}.`);
    } else if (result.skipped.length) {
      replace(note, h('span', {}, `${num(p.report.valid)} records written; ${num(result.skipped.length)} skipped: `),
        h('ul', { class: 'skipped' }, result.skipped.slice(0, 20).map((s) =>
          h('li', {}, `Record ${s.record + 1}${s.serialNumber ? ` (serial ${s.serialNumber})` : ''}: ${s.reasons.join('; ')}`)),
        result.skipped.length > 20 ? h('li', {}, `… and ${num(result.skipped.length - 20)} more`) : null));
    } else {
      replace(note, `Canonical #$delta body: @contentId "1".."${p.report.valid}", integer periods, lower-case hash names, upper-case unpadded base32, no read-only fields.`);
    }
  }

  function renderResults(totalMs, workerMs) {
    const p = state.parsed;
    const r = p.report;
    const count = (sev) => r.diagnostics.filter((d) => d.severity === sev).length;
    const warnings = count('warning');
    const infos = count('info');
    results.hidden = false;
    results.dataset.ms = String(Math.round(totalMs));
    results.dataset.workerMs = String(Math.round(workerMs));
    results.dataset.records = String(r.records);
    replace($('#file-meta'), h('strong', {}, state.name), ` · ${FORMAT[p.format] || p.format} · validated in ${num(Math.round(totalMs))} ms`,
      state.listing.length ? ` · checked against ${num(state.listing.reduce((a, l) => a + l.devices, 0))} tenant devices` : '');
    replace($('#file-summary'),
      stat('Records', r.records, '', 'records'),
      stat('Valid', r.valid, r.valid ? 'ok' : '', 'valid'),
      stat('Invalid', r.invalid, r.invalid ? 'error' : '', 'invalid'),
      stat('Warnings', warnings, warnings ? 'warn' : '', 'warnings', infos ? `${num(infos)} notice${infos === 1 ? '' : 's'}` : ''));
    const fileLevel = r.diagnostics.filter((d) => d.record === null);
    $('#file-findings').hidden = !fileLevel.length;
    replace($('#file-findings-list'), fileLevel.map(diagItem));
    renderTable();
  }

  function renderTable() {
    const p = state.parsed;
    if (!p) return;
    const byRecord = new Map();
    for (const d of p.report.diagnostics) {
      if (d.record === null) continue;
      if (!byRecord.has(d.record)) byRecord.set(d.record, []);
      byRecord.get(d.record).push(d);
    }
    const rows = p.records.filter((t) => filter.value === 'all' ? true
      : filter.value === 'invalid' ? !t.valid : byRecord.has(t.index));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    page = Math.min(page, pages - 1);
    const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
    const head = h('thead', {}, h('tr', {}, ['#', 'Serial number', 'Manufacturer', 'Model', 'Hash', 'Period', 'Secret', 'Code', 'Status']
      .map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 5 ? 'num' : null }, c))));
    const body = h('tbody', {});
    for (const t of shown) {
      const diags = byRecord.get(t.index) || [];
      body.append(recordRow(t, diags));
      if (diags.length) {
        body.append(h('tr', { class: 'diag-row', 'data-record': t.index },
          h('td', {}), h('td', { colspan: 8 }, h('ul', { class: 'diags', 'aria-label': `Findings for record ${t.index + 1}` }, diags.map(diagItem)))));
      }
    }
    replace($('#token-table'), rows.length
      ? h('table', { class: 'data', id: 'tokens' }, h('caption', { class: 'visually-hidden' }, 'Tokens in the file'), head, body)
      : h('p', { class: 'empty' }, p.records.length ? 'No record matches this filter.' : 'The file holds no records.'));
    const pager = $('#token-pager');
    replace(pager, rows.length > PAGE ? [
      h('span', {}, `Records ${num(page * PAGE + 1)}–${num(Math.min(rows.length, page * PAGE + PAGE))} of ${num(rows.length)}`),
      h('button', { type: 'button', class: 'btn btn--small', disabled: page === 0, onclick: () => { page--; renderTable(); } }, 'Previous'),
      h('button', { type: 'button', class: 'btn btn--small', disabled: page >= pages - 1, onclick: () => { page++; renderTable(); } }, 'Next'),
    ] : []);
  }

  function recordRow(t, diags) {
    const errors = diags.filter((d) => d.severity === 'error').length;
    const warns = diags.filter((d) => d.severity === 'warning').length;
    const status = !t.valid ? h('span', { class: 'badge badge--error' }, `Invalid${errors ? ` (${errors})` : ''}`)
      : warns ? h('span', { class: 'badge badge--warn' }, `Warning${warns === 1 ? '' : 's'} (${warns})`)
        : h('span', { class: 'badge badge--ok' }, 'Valid');
    return h('tr', { 'data-record': t.index, class: diags.length ? 'has-diags' : null },
      h('td', { class: 'num' }, String(t.index + 1)),
      h('td', { class: 'mono' }, t.serialNumber ?? missing()),
      h('td', {}, t.manufacturer ?? missing()),
      h('td', {}, t.model ?? missing()),
      h('td', {}, t.hashFunction ? HASH[t.hashFunction] : missing()),
      h('td', { class: 'num' }, t.timeIntervalInSeconds ? `${t.timeIntervalInSeconds} s` : missing()),
      h('td', {}, secretCell(t)),
      h('td', { class: 'cell-code' }, codeCell(t)),
      h('td', {}, status));
  }

  function missing() { return h('span', { class: 'muted', 'aria-label': 'missing or unusable' }, '—'); }

  function secretCell(t) {
    if (!t.secret) return h('span', { class: 'muted' }, 'does not decode');
    // The mask hides all but the last four characters; show its tail and the length.
    const masked = t.secretMasked.length > 8 ? `\u2026${t.secretMasked.slice(-8)}` : t.secretMasked;
    const text = h('span', { class: 'mono secret-text' }, masked);
    const len = h('span', { class: 'muted secret-len' }, `${t.secret.length} chars`);
    const btn = h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'aria-pressed': 'false',
      'aria-label': `Reveal the secret of ${t.serialNumber || `record ${t.index + 1}`}` }, 'Reveal');
    btn.addEventListener('click', () => {
      const on = btn.getAttribute('aria-pressed') !== 'true';
      btn.setAttribute('aria-pressed', String(on));
      btn.textContent = on ? 'Hide' : 'Reveal';
      text.textContent = on ? t.secret : masked;
      text.dataset.revealed = String(on);
      len.hidden = on;
    });
    return h('div', { class: 'cell-secret' }, text, len, btn);
  }

  function codeCell(t) {
    if (!t.secret || !t.hashFunction || !t.timeIntervalInSeconds) return missing();
    const btn = h('button', { type: 'button', class: 'btn btn--small', 'aria-label': `Show the live code of ${t.serialNumber || `record ${t.index + 1}`}` }, 'Show code');
    btn.addEventListener('click', () => {
      const live = liveCode(api, () => ({ secret: t.secret, hashFunction: t.hashFunction, period: t.timeIntervalInSeconds, digits: 6 }), { compact: true });
      btn.replaceWith(live.el);
      live.start();
    });
    return btn;
  }

  return { load };
}

/** One diagnostic: line:column, severity, code, field, message. */
export function diagItem(d) {
  const pos = d.line !== null ? `${d.line}:${d.column ?? 1}` : '—';
  return h('li', { class: `diag diag--${d.severity}`, 'data-code': d.code, 'data-line': d.line ?? '', 'data-column': d.column ?? '' },
    h('span', { class: 'diag__meta' },
      h('span', { class: 'diag__pos', title: d.line !== null ? `line ${d.line}, column ${d.column}` : 'whole file' }, pos),
      h('span', { class: `sev sev--${d.severity}` }, d.severity),
      h('code', { class: 'diag__code', title: 'Rule code: see docs/rules.md' }, d.code),
      d.field ? h('span', { class: 'diag__field' }, d.field) : null),
    h('span', { class: 'diag__msg' }, d.message));
}
