// Small DOM helpers shared by the panels. Text always goes in through textContent (never
// innerHTML), so nothing from a token file can inject markup.

/** Creates an element: h('p', {class: 'x', 'aria-label': 'y', onclick: fn}, 'text', child). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'hidden') el.hidden = Boolean(v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** Formats a number with thousands separators. */
export const num = (n) => Number(n).toLocaleString('en-US');
/** `1 token`, `2 tokens`, `1,000 tokens`. */
export const plural = (n, word) => `${num(n)} ${word}${Number(n) === 1 ? '' : 's'}`;

/** Capitalises the first letter of a sentence. */
export const sentence = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** Splits a code into two groups for reading: "123456" → "123 456". */
export function groupCode(code) {
  if (!code) return code;
  const mid = Math.ceil(code.length / 2);
  return `${code.slice(0, mid)} ${code.slice(mid)}`;
}

// Whether the text on the clipboard is the page's: set when the page copies, unset by any copy or
// cut the user makes in this document. "Clear everything" empties the clipboard only then.
let wroteLast = false;
for (const type of ['copy', 'cut']) document.addEventListener(type, () => { wroteLast = false; }, true);

/** Copies text to the clipboard, then flags the button for a moment ("Copied"). */
export async function copyText(text, button) {
  let ok = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    ok = fallbackCopy(text);
  }
  if (ok) wroteLast = true;
  if (button) flash(button, ok ? 'Copied' : 'Copy failed', ok ? 'copied' : 'failed');
  return ok;
}

/** Empties the clipboard when what it holds was copied by this page (a request body holds keys).
 *  Resolves to true when it did. */
export async function forgetClipboard() {
  if (!wroteLast) return false;
  wroteLast = false;
  try {
    await navigator.clipboard.writeText('');
  } catch {
    return fallbackCopy(' ');
  }
  return true;
}

function fallbackCopy(text) {
  const ta = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

/** Shows a short confirmation on a button and restores its label. */
export function flash(button, label, state) {
  const original = button.dataset.label || button.textContent;
  button.dataset.label = original;
  button.textContent = label;
  button.dataset.state = state;
  clearTimeout(button._flashTimer);
  button._flashTimer = setTimeout(() => {
    button.textContent = original;
    delete button.dataset.state;
  }, 1600);
}

/** Saves text as a file (a local blob: URL, nothing is uploaded). */
export function download(filename, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One shared clock for every live code on the page: callbacks run on each tick (4 per second)
 *  with the current time in Unix seconds (fractional). Returns an unsubscribe function. */
const ticking = new Set();
let timer = null;
export function onTick(fn) {
  ticking.add(fn);
  if (!timer) timer = setInterval(() => { const t = Date.now() / 1000; for (const f of ticking) f(t); }, 250);
  fn(Date.now() / 1000);
  return () => {
    ticking.delete(fn);
    if (!ticking.size) { clearInterval(timer); timer = null; }
  };
}

/** A 24×24 SVG icon from one path (decorative: aria-hidden). */
export function icon(d, cls = 'icon-svg') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', cls);
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', d);
  svg.append(p);
  return svg;
}

/** A summary tile: big number and label (data-stat=key for tests and styling). With `onclick`
 *  it is a button (and looks like one); without, plain text that does not invite a click. */
export function stat(label, value, kind, key, extra, onclick) {
  const parts = [h('span', { class: 'stat__value' }, num(value)), h('span', { class: 'stat__label' }, label, extra ? ` · ${extra}` : '')];
  const cls = `stat${kind ? ` stat--${kind}` : ''}`;
  return onclick
    ? h('button', { type: 'button', class: `${cls} stat--button`, 'data-stat': key, onclick }, parts)
    : h('div', { class: cls, 'data-stat': key }, parts);
}
