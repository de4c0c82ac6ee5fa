// One diagnostic as a list item: line:column, severity (icon and word, not colour alone), rule
// code, field and the engine's message (which counts records and positions from 1).
import { h } from '../dom.js';

export const SEV_ICON = { error: '\u2716', warning: '\u25B2', info: 'i' };

export function diagItem(d) {
  const pos = d.line !== null ? `${d.line}:${d.column ?? 1}` : '—';
  return h('li', { class: `diag diag--${d.severity}`, 'data-code': d.code, 'data-line': d.line ?? '', 'data-column': d.column ?? '' },
    h('span', { class: 'diag__meta' },
      h('span', { class: 'diag__pos', title: d.line !== null ? `line ${d.line}, column ${d.column}` : 'whole file' }, pos),
      h('span', { class: `sev-icon sev-icon--${d.severity}`, 'aria-hidden': 'true' }, SEV_ICON[d.severity]),
      h('span', { class: `sev sev--${d.severity}` }, d.severity),
      h('code', { class: 'diag__code', title: 'Rule code: see docs/rules.md' }, d.code),
      d.field ? h('span', { class: 'diag__field' }, d.field) : null),
    h('span', { class: 'diag__msg' }, d.message));
}
