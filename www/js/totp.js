// Codes and drift: the live-code widget (one per token row), secret inspection for the token typed
// by hand (every problem with its positions), and "verify a code from this device" (verifyCode
// within ±2 steps, then a cancellable ±2-year findDrift scan across the worker pool).
import { h, replace, $, groupCode, num, sentence, onTick } from './dom.js';
import { scanDrift, isAbort } from './worker-client.js';
import { onClear } from './state.js';

const VERIFY_WINDOW = 2; // steps each way for a plain match
const MINUS = '\u2212';

/** "+3" / "−3" with a real minus sign. */
export const signed = (n) => (n > 0 ? `+${num(n)}` : n < 0 ? `${MINUS}${num(-n)}` : '0');
/** The word for `n` of it, without the number: `step` for ±1, `steps` otherwise. */
const noun = (n, word) => `${word}${Math.abs(n) === 1 ? '' : 's'}`;

/**
 * A live code: the code for the current step, a countdown bar and the seconds left.
 * `get()` returns {secret, hashFunction, period, digits} or null. The element carries
 * data-code and data-time (the integer Unix time the shown code was computed for).
 */
export function liveCode(api, get, { compact = false, neighbours = false } = {}) {
  const code = h('output', { class: 'live-code__code', 'aria-live': 'off' });
  const bar = h('div', { class: 'countdown__bar' });
  const meta = h('span', { class: 'live-code__meta' });
  const near = neighbours ? h('p', { class: 'live-code__near' }) : null;
  const el = h('div', { class: `live-code${compact ? ' live-code--compact' : ''}`, 'data-state': 'empty' },
    code, h('div', { class: 'countdown', 'aria-hidden': 'true' }, bar), meta, near);
  let last = '';
  // One keyed generator per (secret, hash, period, digits): decoded and keyed once, then asked
  // for a code each second; freed when the parameters change or the widget goes away.
  let gen = null;
  let genKey = '';
  const drop = () => { gen?.free(); gen = null; genKey = ''; };

  function blank(message) {
    delete el.dataset.code; delete el.dataset.time;
    code.textContent = compact ? '—' : '––– –––';
    meta.textContent = message;
    bar.style.transform = 'scaleX(0)';
    if (near) near.textContent = '';
    last = '';
  }

  function render(now) {
    const p = get();
    if (!p || !p.secret) {
      drop();
      el.dataset.state = 'empty';
      blank(compact ? '' : 'Enter a secret to see its code.');
      return;
    }
    const key = `${p.secret}|${p.hashFunction}|${p.period}|${p.digits}`;
    try {
      if (key !== genKey) {
        drop();
        gen = new api.TotpGenerator(p.secret, { hashFunction: p.hashFunction, period: p.period, digits: p.digits });
        genKey = key;
        last = '';
      }
    } catch (err) {
      drop();
      el.dataset.state = 'error';
      blank(compact ? 'n/a' : /^secret/.test(err.message) ? 'The secret cannot be decoded: see the problems listed under it.' : err.message);
      return;
    }
    const t = Math.floor(now);
    const whole = gen.secondsLeft(now);
    const left = whole - (now - t); // fractional, for a smooth bar
    bar.style.transform = `scaleX(${Math.max(0, Math.min(1, left / p.period))})`;
    if (String(t) === last) return;
    last = String(t);
    const c = gen.code(now);
    el.dataset.state = whole <= 5 ? 'ending' : 'ok';
    el.dataset.code = c;
    el.dataset.time = String(t);
    code.textContent = groupCode(c);
    code.setAttribute('aria-label', `Code ${c.split('').join(' ')}`);
    meta.textContent = `${whole} s left`;
    if (near) {
      replace(near, 'Previous ', h('span', { class: 'mono' }, groupCode(gen.code(Math.max(0, now - p.period)))),
        ' · Next ', h('span', { class: 'mono' }, groupCode(gen.code(now + p.period))));
    }
  }

  let stop = null;
  // Subscribe to the clock while the widget is in the document; stop once it is removed.
  const watch = new MutationObserver(() => {
    if (!el.isConnected && stop) { stop(); stop = null; watch.disconnect(); drop(); }
  });
  const start = () => {
    if (stop || !el.isConnected) return;
    stop = onTick(render);
    watch.observe(document.body, { childList: true, subtree: true });
  };
  queueMicrotask(start);
  return { el, refresh: () => { last = ''; render(Date.now() / 1000); }, start };
}

