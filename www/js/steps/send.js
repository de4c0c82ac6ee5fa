// Step 3, Send: the Graph requests for the loaded tokens (or their variants), built by the engine
// in the owner worker from the request catalogue (which inputs each kind uses, its label), shown
// with every key masked; Graph's answer mapped back (widgets/reconcile.js); the end-user sheet.
// The list is bound to everything it was built from: any change of the kind, the tokens, or an
// input the kind uses marks it out of date at once and builds it again. An input the kind does not
// use is hidden and never read.
import { h, replace, $, plural, onTick, download } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { session, on, facts, usable, setSource } from '../session.js';
import { resultView } from '../results.js';
import { requestCard, expiry } from '../widgets/request-card.js';
import { mountReconcile } from '../widgets/reconcile.js';
import { mountSheet } from '../widgets/sheet.js';
import { mountUserResolution } from '../widgets/user-resolution.js';
import { stepState, needTokens } from '../ui.js';

/** The form's inputs, by the name the engine's catalogue (`needs`) and the request options use;
 *  `used(kind)` says whether a kind reads it. */
const INPUTS = {
  chunk: { sel: '#graph-chunk', used: (k) => k.chunked, number: true },
  user: { sel: '#graph-user', used: (k) => k.needs.user !== 'no' },
  deviceId: { sel: '#graph-device', used: (k) => k.needs.deviceId !== 'no' },
  serial: { sel: '#graph-serial', used: (k) => k.needs.serial !== 'no' },
  users: { sel: '#graph-users', used: (k) => k.needs.resolvedUsers !== 'no', list: true },
  listing: { sel: '#graph-listing', used: (k) => k.needs.listing !== 'no', list: true },
  userMethods: { sel: '#graph-methods', used: (k) => k.needs.userMethods !== 'no', list: true },
  availableOnly: { sel: '#graph-available', used: (k) => k.inventory, check: true },
  top: { sel: '#graph-top', used: (k) => k.inventory, number: true },
};
const FORMATS = { http: 'HTTP file', powershell: 'PowerShell', 'powershell-script': 'PowerShell script', curl: 'curl' };

