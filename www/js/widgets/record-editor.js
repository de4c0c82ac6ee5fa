// Fix a record in place: the fields of one row, those the diagnostics name marked, a new secret
// typed masked (left empty, the key stays as it is). "Save and check again" sends only what was
// changed to the engine, which re-checks the whole set (duplicates included); the record keeps its
// number. No download and load again.
import { h } from '../dom.js';
import { change } from '../session.js';
import { resultView } from '../results.js';

const FIELDS = [
  { key: 'serialNumber', label: 'Serial number', mono: true },
  { key: 'manufacturer', label: 'Manufacturer' },
  { key: 'model', label: 'Model' },
  { key: 'displayName', label: 'Display name' },
  { key: 'user', label: 'User (assignTo id or UPN)', mono: true },
  { key: 'timeIntervalInSeconds', label: 'Period (s)', options: ['30', '60'] },
  { key: 'hashFunction', label: 'Hash', options: ['hmacsha1', 'hmacsha256'] },
];

/** The editor for `row` (a TokenSetRow); the fields its errors name are marked. */
export function recordEditor(row, close) {
  const id = `edit-${row.index}`;
  const named = new Set(row.errorFields); // the engine names the fields with an error, as RecordPatch keys
  const controls = new Map();
  const fieldFor = (f) => {
    const value = row[f.key] === null || row[f.key] === undefined ? '' : String(row[f.key]);
    const input = f.options
      ? h('select', { id: `${id}-${f.key}`, class: 'input' }, [...new Set([...(value ? [value] : ['']), ...f.options])].map((o) => h('option', { value: o, selected: o === value }, o || '(missing)')))
      : h('input', { id: `${id}-${f.key}`, class: `input${f.mono ? ' input--mono' : ''}`, value, autocomplete: 'off', spellcheck: 'false' });
    controls.set(f, { input, value });
    return h('div', { class: `field${named.has(f.key) ? ' field--flagged' : ''}` },
      h('label', { for: input.id }, f.label, named.has(f.key) ? h('span', { class: 'badge badge--error' }, 'has an error') : null), input);
  };
  const secret = h('input', { id: `${id}-secret`, type: 'password', class: 'input input--mono', autocomplete: 'off', spellcheck: 'false', placeholder: 'unchanged' });
  const out = h('div', { class: 'result', role: 'alert' });
  const view = resultView(out);
  const save = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Save and check again');
  const form = h('form', { class: 'editor', novalidate: true, autocomplete: 'off', 'aria-label': `Edit record ${row.index + 1}` },
    h('div', { class: 'editor__grid' }, FIELDS.map(fieldFor),
      h('div', { class: `field${named.has('secret') ? ' field--flagged' : ''}` },
        h('label', { for: secret.id }, 'New secret key', named.has('secret') ? h('span', { class: 'badge badge--error' }, 'has an error') : null), secret)),
    h('div', { class: 'editor__actions' }, save,
      h('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Cancel')),
    out);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const patch = {};
    for (const [f, { input, value }] of controls) {
      if (input.value === value) continue;
      patch[f.key] = f.key === 'timeIntervalInSeconds' ? Number(input.value) : input.value;
    }
    if (secret.value) patch.secret = secret.value;
    if (!Object.keys(patch).length) { view.error(h('p', {}, 'Nothing was changed.')); return; }
    const current = view.begin();
    save.disabled = true;
    try {
      await change('edit', { row: row.index, patch });
      secret.value = '';
      close();
    } catch (err) {
      if (current()) view.error(h('p', {}, err.message));
    } finally {
      save.disabled = false;
    }
  });
  return { el: form, focus: () => (form.querySelector('.field--flagged .input') ?? form.querySelector('.input')).focus() };
}
