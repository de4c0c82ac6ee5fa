// Send step, under "Answer of Find the users' object ids": what the engine read from the pasted
// resolve-users answer — per user found, a guest, disabled, not found or not answered, and the
// object id each token's requests will use. Bound to the pasted text, the user field and the
// tokens: a change to any of them drops it.
import { h, plural } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { session } from '../session.js';
import { resultView } from '../results.js';

const STATE = { found: ['ok', 'found'], guest: ['warn', 'a guest: cannot hold a token here'], disabled: ['warn', 'disabled'],
  notFound: ['error', 'not found'], failed: ['error', 'Graph refused the lookup'], missing: ['error', 'not in the answer'] };

export function mountUserResolution(text, user, el) {
  const view = resultView(el).dependsOn('tokens', 'source', user);
  let timer = null;

  async function read() {
    const current = view.begin();
    if (!text.value.trim() || !session.report) { view.clear(); return; }
    try {
      const { result: r } = await call('resolveUsers', { source: session.source, answers: [text.value], user: user.value.trim() || null });
      if (!current()) return;
      view.ok(r.notFound || r.missing ? 'warn' : 'ok',
        h('p', { class: 'result__headline' }, `${plural(r.users.length, 'user')}: ${r.found} found${r.guests ? `, ${r.guests} guest${r.guests === 1 ? '' : 's'}` : ''}${r.disabled ? `, ${r.disabled} disabled` : ''}${r.notFound ? `, ${r.notFound} not found` : ''}${r.missing ? `, ${r.missing} not answered` : ''}`),
        h('ul', { class: 'notes', id: 'graph-users-list' }, r.users.map((u) => {
          const [kind, what] = STATE[u.state] ?? ['muted', u.state];
          return h('li', { 'data-state': u.state }, h('span', { class: `badge badge--${kind}` }, what), ' ', h('span', { class: 'mono' }, u.upn),
            u.objectId ? [' → ', h('span', { class: 'mono' }, u.objectId)] : null, u.message ? ` — ${u.message}` : null);
        })),
        h('p', { class: 'help' }, `${plural(r.tokens.filter((t) => t.objectId).length, 'token')} will name their user by object id.`));
    } catch (err) {
      if (current() && !isAbort(err)) view.error(h('p', {}, err.message));
    }
  }
  text.addEventListener('input', () => { view.clear(); clearTimeout(timer); timer = setTimeout(read, 350); });
  return { clear() { clearTimeout(timer); view.clear(); } };
}