export function mountSend(steps) {
  const empty = $('#graph-empty');
  const body = $('#graph-body');
  const kind = $('#graph-kind');
  const source = $('#graph-source');
  const view = resultView($('#graph-output'));
  let timer = null;
  let stopTick = null;
  let shown = null; // {build, requests, kind} on screen

  const catalogue = () => facts.requestKinds.find((k) => k.kind === kind.value);
  const reconcile = mountReconcile({ useDevice, plan: () => (shown?.kind === 'create-bulk' ? shown : null) });
  const sheet = mountSheet();
  const users = mountUserResolution($('#graph-users'), $('#graph-user'), $('#graph-users-report'));

  const chunk = $(INPUTS.chunk.sel);
  chunk.defaultValue = chunk.value = String(facts.defaultChunk);
  replace(kind, facts.requestKinds.map((k) => h('option', { value: k.kind, defaultSelected: k.kind === facts.defaultKind }, k.label)));
  kind.value = facts.defaultKind;

  /** Shows the inputs the chosen kind reads (and hides the others); returns their names. */
  function fields() {
    const k = catalogue();
    const used = Object.entries(INPUTS).filter(([, i]) => i.used(k)).map(([name]) => name);
    for (const [name, i] of Object.entries(INPUTS)) $(i.sel).closest('.field').hidden = !used.includes(name);
    return used;
  }

  /** The request options: only the inputs the kind reads, never a hidden one. */
  function options() {
    const o = { request: kind.value, time: Date.now() / 1000 };
    for (const name of fields()) {
      const i = INPUTS[name];
      const el = $(i.sel);
      if (i.check) { o[name] = el.checked; continue; }
      const value = el.value.trim();
      if (value === '') continue;
      o[name] = i.number ? Number(value) : i.list ? [value] : value;
    }
    return o;
  }

  /** Something the list depends on changed: out of date now, built again after `ms`. */
  function stale(ms) {
    clearTimeout(timer);
    stopTick?.();
    stopTick = null;
    shown = null;
    fields();
    if (!usable()) { view.clear(); return; }
    view.busy(h('p', { class: 'muted' }, 'Building the requests…'));
    // Requests are built while the Send step is open (a large file's are many MB of text).
    if (steps.current === 'send') timer = setTimeout(build, ms);
  }
  steps.onStep((step) => { if (step === 'send' && view.state === 'busy' && !shown) stale(0); });

  async function build() {
    const current = view.begin();
    const src = session.source;
    const opts = options();
    let result;
    try {
      ({ result } = await call('requests', { source: src, options: opts }));
    } catch (err) {
      if (current() && !isAbort(err)) { view.error(h('p', {}, err.message)); stepState('send', 'fix the request', false); }
      return;
    }
    if (!current()) return;
    shown = { ...result, kind: kind.value, source: src, chunk: opts.chunk ?? facts.defaultChunk };
    render(shown);
    reconcile.plan();
  }

  function render({ build: id, requests: rs }) {
    const tokens = new Set(rs.flatMap((r) => r.records)).size;
    stepState('send', `${plural(rs.length, 'request')} ready`, false);
    const status = h('p', { class: 'copy-status', id: 'copy-status', role: 'status', 'aria-live': 'polite' });
    const names = (records) => {
      if (!records.length) return '';
      const rows = session.source === 'variants' ? null : session.report.rows;
      const one = rows?.[records[0]]?.serialNumber;
      if (records.length === 1) return one ? `token ${one}` : `token ${records[0] + 1}`;
      return `tokens ${records[0] + 1}–${records[records.length - 1] + 1}`;
    };
    const cards = rs.map((r, i) => requestCard(r, i, rs.length, {
      build: id, tokens: names, status: (t) => { status.textContent = t; },
      onCopied: (k) => stepState('send', `copied ${rs.length > 1 ? `request ${k + 1} of ${rs.length}` : 'the request'}`, false),
    }));
    const all = (format) => h('button', { type: 'button', class: 'btn btn--small', 'data-all': format, 'aria-describedby': 'download-all-label',
      onclick: async () => {
        try {
          const { result } = await call('requestsDocument', { build: id, format });
          download(result.fileName, result.text, 'text/plain');
        } catch (err) { status.textContent = err.message; }
      } }, FORMATS[format]);
    view.ok('list',
      h('div', { class: 'toolbar' },
        h('p', { class: 'file-meta', id: 'graph-meta' }, h('strong', {}, plural(rs.length, 'request')),
          rs.length ? (tokens ? ` for ${plural(tokens, 'token')}` : '') : ' (no token selected)'),
        h('span', { class: 'toolbar__spacer' }),
        h('span', { class: 'label', id: 'download-all-label' }, 'Download all as'), Object.keys(FORMATS).map(all)),
      h('p', { class: 'help' }, 'The HTTP file (.http) is for the REST clients of VS Code and JetBrains; Graph Explorer takes one request at a time: copy it from its card.'),
      status,
      h('ol', { class: 'requests', id: 'graph-requests' }, cards));
    const expiring = rs.map((r, i) => ({ r, el: cards[i].querySelector('.expiry') })).filter((x) => x.el);
    if (expiring.length) stopTick = onTick((now) => { for (const x of expiring) expiry(x.el, x.r.expiresAt, now, () => stale(0)); });
  }

  function refresh() {
    const ok = usable();
    body.hidden = !ok;
    empty.hidden = ok;
    if (!ok) {
      const r = session.report;
      needTokens(empty, !r ? 'Nothing is loaded yet. Load a token file, start from the demo, or type one token by hand in step 1.'
        : r.summary.records === 0 ? 'The loaded file holds no tokens.'
          : `The loaded tokens have ${plural(r.summary.invalid, 'invalid record')}. Fix or remove ${r.summary.invalid === 1 ? 'it' : 'them'} in step 2: requests are only built from tokens without errors.`, steps, { invalid: r?.summary.invalid ?? 0 });
      stepState('send', 'waiting for valid tokens', false);
    } else {
      replace(source, h('option', { value: 'file' }, `${session.name} (${plural(session.report.summary.valid, 'token')})`),
        session.variants ? h('option', { value: 'variants' }, `Its variants (${plural(session.variants.count, 'token')})`) : null);
      source.value = session.source;
      replace($('#graph-serials'), session.report.rows.slice(0, 1000).map((r) => r.serialNumber && h('option', { value: r.serialNumber })));
      stepState('send', 'ready to build requests', false);
    }
    stale(0);
  }

  function useDevice(t) {
    // "Use id" prepares the next step for that device: assigning it (unless the chosen request
    // already takes a device id).
    if (!INPUTS.deviceId.used(catalogue())) kind.value = 'assign';
    $(INPUTS.deviceId.sel).value = t.deviceId;
    $(INPUTS.serial.sel).value = t.serialNumber;
    stale(0);
    kind.focus();
  }

  on('tokens', refresh);
  on('variants', refresh);
  on('source', refresh);
  source.addEventListener('change', () => setSource(source.value));
  kind.addEventListener('change', () => stale(0));
  // Typing marks the list out of date at once (and builds it when typing pauses); a checkbox
  // changes it at once. (No 'change' on text fields: it comes again on blur, with nothing new.)
  for (const i of Object.values(INPUTS)) $(i.sel).addEventListener(i.check ? 'change' : 'input', () => stale(i.check ? 0 : 350));
  refresh();

  return {
    clear() { clearTimeout(timer); stopTick?.(); stopTick = null; shown = null; view.clear(); reconcile.clear(); sheet.clear(); users.clear(); kind.value = facts.defaultKind; fields(); },
  };
}
