// Step 2, Check: the engine's summary and hash/period mix, the file-level findings, the token table
// (diagnostics under their record, live codes, reveal, verify a code, fix in place), the
// normalised Graph JSON and the duplicate-safe variants. Everything shown is the report the owner
// worker returned for the current version of the tokens; an edit or new options replace it.
import { h, replace, $, num, plural, stat, copyText, download } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { session, on } from '../session.js';
import { resultView } from '../results.js';
import { mountTable } from '../widgets/token-table.js';
import { diagItem } from '../widgets/diagnostics.js';
import { mountVariants } from '../widgets/variants.js';
import { stepState, needTokens } from '../ui.js';

const FORMAT = { graphDelta: 'Graph delta JSON', bareArray: 'JSON array (wrapped)', singleObject: 'single JSON object (wrapped)', legacyCsv: 'legacy Entra CSV' };
const HASH = { hmacsha1: 'SHA-1', hmacsha256: 'SHA-256' };

/** "Hash: 18 SHA-1, 2 SHA-256 · Period: 19 × 30 s, 1 × 45 s (not accepted)" from the engine's mix. */
function mix(m) {
  const list = (entries, name) => entries.map((e) => `${num(e.count)} ${name(e.value)}${e.accepted ? '' : ' (not accepted)'}`).join(', ') || 'none';
  return [h('span', {}, h('strong', {}, 'Hash: '), list(m.hash, (v) => (v === null ? 'missing' : HASH[v] || v))),
    ' · ', h('span', {}, h('strong', {}, 'Period: '), list(m.period, (v) => (v === null ? 'missing' : `\u00D7 ${v} s`)))];
}

export function mountCheck(steps) {
  const results = $('#file-results');
  const empty = $('#check-empty');
  const skip = $('#skip-invalid');
  const copyBtn = $('#normalized-copy');
  const downloadBtn = $('#normalized-download');
  const table = mountTable();
  const note = resultView($('#normalized-note')).dependsOn('tokens', skip);
  mountVariants(steps);

  function render(s) {
    const r = s.report;
    empty.hidden = Boolean(r);
    results.hidden = !r;
    if (!r) {
      table.render(null);
      needTokens(empty, s.name ? 'The tokens are still being read…' : 'Nothing is loaded yet. Load a token file, start from the demo, or type one token by hand in step 1.', steps);
      stepState('check', 'waiting for tokens', false);
      return;
    }
    const sum = r.summary;
    results.dataset.records = String(sum.records);
    if (s.timing) { results.dataset.ms = String(Math.round(s.timing.total)); results.dataset.workerMs = String(Math.round(s.timing.worker)); }
    replace($('#file-meta'), h('strong', {}, s.name), ` · ${FORMAT[r.format] || r.format}`,
      s.timing ? ` · validated in ${num(Math.round(s.timing.total))} ms` : '',
      r.listedDevices ? ` · checked against ${plural(r.listedDevices, 'tenant device')}` : '',
      s.decrypted ? ` · ${s.decrypted}` : '',
      sum.removed ? ` · ${plural(sum.removed, 'record')} left out` : '');
    const filter = (value) => () => table.filter(value);
    replace($('#file-summary'),
      stat('Records', sum.records, '', 'records', null, filter('all')),
      stat('Valid', sum.valid, sum.valid ? 'ok' : '', 'valid', null, filter('valid')),
      stat('Invalid', sum.invalid, sum.invalid ? 'error' : '', 'invalid', null, filter('invalid')),
      stat('Warnings', sum.warnings, sum.warnings ? 'warn' : '', 'warnings', sum.infos ? plural(sum.infos, 'notice') : '', filter('findings')));
    replace($('#file-mix'), mix(r.mix));
    stepState('check', sum.invalid ? `${num(sum.invalid)} invalid` : sum.records ? 'all valid' : 'no tokens', sum.records > 0 && sum.invalid === 0);
    const fileLevel = r.report.diagnostics.filter((d) => d.record === null);
    $('#file-findings').hidden = !fileLevel.length;
    replace($('#file-findings-list'), fileLevel.map(diagItem));
    table.render(r);
    normalized();
  }

  async function normalized() {
    const current = note.begin();
    copyBtn.disabled = downloadBtn.disabled = true;
    const r = session.report;
    skip.disabled = r.summary.invalid === 0;
    let n;
    try {
      ({ result: n } = await call('normalized', { skipInvalid: skip.checked }));
    } catch (err) {
      if (current() && !isAbort(err)) note.error(err.message);
      return;
    }
    if (!current()) return;
    copyBtn.disabled = downloadBtn.disabled = !n.written;
    const inv = r.summary.invalid;
    if (!n.written) {
      note.ok('info', `${plural(inv, 'invalid record')} ${inv === 1 ? 'blocks' : 'block'} the normalised file. Fix ${inv === 1 ? 'it' : 'them'} above (Edit), leave ${inv === 1 ? 'it' : 'them'} out (Remove), or tick “Skip invalid records” to write the ${plural(r.summary.valid, 'valid one')}.`);
    } else if (n.skipped.length) {
      note.ok('info', h('span', {}, `${plural(r.summary.valid, 'record')} written; ${num(n.skipped.length)} skipped: `),
        h('ul', { class: 'skipped' }, n.skipped.slice(0, 20).map((k) => h('li', {}, `Record ${k.record + 1}${k.serialNumber ? ` (serial ${k.serialNumber})` : ''}: ${k.reasons.join('; ')}`)),
          n.skipped.length > 20 ? h('li', {}, `… and ${num(n.skipped.length - 20)} more`) : null));
    } else {
      note.ok('info', `Canonical Graph body of the ${plural(r.summary.valid, 'valid record')}, as Graph documents it.`);
    }
  }
  skip.addEventListener('change', () => { if (session.report) normalized(); });

  async function normalizedText() {
    const { result } = await call('normalizedText', { skipInvalid: skip.checked });
    return result;
  }
  copyBtn.addEventListener('click', async () => { const t = await normalizedText(); if (t) copyText(t, copyBtn); });
  downloadBtn.addEventListener('click', async () => {
    const t = await normalizedText();
    if (t) download(`${(session.name || 'tokens').replace(/\.[^.]+$/, '')}.normalized.json`, t);
  });

  on('tokens', render);
  render(session);
  return { clear() { table.clear(); } };
}