/** Renders inspectSecret() findings: byte length, every normalisation or problem with its
 *  positions, and a masked map of the secret marking those positions. */
export function secretFeedback(api, text, revealed) {
  if (!text) return [];
  const info = api.inspectSecret(text);
  const out = [];
  if (info.valid) {
    out.push(h('p', { class: 'feedback__summary feedback__summary--ok' },
      h('span', { class: 'icon icon--ok', 'aria-hidden': 'true' }),
      `Decodes to ${info.byteLength} bytes (${info.bits} bits)`,
      info.issues.length ? '' : ', canonical base32.'));
  } else {
    out.push(h('p', { class: 'feedback__summary feedback__summary--error' },
      h('span', { class: 'icon icon--error', 'aria-hidden': 'true' }), 'This secret cannot be decoded.'));
  }
  if (info.issues.length) {
    out.push(h('ul', { class: 'issues' }, info.issues.map((i) =>
      h('li', { class: `issue issue--${i.severity}`, 'data-kind': i.kind },
        h('span', { class: `sev sev--${i.severity}` }, i.severity), ' ', sentence(i.message)))));
    const marks = new Map();
    const rank = { info: 1, warning: 2, error: 3 };
    for (const i of info.issues) for (const p of i.positions) {
      if (!marks.has(p) || rank[i.severity] > rank[marks.get(p)]) marks.set(p, i.severity);
    }
    if (marks.size) out.push(secretMap(text, marks, revealed));
  }
  return out;
}

function secretMap(text, marks, revealed) {
  const chars = [...text];
  const cells = chars.map((c, i) => {
    const shown = revealed ? (c === ' ' ? '␣' : c === '\t' ? '⇥' : /\s/.test(c) ? '↵' : c) : '•';
    const sev = marks.get(i);
    return h('span', { class: sev ? `map__c map__c--${sev}` : 'map__c', title: sev ? `position ${i}` : null }, shown);
  });
  return h('div', { class: 'secret-map' },
    h('span', { class: 'secret-map__label' }, revealed ? 'Where (0-based positions):' : 'Where (secret hidden, positions marked):'),
    h('span', { class: 'secret-map__chars mono', 'aria-hidden': 'true' }, cells));
}

/** Splits what was typed into codes of `digits` digits ("123 456, 654321" → two codes). */
export function splitCodes(text, digits) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const codes = [];
  let cur = '';
  for (const p of parts) {
    cur += p;
    if (cur.length >= digits) { codes.push(cur); cur = ''; }
  }
  if (cur) codes.push(cur);
  return codes;
}

/** The "one token by hand" form of the Load step: secret (masked, inspected as typed), serial,
 *  manufacturer, model, hash and period become a one-token Graph file handed to `load`. */
