// Page chrome: the three-step stepper (Load → Check → Send, one section each, switched by the
// URL hash so back/forward work), the step completion texts, and the status line.
// Switching steps only hides and shows sections: nothing typed or computed is lost.
import { $, h, replace, num } from './dom.js';

export const STEPS = ['load', 'check', 'send'];

/** Wires the stepper; the step named by location.hash opens first (Load by default). */
export function initSteps() {
  let current = null;
  const watchers = new Set();

  function show(step, { focus = false } = {}) {
    if (!STEPS.includes(step)) step = 'load';
    current = step;
    for (const s of STEPS) {
      $(`#step-${s}`).hidden = s !== step;
      const link = $(`#step-link-${s}`);
      if (s === step) link.setAttribute('aria-current', 'step'); else link.removeAttribute('aria-current');
    }
    document.body.dataset.step = step;
    if (focus) $(`#step-${step}-title`).focus();
    for (const fn of watchers) fn(step);
  }

  const fromHash = () => location.hash.replace(/^#/, '');
  // Back to the page's first history entry (no hash) is back to Load.
  window.addEventListener('hashchange', () => {
    const step = fromHash() || 'load';
    if (STEPS.includes(step)) show(step, { focus: true });
  });
  show(fromHash());

  return {
    /** Opens a step (a history entry, so Back returns) and moves focus to its heading. */
    go(step) {
      if (current === step && fromHash() === step) { show(step, { focus: true }); return; }
      location.hash = step;
    },
    get current() { return current; },
    /** Calls fn(step) whenever a step is shown. */
    onStep(fn) { watchers.add(fn); },
  };
}

/** Sets a step's completion text in the stepper ("20 tokens", "2 invalid") and its done flag. */
export function stepState(step, text, done) {
  $(`#step-state-${step}`).textContent = text ? `(${text})` : '';
  $(`#step-link-${step}`).dataset.done = String(Boolean(done));
}

/** Shows or clears the page-level status line. */
export function status(text, kind = 'info') {
  const el = $('#app-status');
  el.hidden = !text;
  el.textContent = text || '';
  el.className = `status status--${kind}`;
}

/** The card of a step with nothing to work on: why, and the way on. That is back to Load, or,
 *  when tokens are loaded but `invalid` of them have errors, their rows in the Check step's table
 *  (its filter set to the invalid records; the filter, just above the table, gets the focus). */
export function needTokens(el, why, steps, { invalid = 0 } = {}) {
  const showInvalid = () => {
    const filter = $('#row-filter');
    filter.value = 'invalid';
    filter.dispatchEvent(new Event('change'));
    if (steps.current === 'check') filter.focus(); else steps.go('check');
  };
  replace(el, h('p', {}, why), invalid
    ? h('button', { type: 'button', class: 'btn btn--secondary', onclick: showInvalid }, invalid === 1 ? 'Show the invalid record' : `Show the ${num(invalid)} invalid records`)
    : h('button', { type: 'button', class: 'btn btn--secondary', onclick: () => steps.go('load') }, 'Go to step 1: Load'));
}
