// One rule for every result the page shows (a verify verdict, the request list, Graph's mapped
// answer, the variants, the normalised JSON note): a result view shows exactly one of nothing,
// work in progress, a result or an error — an error replaces a result, never sits beside it —
// and a result is bound to the inputs it was computed from. Any change to one of them empties the
// view at once, and a computation that was overtaken by a change shows nothing when it ends.
// The view's element carries data-state="empty|busy|ok|error" (what the page tests check).
import { replace } from './dom.js';
import { on } from './session.js';

export function resultView(el) {
  let gen = 0;
  // A `.result` box takes its colour from a modifier class (result--ok, --warn, --error, --busy).
  const base = el.className.replace(/\bresult--\S+/g, '').trim();
  const show = (state, kind, nodes) => {
    // Whatever a result put on the element (data-offset-steps…) goes with it.
    for (const k of Object.keys(el.dataset)) if (k !== 'state' && k !== 'kind') delete el.dataset[k];
    el.dataset.state = state;
    el.hidden = state === 'empty';
    if (kind) el.dataset.kind = kind; else delete el.dataset.kind;
    if (el.classList.contains('result')) el.className = kind ? `${base} result--${kind}` : base;
    replace(el, ...nodes);
  };
  const view = {
    el,
    /** Drops what is shown (and overtakes any computation under way). */
    clear() { gen++; show('empty', null, []); },
    /** Starts one computation; the returned function is true while nothing changed since. */
    begin() { const my = ++gen; return () => my === gen; },
    busy(...nodes) { show('busy', 'busy', nodes); },
    ok(kind, ...nodes) { show('ok', kind, nodes); },
    error(...nodes) { show('error', 'error', nodes); },
    get state() { return el.dataset.state || 'empty'; },
    /** Clears the view whenever one of `inputs` changes: form controls (input and change
     *  events) or session topics ('tokens', 'variants', 'source'). */
    dependsOn(...inputs) {
      for (const i of inputs) {
        if (typeof i === 'string') on(i, () => view.clear());
        else for (const type of ['input', 'change']) i.addEventListener(type, () => view.clear());
      }
      return view;
    },
  };
  show('empty', null, []);
  return view;
}