export function mountManual(api, load) {
  const form = $('#manual-form');
  const secret = $('#manual-secret');
  const toggle = $('#manual-secret-toggle');
  const feedback = $('#manual-secret-feedback');
  const error = $('#manual-error');
  const field = (id) => $(`#manual-${id}`);

  const revealed = () => toggle.getAttribute('aria-pressed') === 'true';
  const inspect = () => replace(feedback, secretFeedback(api, secret.value, revealed()));
  const setRevealed = (on) => {
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Hide' : 'Show';
    toggle.setAttribute('aria-label', on ? 'Hide the secret' : 'Show the secret');
    secret.type = on ? 'text' : 'password';
  };
  toggle.addEventListener('click', () => { setRevealed(!revealed()); inspect(); });
  secret.addEventListener('input', () => { error.textContent = ''; inspect(); });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const serial = field('serial').value.trim();
    if (!secret.value.trim()) { error.textContent = 'Type the token\'s secret first.'; secret.focus(); return; }
    if (!api.inspectSecret(secret.value).valid) { error.textContent = 'Fix the secret first: it cannot be decoded (see the problems listed under it).'; secret.focus(); return; }
    if (!serial) { error.textContent = 'Type the serial number printed on the device.'; field('serial').focus(); return; }
    const token = {
      '@contentId': '1',
      serialNumber: serial,
      manufacturer: field('manufacturer').value.trim(),
      model: field('model').value.trim(),
      secretKey: secret.value,
      timeIntervalInSeconds: Number(field('period').value),
      hashFunction: field('hash').value,
    };
    const text = `${JSON.stringify({ '@context': '#$delta', value: [token] }, null, 2)}\n`;
    // The secret now lives in the working set only: the box is emptied once read.
    secret.value = '';
    setRevealed(false);
    replace(feedback);
    error.textContent = '';
    load(`token ${serial} (typed by hand)`, text);
  });
  onClear(() => { setRevealed(false); replace(feedback); error.textContent = ''; });
}

/** Every verify box on the page, so "Clear everything" can cancel their scans. */
const boxes = new Set();
onClear(() => { for (const b of boxes) b.cancel(); boxes.clear(); });

/**
 * "Verify a code from this device" for one token `t` (a TokenRow with secret, hash and period):
 * a form for the code(s) read off the device, then the signed drift in steps and seconds and
 * Entra's verdict. The ±2-year scan runs in the workers with progress and a Cancel button.
 * The result element carries data-offset-steps / data-offset-seconds.
 */
