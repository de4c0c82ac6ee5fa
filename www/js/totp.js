// Panel 1 "Code & drift": live TOTP code with countdown, secret inspection, and the
// "check a code from the device" flow (verifyCode within ±2 steps, then a findDrift scan).
// Also exports the live-code widget that the token table reuses.
import { h, replace, $, groupCode, num, sentence, onTick } from './dom.js';
import { scanDrift } from './worker-client.js';

export const DEMO_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const VERIFY_WINDOW = 2; // steps each way for a plain match
const MINUS = '\u2212';

/** "+3" / "−3" with a real minus sign. */
export const signed = (n) => (n > 0 ? `+${num(n)}` : n < 0 ? `${MINUS}${num(-n)}` : '0');
const plural = (n, word) => `${word}${Math.abs(n) === 1 ? '' : 's'}`;

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

export function mountCodePanel(api) {
  const secret = $('#secret');
  const toggle = $('#secret-toggle');
  const hash = $('#hash');
  const period = $('#period');
  const customField = $('#custom-period-field');
  const custom = $('#custom-period');
  const digits = $('#digits');
  const feedback = $('#secret-feedback');
  const hashNote = $('#hash-note');

  const params = () => ({
    secret: secret.value,
    hashFunction: hash.value,
    period: period.value === 'custom' ? Math.max(1, Math.floor(Number(custom.value) || 0)) : Number(period.value),
    digits: Number(digits.value),
  });

  const live = liveCode(api, params, { neighbours: true });
  replace($('#code-display'), live.el);

  const revealed = () => toggle.getAttribute('aria-pressed') === 'true';
  const inspect = () => replace(feedback, secretFeedback(api, secret.value, revealed()));
  const changed = () => {
    customField.hidden = period.value !== 'custom';
    hashNote.hidden = hash.value !== 'hmacsha512';
    inspect();
    live.refresh();
    clearResult();
  };

  toggle.addEventListener('click', () => {
    const on = !revealed();
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Hide' : 'Show';
    secret.type = on ? 'text' : 'password';
    inspect();
  });
  for (const el of [secret, custom]) el.addEventListener('input', changed);
  for (const el of [hash, period, digits]) el.addEventListener('change', changed);

  $('#demo-token').addEventListener('click', () => {
    secret.value = DEMO_SECRET;
    hash.value = 'hmacsha1';
    period.value = '30';
    digits.value = '6';
    changed();
    $('#device-codes').focus();
  });

  // Check a code from the device.
  const form = $('#verify-form');
  const codesInput = $('#device-codes');
  const result = $('#verify-result');
  const button = $('#verify-btn');
  let generation = 0;
  function clearResult() { generation++; result.hidden = true; replace(result); delete result.dataset.offsetSteps; }
  codesInput.addEventListener('input', clearResult);

  function show(kind, ...children) {
    result.className = `result result--${kind}`;
    result.hidden = false;
    replace(result, children);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const p = params();
    const codes = splitCodes(codesInput.value, p.digits);
    const gen = ++generation;
    delete result.dataset.offsetSteps; delete result.dataset.offsetSeconds;
    if (!p.secret) { show('error', h('p', {}, 'Enter the token\'s secret first.')); secret.focus(); return; }
    if (!api.inspectSecret(p.secret).valid) { show('error', h('p', {}, 'Fix the secret first: it cannot be decoded.')); return; }
    const bad = codes.find((c) => !/^\d+$/.test(c) || c.length !== p.digits);
    if (!codes.length || bad !== undefined) {
      show('error', h('p', {}, `Type the ${p.digits}-digit code${codes.length > 1 ? 's' : ''} shown on the device (digits only).`));
      codesInput.focus();
      return;
    }
    const now = Date.now() / 1000;
    const opts = { hashFunction: p.hashFunction, period: p.period, digits: p.digits, time: now };
    try {
      if (codes.length === 1) {
        const v = api.verifyCode(p.secret, { ...opts, code: codes[0], behind: VERIFY_WINDOW, ahead: VERIFY_WINDOW });
        if (v.matched) { showOffset(v.offsetSteps, v.offsetSeconds, p.period, null); return; }
      }
      button.disabled = true;
      show('busy', h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        codes.length === 1 ? `No match within ±${VERIFY_WINDOW} steps. Scanning ±2 years of steps…` : 'Scanning ±2 years of steps for this sequence…'));
      const { result: d, ms } = await scanDrift(p.secret, { ...opts, codes });
      if (gen !== generation) return;
      if (!d.candidates.length) {
        show('error', h('p', { class: 'result__headline' }, 'No match'),
          h('p', {}, `None of ${num(d.scannedSteps)} steps around now (±2 years) gives ${codes.length > 1 ? 'this sequence' : 'this code'}. Check the secret, hash, period and digits, and that the code was read just now.`));
        return;
      }
      showOffset(d.candidates[0].offsetSteps, d.candidates[0].offsetSeconds, p.period, { ...d, ms, single: codes.length === 1 });
    } catch (err) {
      if (gen === generation) show('error', h('p', {}, err.message));
    } finally {
      button.disabled = false;
    }
  });

  function showOffset(steps, seconds, per, scan) {
    const fit = api.assessDrift(seconds, per);
    const kind = steps === 0 ? 'ok' : fit.signIn ? 'ok' : fit.activation ? 'warn' : 'error';
    const headline = steps === 0
      ? 'In step: the device and this clock agree'
      : `${signed(steps)} ${plural(steps, 'step')} · ${signed(seconds)} s`;
    const children = [
      h('p', { class: 'result__headline' }, h('span', { class: 'result__label' }, steps === 0 ? 'Matched' : 'Drift'), ' ', headline),
      h('p', { class: 'result__message' }, sentence(fit.message) + '.'),
      h('ul', { class: 'chips' },
        chip(fit.signIn, 'Sign-in window', per),
        chip(fit.activation, 'Activation window', per)),
    ];
    if (scan) {
      children.push(h('p', { class: 'result__foot' },
        `Found by scanning ${num(scan.scannedSteps)} steps in ${num(Math.round(scan.ms))} ms.`));
      if (scan.candidates.length > 1) {
        const others = scan.candidates.slice(1, 6).map((c) => `${signed(c.offsetSteps)} (${signed(c.offsetSeconds)} s)`).join(', ');
        children.push(h('p', { class: 'result__foot result__foot--warn' },
          `${scan.candidates.length - 1} other ${plural(scan.candidates.length - 1, 'offset')} also match${scan.candidates.length === 2 ? 'es' : ''}: ${others}${scan.candidates.length > 6 ? ', …' : ''}. `,
          scan.single ? 'One code can repeat over two years; enter two or three consecutive codes to be certain.' : ''));
      }
    }
    show(kind, ...children);
    result.dataset.offsetSteps = String(steps);
    result.dataset.offsetSeconds = String(seconds);
  }

  function chip(ok, label, per) {
    if (per !== 30 && per !== 60) return null;
    return h('li', { class: `chip chip--${ok ? 'ok' : 'bad'}` }, h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
      h('span', { class: 'visually-hidden' }, ok ? 'Inside: ' : 'Outside: '), label);
  }

  changed();
}
