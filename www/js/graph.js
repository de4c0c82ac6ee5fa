// Send step: graphRequests() for the loaded tokens (or their variants) in the worker, each request
// as method + URL + body with copy buttons (body, URL, PowerShell, curl) that say what was copied,
// a download with a sensible name, activation codes with their expiry countdown, and reconcile()
// of Graph's answer.
import { h, replace, $, num, plural, download, copyText, onTick, stat } from './dom.js';
import { run, isAbort } from './worker-client.js';
import { state, onChange, update, fileOptions, onClear } from './state.js';
import { emptyState } from './variants.js';
import { stepState } from './ui.js';

const METHOD_CLASS = { GET: 'get', POST: 'post', PATCH: 'patch', DELETE: 'delete' };
// Create bodies carry the keys; on screen they are hidden unless asked for (copy and download
// always give the real body).
const SECRET_FIELD = /("secretKey":\s*")([^"]*)(")/g;

const COPIED = { body: 'the JSON body', url: 'the URL', powershell: 'the PowerShell command', curl: 'the curl command' };

/** "request 2 of 3 (PATCH, 100 devices)": which request, for the copy confirmation. */
export function describeRequest(r, i, n) {
  const which = n > 1 ? `request ${i + 1} of ${n}` : 'the request';
  return `${which} (${r.method}${r.records.length ? `, ${plural(r.records.length, 'device')}` : ''})`;
}

/** The download name of request i of n: hardwareOathDevices-part-1-of-3.json for a bulk create. */
export function requestFileName(kind, i, n, ext) {
  const base = kind === 'create-bulk' ? 'hardwareOathDevices' : `hardwareOathDevices-${kind}`;
  return `${base}${n > 1 ? `-part-${i + 1}-of-${n}` : ''}.${ext}`;
}

export function mountGraphPanel(steps) {
  const empty = $('#graph-empty');
  const body = $('#graph-body');
  const kind = $('#graph-kind');
  const source = $('#graph-source');
  const chunk = $('#graph-chunk');
  const user = $('#graph-user');
  const device = $('#graph-device');
  const serial = $('#graph-serial');
  const error = $('#graph-error');
  const results = $('#graph-results');
  const list = $('#graph-requests');
  let requests = [];
  let built = null; // {text, chunk} the requests were built from, for reconcile
  let job = 0;
  let timer = null;
  let stopTick = null;

  const sourceText = () => (state.graphSource === 'variants' && state.variants ? state.variants.json : state.text);

  function refresh() {
    if (!emptyState(empty, body, steps)) { clear(); stepState('send', 'waiting for valid tokens', false); return; }
    stepState('send', 'ready to build requests', false);
    const opts = [h('option', { value: 'file' }, `${state.name} (${num(state.parsed.report.records)} tokens)`)];
    if (state.variants) opts.push(h('option', { value: 'variants' }, `Its variants (${num(state.variants.count)} tokens)`));
    if (!state.variants && state.graphSource === 'variants') state.graphSource = 'file';
    replace(source, opts);
    source.value = state.graphSource;
    replace($('#graph-serials'), state.parsed.records.slice(0, 1000).map((r) => r.serialNumber && h('option', { value: r.serialNumber })));
    schedule(0);
  }

  function clear() {
    requests = [];
    built = null;
    results.hidden = true;
    error.hidden = true;
    replace(list);
    replace($('#copy-status'));
    stopTick?.();
    stopTick = null;
  }

  // Clear everything: forget the requests (their bodies hold the keys) and Graph's answer.
  onClear(() => {
    job++;
    clearTimeout(timer);
    clear();
    replace($('#graph-meta'));
    replace($('#reconcile-results'));
    $('#reconcile-results').hidden = true;
    $('#reconcile-error').hidden = true;
    $('#response-part-field').hidden = true;
    replace($('#response-part'));
    replace($('#graph-serials'));
    replace(source);
    relevantFields();
    refresh();
  });

  let seen = { parsed: state.parsed, variants: state.variants, graphSource: state.graphSource };
  onChange((s) => {
    if (s.parsed === seen.parsed && s.variants === seen.variants && s.graphSource === seen.graphSource) return;
    if (s.parsed !== seen.parsed) { $('#reconcile-results').hidden = true; $('#reconcile-error').hidden = true; }
    seen = { parsed: s.parsed, variants: s.variants, graphSource: s.graphSource };
    refresh();
  });

  source.addEventListener('change', () => update({ graphSource: source.value }));
  kind.addEventListener('change', () => schedule(0));
  for (const el of [chunk, user, device, serial]) el.addEventListener('input', () => schedule(350));

  // Requests are built while the Send step is open (a large file's requests are many MB of
  // text): a change made elsewhere marks them stale and they are built when Send opens.
  let stale = false;
  function schedule(ms) {
    clearTimeout(timer);
    if (steps.current !== 'send') { stale = true; return; }
    stale = false;
    timer = setTimeout(build, ms);
  }
  steps.onStep((step) => { if (step === 'send' && stale) schedule(0); });

  function relevantFields() {
    for (const f of $('#graph-form').querySelectorAll('[data-for]')) f.hidden = !f.dataset.for.split(' ').includes(kind.value);
  }

  async function build() {
    relevantFields();
    const text = sourceText();
    if (!text || !state.parsed) return;
    const opts = { ...fileOptions(), request: kind.value, time: Date.now() / 1000 };
    delete opts.listing;
    const n = Math.floor(Number(chunk.value));
    if (kind.value === 'create-bulk') opts.chunk = n >= 1 ? n : 100;
    if (user.value.trim()) opts.user = user.value.trim();
    if (device.value.trim()) opts.deviceId = device.value.trim();
    if (serial.value.trim()) opts.serial = serial.value.trim();
    const my = ++job;
    try {
      const { result } = await run('graphRequests', [text, opts]);
      if (my !== job) return;
      error.hidden = true;
      built = { text, chunk: opts.chunk ?? 100, kind: opts.request };
      render(result);
    } catch (err) {
      if (my !== job || isAbort(err)) return;
      clear();
      error.hidden = false;
      replace(error, h('p', {}, err.message));
    }
  }

  function render(rs) {
    requests = rs;
    results.hidden = false;
    const tokens = new Set(rs.flatMap((r) => r.records)).size;
    stepState('send', `${plural(rs.length, 'request')} ready`, false);
    replace($('#graph-meta'), h('strong', {}, plural(rs.length, 'request')),
      rs.length ? (tokens ? ` for ${plural(tokens, 'token')}` : '') : ' (no token selected)');
    stopTick?.();
    stopTick = null;
    const expiring = [];
    replace(list, rs.map((r, i) => {
      const card = requestCard(r, i, rs.length);
      if (r.expiresAt) expiring.push({ r, el: card.querySelector('.expiry') });
      return card;
    }));
    if (expiring.length) stopTick = onTick((now) => { for (const x of expiring) expiry(x.el, x.r.expiresAt, now); });
    // Which request a pasted answer belongs to (bulk create in several parts).
    const parts = built.kind === 'create-bulk' && rs.length > 1;
    $('#response-part-field').hidden = !parts;
    replace($('#response-part'), parts ? rs.map((r, i) => h('option', { value: String(i + 1) }, `Request ${i + 1} of ${rs.length}`)) : []);
  }

  function requestCard(r, i, n) {
    const bodyText = r.body === null ? null : r.http.slice(r.http.indexOf('\n\n') + 2);
    const hasSecret = bodyText !== null && bodyText.includes('"secretKey"');
    const pre = bodyText === null ? null : h('pre', { class: 'code-block', tabindex: '0', 'aria-label': `Body of request ${i + 1}` },
      hasSecret ? bodyText.replace(SECRET_FIELD, '$1••••••••$3') : bodyText);
    const reveal = hasSecret ? h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'aria-pressed': 'false' }, 'Show secrets') : null;
    reveal?.addEventListener('click', () => {
      const on = reveal.getAttribute('aria-pressed') !== 'true';
      reveal.setAttribute('aria-pressed', String(on));
      reveal.textContent = on ? 'Hide secrets' : 'Show secrets';
      pre.textContent = on ? bodyText : bodyText.replace(SECRET_FIELD, '$1••••••••$3');
    });
    const kindNow = built.kind;
    const copy = (label, what, get) => h('button', { type: 'button', class: 'btn btn--small', 'data-copy': what,
      onclick: async (e) => {
        const ok = await copyText(get(), e.currentTarget);
        if (ok) stepState('send', `copied ${n > 1 ? `request ${i + 1} of ${n}` : 'the request'}`, true);
        $('#copy-status').textContent = ok
          ? `Copied ${describeRequest(r, i, n)}: ${COPIED[what]}. The clipboard keeps it until you copy something else.`
          : `Could not copy ${describeRequest(r, i, n)}: select the text and copy it by hand.`;
      } }, label);
    return h('li', { class: 'request card', 'data-index': i },
      h('div', { class: 'request__head' },
        h('span', { class: 'request__n' }, n > 1 ? `Request ${i + 1} of ${n}` : 'Request'),
        h('span', { class: 'request__tokens' }, tokensLabel(r.records)),
        r.expiresAt ? h('span', { class: 'expiry', role: 'timer', 'aria-live': 'off' }) : null),
      h('div', { class: 'request__line' },
        h('span', { class: `method method--${METHOD_CLASS[r.method] || 'get'}` }, r.method),
        h('code', { class: 'request__url' }, r.url)),
      pre,
      h('div', { class: 'request__actions' },
        bodyText !== null ? copy('Copy body', 'body', () => bodyText) : null,
        copy('Copy URL', 'url', () => r.url),
        copy('Copy PowerShell', 'powershell', () => r.powershell),
        copy('Copy curl', 'curl', () => r.curl),
        h('button', { type: 'button', class: 'btn btn--small', 'data-download': 'request',
          onclick: () => bodyText !== null ? download(requestFileName(kindNow, i, n, 'json'), bodyText)
            : download(requestFileName(kindNow, i, n, 'http'), r.http, 'text/plain') },
        bodyText !== null ? 'Download body' : 'Download request'),
        reveal),
      h('dl', { class: 'request__meta' },
        h('dt', {}, 'Permission'), h('dd', {}, r.permission),
        h('dt', {}, 'Least-privileged role'), h('dd', {}, r.role),
        h('dt', {}, 'Note'), h('dd', {}, r.note)));
  }

  function tokensLabel(records) {
    if (!records.length) return '';
    const rows = state.graphSource === 'variants' ? null : state.parsed.records;
    const serial = (i) => rows?.[i]?.serialNumber;
    if (records.length === 1) return serial(records[0]) ? `token ${serial(records[0])}` : `token ${records[0] + 1}`;
    return `tokens ${num(records[0] + 1)}–${num(records[records.length - 1] + 1)}`;
  }

  function expiry(el, at, now) {
    const left = Math.ceil(at - now);
    const when = new Date(at * 1000).toLocaleTimeString();
    if (left > 0) {
      el.textContent = `Code valid for ${left} s (until ${when})`;
      el.dataset.state = left <= 5 ? 'ending' : 'ok';
    } else {
      el.dataset.state = 'expired';
      replace(el, 'Code expired at ', when, ' ', h('button', { type: 'button', class: 'btn btn--link', onclick: () => build() }, 'Build again'));
    }
  }

  for (const b of $('#graph-results').querySelectorAll('[data-all]')) {
    b.addEventListener('click', () => {
      if (!requests.length) return;
      const f = b.dataset.all;
      const sep = f === 'http' ? '###' : '#';
      const text = requests.map((r, i) => `${sep} [${i + 1}/${requests.length}] ${r.note}\n${r[f]}`).join('\n');
      download(`${requestFileName(built.kind, 0, 1, '').slice(0, -1)}-all.${{ http: 'http', powershell: 'ps1', curl: 'sh' }[f]}`, text, 'text/plain');
    });
  }

  // Graph's answer → per-token results.
  $('#reconcile-btn').addEventListener('click', async () => {
    const out = $('#reconcile-results');
    const err = $('#reconcile-error');
    const response = $('#response-text').value;
    err.hidden = true;
    if (!response.trim()) { err.hidden = false; replace(err, h('p', {}, 'Paste Graph\'s response first.')); return; }
    const text = built?.text ?? sourceText();
    const opts = { ...fileOptions() };
    delete opts.listing;
    if (!$('#response-part-field').hidden) { opts.chunk = built.chunk; opts.part = Number($('#response-part').value); }
    try {
      const { result } = await run('reconcile', [text, response, opts]);
      renderReconcile(out, result);
    } catch (e) {
      if (isAbort(e)) return;
      out.hidden = true;
      err.hidden = false;
      replace(err, h('p', {}, e.message));
    }
  });

  function renderReconcile(out, r) {
    out.hidden = false;
    const badge = { created: 'ok', failed: 'error', unknown: 'warn' };
    replace(out,
      h('div', { class: 'summary summary--3' },
        stat('Created', r.created, r.created ? 'ok' : '', 'created'),
        stat('Failed', r.failed, r.failed ? 'error' : '', 'failed'),
        stat('Not in the answer', r.unknown, r.unknown ? 'warn' : '', 'unknown')),
      r.notes.length ? h('ul', { class: 'notes' }, r.notes.map((n) => h('li', {}, n))) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'reconcile' },
        h('caption', { class: 'visually-hidden' }, 'Result per token'),
        h('thead', {}, h('tr', {}, ['#', 'Serial number', '@contentId', 'Result', 'Device id', 'Status', 'Reason', '']
          .map((c, i) => h('th', { scope: 'col', class: i === 0 ? 'num' : null }, c)))),
        h('tbody', {}, r.tokens.map((t) => h('tr', { 'data-record': t.record, 'data-result': t.result },
          h('td', { class: 'num' }, String(t.record + 1)),
          h('td', { class: 'mono' }, t.serialNumber),
          h('td', { class: 'mono' }, t.contentId),
          h('td', {}, h('span', { class: `badge badge--${badge[t.result]}` }, t.result)),
          h('td', { class: 'mono small' }, t.deviceId ?? '—'),
          h('td', {}, t.deviceStatus ?? '—'),
          h('td', { class: 'reason' }, t.reason ?? ''),
          h('td', {}, t.deviceId ? h('button', { type: 'button', class: 'btn btn--small', title: 'Use this device id and serial for assign / activate requests',
            onclick: () => useDevice(t) }, 'Use id') : null)))))),
      r.unmatched.length ? h('div', { class: 'unmatched' }, h('p', { class: 'label' }, 'Items of the answer that match no token'),
        h('ul', {}, r.unmatched.map((u) => h('li', {}, `Item ${u.index + 1}${u.contentId ? ` (@contentId ${u.contentId})` : ''}${u.serialNumber ? ` serial ${u.serialNumber}` : ''}: ${u.message}`)))) : null);
  }

  function useDevice(t) {
    device.value = t.deviceId;
    serial.value = t.serialNumber;
    if (['create-bulk', 'create', 'list', 'enable-policy'].includes(kind.value)) kind.value = 'assign';
    schedule(0);
    kind.focus();
  }

  relevantFields();
  refresh();
}
