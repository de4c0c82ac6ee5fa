// Send step, "Graph's answer": the pasted answer mapped by the engine to the tokens (created, failed
// and why, not in the answer). "Answer to" says which request the answer belongs to — any request,
// or one part of the last bulk create built for these tokens, labelled with its tokens per
// request — so nothing hidden decides the mapping. The mapped result is bound to the pasted text,
// that choice and the tokens: a change to any of them drops it, and an error replaces it.
import { h, $, num, stat, replace } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { session, on } from '../session.js';
import { resultView } from '../results.js';

const BADGE = { created: 'ok', failed: 'error', unknown: 'warn' };

export function mountReconcile({ useDevice, plan: currentPlan }) {
  const text = $('#response-text');
  const part = $('#response-part');
  const button = $('#reconcile-btn');
  const view = resultView($('#reconcile-output')).dependsOn(text, part, 'tokens', 'source');
  let plan = null; // {chunk, parts: [records[]]} of the last bulk create built

  function options() {
    replace(part, h('option', { value: '' }, 'Any request: match by @contentId and serial'),
      (plan?.parts ?? []).map((records, i) => h('option', { value: String(i + 1) },
        `Bulk create, request ${i + 1} of ${plan.parts.length} (${plan.chunk} tokens per request: ${records.length ? `tokens ${num(records[0] + 1)}–${num(records[records.length - 1] + 1)}` : 'none'})`)));
  }

  function render(r) {
    view.ok('result',
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
          h('td', {}, h('span', { class: `badge badge--${BADGE[t.result] ?? 'muted'}` }, t.result)),
          h('td', { class: 'mono small' }, t.deviceId ?? '—'),
          h('td', {}, t.deviceStatus ?? '—'),
          h('td', { class: 'reason' }, t.reason ?? ''),
          h('td', {}, t.deviceId ? h('button', { type: 'button', class: 'btn btn--small', title: 'Use this device id and serial for the next request',
            onclick: () => useDevice(t) }, 'Use id') : null)))))),
      r.unmatched.length ? h('div', { class: 'unmatched' }, h('p', { class: 'label' }, 'Items of the answer that match no token'),
        h('ul', {}, r.unmatched.map((u) => h('li', {}, `Item ${u.index + 1}${u.contentId ? ` (@contentId ${u.contentId})` : ''}${u.serialNumber ? ` serial ${u.serialNumber}` : ''}: ${u.message}`)))) : null);
  }

  button.addEventListener('click', async () => {
    const current = view.begin();
    if (!text.value.trim()) { view.error(h('p', {}, 'Paste Graph\'s response first.')); return; }
    const o = {};
    if (part.value && plan) { o.chunk = plan.chunk; o.part = Number(part.value); }
    view.busy(h('p', { class: 'muted' }, 'Reading the answer…'));
    try {
      const { result } = await call('reconcile', { source: session.source, response: text.value, options: o });
      if (current()) render(result);
    } catch (err) {
      if (current() && !isAbort(err)) view.error(h('p', {}, err.message));
    }
  });

  // Other tokens: the last bulk create's parts are not theirs.
  const forget = () => { plan = null; options(); };
  on('tokens', forget);
  on('source', forget);
  options();
  return {
    /** After a build: a bulk create's parts become the choices (a new plan drops the result). */
    plan() {
      const shown = currentPlan();
      if (!shown) return;
      const parts = shown.requests.map((r) => r.records);
      const { chunk } = shown;
      const same = plan && plan.chunk === chunk && plan.parts.length === parts.length && plan.version === session.version;
      if (same) return;
      const had = part.value;
      plan = { chunk, parts, version: session.version };
      options();
      if (had) { part.value = ''; view.clear(); }
    },
    clear() { plan = null; options(); view.clear(); },
  };
}