export function verifyBox(api, t) {
  const label = t.serialNumber || `record ${t.index + 1}`;
  const id = `verify-${t.index}`;
  const digits = 6;
  const period = t.timeIntervalInSeconds;
  const input = h('input', { id: `${id}-codes`, class: 'input input--mono input--code', inputmode: 'numeric', autocomplete: 'off',
    spellcheck: 'false', placeholder: '123456', 'aria-describedby': `${id}-help` });
  const button = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Check');
  const cancel = h('button', { type: 'button', class: 'btn', hidden: true }, 'Cancel');
  const result = h('div', { class: 'result', id: `${id}-result`, 'aria-live': 'polite', hidden: true });
  const form = h('form', { class: 'verify', novalidate: true, autocomplete: 'off', 'aria-label': `Verify a code from device ${label}` },
    h('label', { for: input.id }, `Code(s) shown on device ${label}`),
    h('div', { class: 'input-group input-group--inline' }, input, button, cancel),
    h('p', { class: 'help', id: `${id}-help` },
      'Press the device\'s button and type the code. Within ±2 steps it is a plain match; otherwise ±2 years of steps are scanned. For a device that drifted far, type two or three consecutive codes, oldest first.'),
    result);

  let controller = null;
  let generation = 0;
  const clearResult = () => { generation++; result.hidden = true; replace(result); delete result.dataset.offsetSteps; delete result.dataset.offsetSeconds; };
  input.addEventListener('input', clearResult);
  const show = (kind, ...children) => { result.className = `result result--${kind}`; result.hidden = false; replace(result, children); };
  const box = { el: form, input, cancel: () => controller?.abort() };
  boxes.add(box);
  cancel.addEventListener('click', () => { controller?.abort(); input.focus(); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const codes = splitCodes(input.value, digits);
    const gen = ++generation;
    delete result.dataset.offsetSteps; delete result.dataset.offsetSeconds;
    if (!codes.length || codes.some((c) => !/^\d+$/.test(c) || c.length !== digits)) {
      show('error', h('p', {}, `Type the ${digits}-digit code${codes.length > 1 ? 's' : ''} shown on the device (digits only).`));
      input.focus();
      return;
    }
    const now = Date.now() / 1000;
    const opts = { hashFunction: t.hashFunction, period, digits, time: now };
    try {
      if (codes.length === 1) {
        const v = api.verifyCode(t.secret, { ...opts, code: codes[0], behind: VERIFY_WINDOW, ahead: VERIFY_WINDOW });
        if (v.matched) { showOffset(v.offsetSteps, v.offsetSeconds, null); return; }
      }
      controller = new AbortController();
      button.disabled = true;
      cancel.hidden = false;
      const progress = h('span', { class: 'result__progress' }, '');
      show('busy', h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        codes.length === 1 ? `No match within ±${VERIFY_WINDOW} steps. Scanning ±2 years of steps… ` : 'Scanning ±2 years of steps for this sequence… ', progress));
      const { result: d, ms } = await scanDrift(t.secret, { ...opts, codes }, {
        signal: controller.signal,
        onProgress: (p) => { progress.textContent = `${Math.round((100 * p.scannedSteps) / p.totalSteps)}% done`; },
      });
      if (gen !== generation) return;
      if (!d.candidates.length) {
        show('error', h('p', { class: 'result__headline' }, 'No match'),
          h('p', {}, `None of ${num(d.scannedSteps)} steps around now (±2 years) gives ${codes.length > 1 ? 'this sequence' : 'this code'}. Check that the code was read from this device just now.`));
        return;
      }
      showOffset(d.candidates[0].offsetSteps, d.candidates[0].offsetSeconds, { ...d, ms, single: codes.length === 1 });
    } catch (err) {
      if (gen !== generation) return;
      if (isAbort(err)) show('info', h('p', {}, 'Scan cancelled. Nothing was changed; type the code again to retry.'));
      else show('error', h('p', {}, err.message));
    } finally {
      controller = null;
      button.disabled = false;
      cancel.hidden = true;
    }
  });

  function showOffset(steps, seconds, scan) {
    const fit = api.assessDrift(seconds, period);
    const kind = steps === 0 ? 'ok' : fit.signIn ? 'ok' : fit.activation ? 'warn' : 'error';
    const headline = steps === 0
      ? 'In step: the device and this clock agree'
      : `${signed(steps)} ${noun(steps, 'step')} · ${signed(seconds)} s`;
    const children = [
      h('p', { class: 'result__headline' }, h('span', { class: 'result__label' }, steps === 0 ? 'Matched' : 'Drift'), ' ', headline),
      h('p', { class: 'result__message' }, sentence(fit.message) + '.'),
      h('ul', { class: 'chips', 'aria-label': 'Entra windows' },
        chip(fit.signIn, 'Sign-in window'),
        chip(fit.activation, 'Activation window')),
    ];
    if (scan) {
      children.push(h('p', { class: 'result__foot' },
        `Found by scanning ${num(scan.scannedSteps)} steps in ${num(Math.round(scan.ms))} ms.`));
      if (scan.candidates.length > 1) {
        const others = scan.candidates.slice(1, 6).map((c) => `${signed(c.offsetSteps)} (${signed(c.offsetSeconds)} s)`).join(', ');
        children.push(h('p', { class: 'result__foot result__foot--warn' },
          `${scan.candidates.length - 1} other ${noun(scan.candidates.length - 1, 'offset')} also match${scan.candidates.length === 2 ? 'es' : ''}: ${others}${scan.candidates.length > 6 ? ', …' : ''}. `,
          scan.single ? 'One code can repeat over two years; type two or three consecutive codes to be certain.' : ''));
      }
    }
    show(kind, ...children);
    result.dataset.offsetSteps = String(steps);
    result.dataset.offsetSeconds = String(seconds);
  }

  function chip(ok, text) {
    return h('li', { class: `chip chip--${ok ? 'ok' : 'bad'}` }, h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
      h('span', { class: 'visually-hidden' }, ok ? 'Inside: ' : 'Outside: '), text);
  }

  return box;
}
