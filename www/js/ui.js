// Page chrome: the tab strip (ARIA tabs, arrow keys, #hash links) and the status line.
import { $ } from './dom.js';

/** Wires the tabs in #tablist; the tab whose data-hash matches location.hash opens first. */
export function initTabs() {
  const list = $('#tablist');
  const tabs = () => [...list.querySelectorAll('[role="tab"]')];

  function select(tab, { focus = false, push = true } = {}) {
    for (const t of tabs()) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    if (push && location.hash !== `#${tab.dataset.hash}`) history.replaceState(null, '', `#${tab.dataset.hash}`);
  }

  list.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(all[(to + all.length) % all.length], { focus: true });
  });
  const fromHash = () => tabs().find((t) => `#${t.dataset.hash}` === location.hash);
  window.addEventListener('hashchange', () => { const t = fromHash(); if (t) select(t, { push: false }); });
  select(fromHash() || tabs()[0], { push: false });
  return { open: (hash) => select(tabs().find((t) => t.dataset.hash === hash)) };
}

/** Shows or clears the page-level status line. */
export function status(text, kind = 'info') {
  const el = $('#app-status');
  el.hidden = !text;
  el.textContent = text || '';
  el.className = `status status--${kind}`;
}
