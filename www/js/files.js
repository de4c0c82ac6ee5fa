// Steps 1 and 2 for token files: load a file (drop, pick, paste, demo, or the token typed by
// hand), validate it in the worker (parseTokens = records + report in one call, cancellable),
// then in Check: the summary, every diagnostic next to its record with line:column, a live code,
// a reveal and "verify a code" per row, and the normalised JSON.
import { h, replace, $, num, plural, copyText, download, stat } from './dom.js';
import { run, isAbort } from './worker-client.js';
import { fileSource } from './input.js';
import { DEMOS, demoText } from './demo.js';
import { liveCode, verifyBox } from './totp.js';
import { state, update, fileOptions, onClear } from './state.js';
import { stepState, needTokens, status } from './ui.js';

const PAGE = 50;
const FORMAT = { graphDelta: 'Graph #$delta JSON', bareArray: 'JSON array (wrapped)', singleObject: 'single JSON object (wrapped)', legacyCsv: 'legacy Entra CSV' };
const HASH = { hmacsha1: 'SHA-1', hmacsha256: 'SHA-256' };
const SEV_ICON = { error: '\u2716', warning: '\u25B2', info: 'i' };

export function mountFilePanel(api, steps) {
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
  let controller = null; // aborts the running parse
  const openVerify = new Set(); // record indexes whose verify row is open

  replace($('#file-source'), fileSource({
    id: 'token', title: 'token file', accept: '.json,.csv,.txt,application/json,text/csv',
    hint: 'Token2 / Graph #$delta JSON (also a bare array or one object) or the legacy Entra CSV. Read in this browser only.',
    demos: DEMOS.map((d) => ({ ...d, label: /\.csv$/i.test(d.name) ? 'Start from the demo CSV' : 'Start from the demo', load: () => demoText(d.name) })),
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
      h('span', { class: 'badge badge--muted' }, plural(l.devices, 'device')),
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
    status('');
    update({ name, text, parsed: null, variants: null, graphSource: 'file', people: [] });
    openVerify.clear();
    reparse({ advance: true });
  }

  $('#file-cancel').addEventListener('click', () => controller?.abort());
  refreshEmpty();

  async function reparse({ advance = false } = {}) {
    if (!state.text) return;
    const my = ++job;
    controller?.abort();
    controller = new AbortController();
    const t0 = performance.now();
    const mb = state.text.length / 1e6;
    error.hidden = true;
    results.dataset.busy = 'true';
    let stage = `Validating ${state.name} (${mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${num(state.text.length)} characters`})`;
    const tick = setInterval(() => setProgress(`${stage}… ${((performance.now() - t0) / 1000).toFixed(1)} s`), 200);
    setProgress(`${stage}…`);
    try {
      const { result, ms } = await run('parseTokens', [state.text, fileOptions()], { signal: controller.signal });
      if (my !== job) return;
      stage = `Showing ${plural(result.records.length, 'record')}`;
      setProgress(`${stage}…`);
      for (const row of verifyRows.values()) row._box.cancel();
      verifyRows.clear();
      update({ parsed: result });
      page = 0;
      normalized = null;
      renderResults(performance.now() - t0, ms);
      if (advance) steps.go('check');
      await renormalize();
    } catch (err) {
      if (my !== job) return;
      if (isAbort(err)) {
        update({ name: '', text: '', parsed: null });
        results.hidden = true;
        refreshEmpty();
        status('Loading cancelled: nothing was loaded.');
        return;
      }
      update({ parsed: null });
      results.hidden = true;
      refreshEmpty();
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
    let result;
    try {
      ({ result } = await run('normalize', [state.text, { ...fileOptions(), skipInvalid: skip.checked }]));
    } catch (err) {
      if (isAbort(err)) return;
      throw err;
    }
    if (my !== job) return;
    normalized = result;
    update({ people: people(result.json) });
    copyBtn.disabled = downloadBtn.disabled = !result.json;
    const note = $('#normalized-note');
    const inv = p.report.invalid;
    skip.disabled = inv === 0;
    if (!result.json) {
      replace(note, `${num(inv)} invalid record${inv === 1 ? '' : 's'} block${inv === 1 ? 's' : ''} the normalised file. Fix ${inv === 1 ? 'it' : 'them'}, or tick “Skip invalid records” to write the ${num(p.report.valid)} valid one${p.report.valid === 1 ? '' : 's'}.`);
    } else if (result.skipped.length) {
      replace(note, h('span', {}, `${plural(p.report.valid, 'record')} written; ${num(result.skipped.length)} skipped: `),
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
      stat('Warnings', warnings, warnings ? 'warn' : '', 'warnings', infos ? plural(infos, 'notice') : ''));
    replace($('#file-mix'), mix(p.records));
    stepState('load', plural(r.records, 'token'), r.records > 0);
    $('#load-current').hidden = false;
    replace($('#load-current-text'), 'Loaded ', h('strong', {}, state.name), `: ${plural(r.records, 'token')}, ${num(r.invalid)} invalid. Loading another file replaces it.`);
    stepState('check', r.invalid ? `${num(r.invalid)} invalid` : r.records ? 'all valid' : 'no tokens', r.records > 0 && r.invalid === 0);
    refreshEmpty();
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
    const head = h('thead', {}, h('tr', {}, ['#', 'Serial number', 'Device', 'Hash', 'Period', 'Secret', 'Code now', 'Status', 'Device check']
      .map((c, i) => h('th', { scope: 'col', class: i === 0 || i === 4 ? 'num' : null }, c))));
    const body = h('tbody', {});
    for (const t of shown) {
      const diags = byRecord.get(t.index) || [];
      const verifyRow = t.secret && t.hashFunction && t.timeIntervalInSeconds ? verifyRowFor(t) : null;
      body.append(recordRow(t, diags, verifyRow));
      if (verifyRow) body.append(verifyRow);
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

  function recordRow(t, diags, verifyRow) {
    const errors = diags.filter((d) => d.severity === 'error').length;
    const warns = diags.filter((d) => d.severity === 'warning').length;
    const badge = (kind, icon, text) => h('span', { class: `badge badge--${kind}` }, h('span', { 'aria-hidden': 'true' }, `${icon} `), text);
    const status = !t.valid ? badge('error', SEV_ICON.error, `Invalid${errors ? ` (${errors})` : ''}`)
      : warns ? badge('warn', SEV_ICON.warning, `Warning${warns === 1 ? '' : 's'} (${warns})`)
        : badge('ok', '\u2713', 'Valid');
    const device = [t.manufacturer, t.model].filter(Boolean).join(' ');
    return h('tr', { 'data-record': t.index, class: diags.length || verifyRow ? 'has-diags' : null },
      h('td', { class: 'num' }, String(t.index + 1)),
      h('td', { class: 'mono' }, t.serialNumber ?? missing()),
      h('td', {}, device || missing()),
      h('td', {}, t.hashFunction ? HASH[t.hashFunction] : missing()),
      h('td', { class: 'num' }, t.timeIntervalInSeconds ? `${t.timeIntervalInSeconds} s` : missing()),
      h('td', {}, secretCell(t)),
      h('td', { class: 'cell-code' }, codeCell(t)),
      h('td', {}, status),
      h('td', {}, verifyRow ? verifyToggle(t, verifyRow) : missing()));
  }

  /** The row under a token with its "verify a code from this device" form (kept while the
   *  table is re-rendered for this file, so an open form and its result survive paging). */
  const verifyRows = new Map();
  function verifyRowFor(t) {
    if (!verifyRows.has(t.index)) {
      const box = verifyBox(api, t);
      const row = h('tr', { class: 'verify-row', 'data-record': t.index, id: `verify-row-${t.index}` },
        h('td', {}), h('td', { colspan: 8 }, box.el));
      row._box = box;
      verifyRows.set(t.index, row);
    }
    const row = verifyRows.get(t.index);
    row.hidden = !openVerify.has(t.index);
    return row;
  }

  function verifyToggle(t, row) {
    const label = t.serialNumber || `record ${t.index + 1}`;
    const btn = h('button', { type: 'button', class: 'btn btn--small', 'aria-expanded': String(!row.hidden), 'aria-controls': row.id,
      'aria-label': `Verify a code from device ${label}` }, 'Verify a code');
    btn.addEventListener('click', () => {
      const on = row.hidden;
      row.hidden = !on;
      btn.setAttribute('aria-expanded', String(on));
      if (on) { openVerify.add(t.index); row._box.input.focus(); } else { openVerify.delete(t.index); row._box.cancel(); }
    });
    return btn;
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
    return liveCode(api, () => ({ secret: t.secret, hashFunction: t.hashFunction, period: t.timeIntervalInSeconds, digits: 6 }), { compact: true }).el;
  }

  function refreshEmpty() {
    const p = state.parsed;
    const empty = $('#check-empty');
    empty.hidden = Boolean(p);
    if (!p) {
      $('#load-current').hidden = true;
      needTokens(empty, state.text ? 'The tokens are still being read…' : 'Nothing is loaded yet. Load a token file, start from the demo, or type one token by hand in step 1.', steps);
      stepState('load', 'nothing loaded', false);
      stepState('check', 'waiting for tokens', false);
    }
  }

  // Clear everything: forget the file, its results and every row (live codes stop once removed).
  onClear(() => {
    job++;
    controller?.abort();
    controller = null;
    normalized = null;
    page = 0;
    openVerify.clear();
    verifyRows.clear();
    results.hidden = true;
    error.hidden = true;
    setProgress('');
    for (const sel of ['#token-table', '#token-pager', '#file-summary', '#file-mix', '#file-meta', '#file-findings-list', '#normalized-note', '#listing-list']) replace($(sel));
    $('#file-findings').hidden = true;
    copyBtn.disabled = downloadBtn.disabled = true;
    refreshEmpty();
  });

  return { load };
}

/** "Hash: 18 SHA-1, 2 SHA-256 · Period: 19 × 30 s, 1 × 60 s" for the summary. */
function mix(records) {
  const count = (key, fmt) => {
    const m = new Map();
    for (const r of records) if (r[key]) m.set(r[key], (m.get(r[key]) || 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => fmt(k, n)).join(', ') || 'none usable';
  };
  return [h('span', {}, h('strong', {}, 'Hash: '), count('hashFunction', (k, n) => `${num(n)} ${HASH[k] || k}`)),
    ' · ', h('span', {}, h('strong', {}, 'Period: '), count('timeIntervalInSeconds', (k, n) => `${num(n)} \u00D7 ${k} s`))];
}

/** Display name and user of each valid token, by serial, from the normalised JSON (for the
 *  end-user sheet; the secrets in that text are not kept). */
function people(json) {
  if (!json) return [];
  return JSON.parse(json).value.map((v) => ({ serialNumber: v.serialNumber, displayName: v.displayName ?? null, user: v.assignTo?.id ?? null }));
}

/** One diagnostic: line:column, severity, code, field, message. */
export function diagItem(d) {
  const pos = d.line !== null ? `${d.line}:${d.column ?? 1}` : '—';
  return h('li', { class: `diag diag--${d.severity}`, 'data-code': d.code, 'data-line': d.line ?? '', 'data-column': d.column ?? '' },
    h('span', { class: 'diag__meta' },
      h('span', { class: 'diag__pos', title: d.line !== null ? `line ${d.line}, column ${d.column}` : 'whole file' }, pos),
      h('span', { class: `sev-icon sev-icon--${d.severity}`, 'aria-hidden': 'true' }, SEV_ICON[d.severity]),
      h('span', { class: `sev sev--${d.severity}` }, d.severity),
      h('code', { class: 'diag__code', title: 'Rule code: see docs/rules.md' }, d.code),
      d.field ? h('span', { class: 'diag__field' }, d.field) : null),
    h('span', { class: 'diag__msg' }, d.message));
}
