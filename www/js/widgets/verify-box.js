// "Verify a code from this device" for one row: the admin types the code(s) the device shows; the
// engine (owner worker) splits them, checks the digits, and matches within its ±2-step window, or
// asks for a scan, which runs split across the scan workers (progress, Cancel) and is merged and
// judged against Entra's windows by the engine. The verdict is bound to the typed text and to the
// tokens: a change to either clears it. The result carries data-offset-steps/-seconds.
import { h, num, sentence } from '../dom.js';
import { call, scanDrift, isAbort } from '../workers.js';
import { resultView } from '../results.js';

const MINUS = '\u2212';
/** A signed number for reading: +3, −90, 0. */
export const signed = (n) => (n > 0 ? `+${num(n)}` : n < 0 ? `${MINUS}${num(-n)}` : '0');
const noun = (n, word) => `${word}${Math.abs(n) === 1 ? '' : 's'}`;
const offset = (c) => `${signed(c.offsetSteps)} ${noun(c.offsetSteps, 'step')} (${signed(c.offsetSeconds)} s)`;

function chip(ok, text) {
  return h('li', { class: `chip chip--${ok ? 'ok' : 'bad'}` }, h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
    h('span', { class: 'visually-hidden' }, ok ? 'Inside: ' : 'Outside: '), text);
}

/** The box for `row` (a TokenSetRow with a usable key). */
export function verifyBox(row) {
  const label = row.serialNumber || `record ${row.index + 1}`;
  const id = `verify-${row.index}`;
  const input = h('input', { id: `${id}-codes`, class: 'input input--mono input--code', inputmode: 'numeric', autocomplete: 'off',
    spellcheck: 'false', placeholder: '123456', 'aria-describedby': `${id}-help` });
  const button = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Check');
  const cancel = h('button', { type: 'button', class: 'btn', hidden: true }, 'Cancel');
  const out = h('div', { class: 'result', id: `${id}-result`, 'aria-live': 'polite' });
  const view = resultView(out).dependsOn(input, 'tokens');
  const form = h('form', { class: 'verify', novalidate: true, autocomplete: 'off', 'aria-label': `Verify a code from device ${label}` },
    h('label', { for: input.id }, `Code(s) shown on device ${label}`),
    h('div', { class: 'input-group input-group--inline' }, input, button, cancel),
    h('p', { class: 'help', id: `${id}-help` },
      'Press the device\'s button and type the code. Close to now it is a plain match; otherwise ±2 years of steps are scanned. For a device that drifted far, type two or three consecutive codes, oldest first.'),
    out);
  let controller = null;
  let runs = 0;
  const stopScan = () => controller?.abort();
  cancel.addEventListener('click', () => { stopScan(); input.focus(); });
  // A change of what was typed or of the tokens also stops a scan under way.
  input.addEventListener('input', stopScan);

  function verdict(c, fit, scan) {
    const children = [
      h('p', { class: 'result__headline' }, h('span', { class: 'result__label' }, c.offsetSteps === 0 ? 'Matched' : 'Drift'), ' ',
        c.offsetSteps === 0 ? 'In step: the device and this clock agree' : `${signed(c.offsetSteps)} ${noun(c.offsetSteps, 'step')} · ${signed(c.offsetSeconds)} s`),
      h('p', { class: 'result__message' }, `${sentence(fit.message)}.`),
      h('ul', { class: 'chips', 'aria-label': 'Entra windows' }, chip(fit.signIn, 'Sign-in window'), chip(fit.activation, 'Activation window')),
    ];
    if (scan) {
      children.push(h('p', { class: 'result__foot' }, `Found by scanning ${num(scan.scannedSteps)} steps in ${num(Math.round(scan.ms))} ms.`));
      const others = scan.candidates.slice(1);
      if (others.length) {
        children.push(h('p', { class: 'result__foot result__foot--warn' },
          `${others.length} other ${noun(others.length, 'offset')} also match${others.length === 1 ? 'es' : ''}: ${others.slice(0, 5).map(offset).join(', ')}${others.length > 5 ? ', …' : ''}. `,
          scan.codes === 1 ? 'One code can repeat over two years; type two or three consecutive codes to be certain.' : ''));
      }
    }
    view.ok(c.offsetSteps === 0 || fit.signIn ? 'ok' : fit.activation ? 'warn' : 'error', ...children);
    out.dataset.offsetSteps = String(c.offsetSteps);
    out.dataset.offsetSeconds = String(c.offsetSeconds);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    stopScan();
    const run = ++runs;
    const current = view.begin();
    const typed = input.value;
    const time = Date.now() / 1000;
    try {
      const { result: v } = await call('verify', { source: 'file', row: row.index, typed, time });
      if (!current()) return;
      if (v.kind === 'input') { view.error(h('p', {}, v.message)); input.focus(); return; }
      if (v.kind === 'matched') { verdict(v, v.fit, null); return; }
      controller = new AbortController();
      button.disabled = true;
      cancel.hidden = false;
      const progress = h('span', { class: 'result__progress' }, '');
      view.busy(h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `${v.message} `, progress));
      const { result: d, ms } = await scanDrift({ source: 'file', row: row.index, typed, time, range: v, period: row.timeIntervalInSeconds }, {
        signal: controller.signal,
        onProgress: (p) => { progress.textContent = `${Math.round((100 * p.scannedSteps) / p.totalSteps)}% done`; },
      });
      if (!current()) return;
      if (!d.nearest) {
        view.error(h('p', { class: 'result__headline' }, 'No match'),
          h('p', {}, `None of ${num(d.scannedSteps)} steps around now (±2 years) gives ${v.codes > 1 ? 'this sequence' : 'this code'}. Check that the code was read from this device just now.`));
        return;
      }
      verdict(d.nearest, d.nearest.fit, { ...d, ms, codes: v.codes });
    } catch (err) {
      if (!current()) return;
      if (isAbort(err)) view.ok('info', h('p', {}, 'Scan cancelled. Nothing was changed; type the code again to retry.'));
      else view.error(h('p', {}, err.message));
    } finally {
      if (run === runs) { controller = null; button.disabled = false; cancel.hidden = true; }
    }
  });

  return { el: form, input, cancel: stopScan };
}
