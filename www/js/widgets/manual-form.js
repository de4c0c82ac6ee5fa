// The "one token by hand" form of the Load step: the secret (masked; its problems listed with their
// positions as it is typed, by the engine in the owner worker), serial, manufacturer, model, hash
// and period. The engine writes the one-token file (TokenSet.fromFields); the secret box is
// emptied once the token is handed over.
import { h, replace, $, sentence } from '../dom.js';
import { call, isAbort } from '../workers.js';

/** The engine's findings about a typed secret: summary, every issue, a masked map of positions. */
function feedback(info, text, revealed) {
  const out = [];
  out.push(info.valid
    ? h('p', { class: 'feedback__summary feedback__summary--ok' }, h('span', { class: 'icon icon--ok', 'aria-hidden': 'true' }),
      `Decodes to ${info.byteLength} bytes (${info.bits} bits)`, info.issues.length ? '' : ', canonical base32.')
    : h('p', { class: 'feedback__summary feedback__summary--error' }, h('span', { class: 'icon icon--error', 'aria-hidden': 'true' }),
      'This secret cannot be decoded.'));
  if (!info.issues.length) return out;
  out.push(h('ul', { class: 'issues' }, info.issues.map((i) => h('li', { class: `issue issue--${i.severity}`, 'data-kind': i.kind },
    h('span', { class: `sev sev--${i.severity}` }, i.severity), ' ', sentence(i.message)))));
  const rank = { info: 1, warning: 2, error: 3 };
  const marks = new Map();
  for (const i of info.issues) for (const p of i.positions) if (!marks.has(p) || rank[i.severity] > rank[marks.get(p)]) marks.set(p, i.severity);
  if (marks.size) {
    const cells = [...text].map((c, i) => {
      const shown = revealed ? (c === ' ' ? '␣' : c === '\t' ? '⇥' : /\s/.test(c) ? '↵' : c) : '•';
      const sev = marks.get(i);
      return h('span', { class: sev ? `map__c map__c--${sev}` : 'map__c', title: sev ? `character ${i + 1}` : null }, shown);
    });
    out.push(h('div', { class: 'secret-map' },
      h('span', { class: 'secret-map__label' }, revealed ? 'Where (characters counted from 1):' : 'Where (secret hidden, characters marked):'),
      h('span', { class: 'secret-map__chars mono', 'aria-hidden': 'true' }, cells)));
  }
  return out;
}

/** Mounts the form; `submit(fields)` receives the typed token. */
export function mountManual(submit) {
  const form = $('#manual-form');
  const secret = $('#manual-secret');
  const toggle = $('#manual-secret-toggle');
  const box = $('#manual-secret-feedback');
  const error = $('#manual-error');
  const field = (id) => $(`#manual-${id}`);
  let asked = 0;
  let last = null; // the engine's last answer for what is in the box now

  const revealed = () => toggle.getAttribute('aria-pressed') === 'true';
  async function inspect() {
    const my = ++asked;
    const text = secret.value;
    last = null;
    if (!text) { replace(box); return; }
    try {
      const { result } = await call('inspect', { text });
      if (my !== asked) return;
      last = result;
      replace(box, feedback(result, text, revealed()));
    } catch (err) {
      if (my === asked && !isAbort(err)) replace(box, h('p', { class: 'feedback__summary feedback__summary--error' }, err.message));
    }
  }
  const setRevealed = (on) => {
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Hide' : 'Show';
    toggle.setAttribute('aria-label', on ? 'Hide the secret' : 'Show the secret');
    secret.type = on ? 'text' : 'password';
  };
  toggle.addEventListener('click', () => { setRevealed(!revealed()); inspect(); });
  secret.addEventListener('input', () => { error.textContent = ''; inspect(); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const serial = field('serial').value.trim();
    if (!secret.value.trim()) { error.textContent = 'Type the token\'s secret first.'; secret.focus(); return; }
    if (asked && !last) await inspect();
    if (last && !last.valid) { error.textContent = 'Fix the secret first: it cannot be decoded (see the problems listed under it).'; secret.focus(); return; }
    if (!serial) { error.textContent = 'Type the serial number printed on the device.'; field('serial').focus(); return; }
    const fields = {
      serialNumber: serial,
      manufacturer: field('manufacturer').value.trim(),
      model: field('model').value.trim(),
      secret: secret.value,
      timeIntervalInSeconds: Number(field('period').value),
      hashFunction: field('hash').value,
    };
    // The secret now lives in the owner worker only: the box is emptied once read.
    secret.value = '';
    asked++;
    last = null;
    setRevealed(false);
    replace(box);
    error.textContent = '';
    submit(fields);
  });

  return { clear() { asked++; last = null; setRevealed(false); replace(box); error.textContent = ''; } };
}
