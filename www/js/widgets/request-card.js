// One Graph request on the Send step: method, URL, the body with every key masked (the engine's
// display form), copy buttons that say what was copied, a download named by the engine, the
// permission and least-privileged role, and for activation codes their expiry. The texts copied or
// downloaded are asked of the owner worker when the button is pressed.
import { h, plural, num, copyText, download, replace } from '../dom.js';
import { call } from '../workers.js';

const METHOD_CLASS = { GET: 'get', POST: 'post', PATCH: 'patch', DELETE: 'delete', PUT: 'put' };
const COPIED = { body: 'the JSON body', url: 'the URL', powershell: 'the PowerShell command', curl: 'the curl command' };

/** "request 2 of 3 (PATCH, 100 devices)": which request, for the copy confirmation. */
export function describeRequest(r, i, n) {
  const which = n > 1 ? `request ${i + 1} of ${n}` : 'the request';
  return `${which} (${r.method}${r.records.length ? `, ${plural(r.records.length, 'device')}` : ''})`;
}

/** "Code valid for 17 s (until 10:42:05)", or expired with a way to build again. */
export function expiry(el, at, now, rebuild) {
  const left = Math.ceil(at - now);
  const when = new Date(at * 1000).toLocaleTimeString();
  if (left > 0) {
    el.textContent = `Code valid for ${left} s (until ${when})`;
    el.dataset.state = left <= 5 ? 'ending' : 'ok';
  } else if (el.dataset.state !== 'expired') {
    el.dataset.state = 'expired';
    replace(el, 'Code expired at ', when, ' ', h('button', { type: 'button', class: 'btn btn--link', onclick: rebuild }, 'Build again'));
  }
}

/** The card of request `i` of `n` in build `build`; `tokens(records)` names its tokens;
 *  `onCopied(i)` is told of a copy that worked, `status(text)` gets the sentence to announce. */
export function requestCard(r, i, n, { build, tokens, onCopied, status }) {
  const text = async (what) => (what === 'url' ? r.url : (await call('requestText', { build, index: i, what })).result);
  const copy = (label, what) => h('button', { type: 'button', class: 'btn btn--small', 'data-copy': what,
    onclick: async (e) => {
      const button = e.currentTarget;
      let ok = false;
      try { ok = await copyText(await text(what), button); } catch (err) { status(err.message); return; }
      if (ok) onCopied(i);
      status(ok ? `Copied ${describeRequest(r, i, n)}: ${COPIED[what]}. The clipboard keeps it until you copy something else.`
        : `Could not copy ${describeRequest(r, i, n)}: select the text and copy it by hand.`);
    } }, label);
  const pre = r.hasBody ? h('pre', { class: 'code-block', id: `request-body-${i}`, tabindex: '0', 'aria-label': `Body of request ${i + 1}` }, r.bodyMasked ?? '') : null;
  // The engine sends the first requests' bodies; a later one is written when the admin asks.
  const show = r.hasBody && r.bodyMasked === null ? h('button', { type: 'button', class: 'btn btn--small request__show', 'data-show': 'body', 'aria-controls': `request-body-${i}`,
    onclick: async (e) => {
      const button = e.currentTarget;
      try {
        pre.textContent = (await call('bodyShown', { build, index: i })).result;
        pre.hidden = false;
        button.remove();
        pre.focus(); // the button is gone: keyboard focus goes to what it showed
      } catch (err) { status(err.message); }
    } }, `Show the body${r.records.length ? ` (${plural(r.records.length, 'device')})` : ''}`) : null;
  if (show) pre.hidden = true;
  return h('li', { class: 'request card', 'data-index': i },
    h('div', { class: 'request__head' },
      h('span', { class: 'request__n' }, n > 1 ? `Request ${num(i + 1)} of ${num(n)}` : 'Request'),
      h('span', { class: 'request__tokens' }, tokens(r.records)),
      r.expiresAt ? h('span', { class: 'expiry', role: 'timer', 'aria-live': 'off' }) : null),
    h('div', { class: 'request__line' },
      h('span', { class: `method method--${METHOD_CLASS[r.method] || 'get'}` }, r.method),
      h('code', { class: 'request__url' }, r.url)),
    r.warnings.length ? h('ul', { class: 'diags request__warnings', 'aria-label': 'Before you send it' }, r.warnings.map((w) => h('li', { class: `diag diag--${w.severity}`, 'data-code': w.code },
      h('span', { class: 'diag__meta' }, h('span', { class: `sev sev--${w.severity}` }, w.severity), h('code', { class: 'diag__code' }, w.code)),
      h('span', { class: 'diag__msg' }, w.message)))) : null,
    show,
    pre,
    h('div', { class: 'request__actions' },
      r.hasBody ? copy('Copy body', 'body') : null,
      copy('Copy URL', 'url'),
      copy('Copy PowerShell', 'powershell'),
      copy('Copy curl', 'curl'),
      h('button', { type: 'button', class: 'btn btn--small', 'data-download': 'request',
        onclick: async () => {
          try {
            download(r.fileName, await text(r.hasBody ? 'body' : 'http'), r.hasBody ? 'application/json' : 'text/plain');
          } catch (err) { status(err.message); }
        } }, r.hasBody ? 'Download body' : 'Download request')),
    h('dl', { class: 'request__meta' },
      h('dt', {}, 'Permission'), h('dd', {}, r.permission),
      h('dt', {}, 'Least-privileged role'), h('dd', {}, r.role),
      h('dt', {}, 'Note'), h('dd', {}, r.note)));
}
