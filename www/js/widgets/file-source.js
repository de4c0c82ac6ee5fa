// A file source: drag-and-drop zone, file picker and paste box, plus optional demo buttons.
// What was chosen is handed on as it is — a File (its bytes are read by the owner worker, never by
// this thread) or, for pasted or dropped text, the text — so a token file's keys do not pass
// through the page's own memory when they need not.
import { h, icon } from '../dom.js';

/** Bytes → text, UTF-8 only (for the tenant listing, which holds no secret). */
export async function utf8(file) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(await file.arrayBuffer());
  } catch {
    throw new Error(`${file.name} is not UTF-8 text`);
  }
}

/**
 * @param {object} o
 * @param {string} o.id        prefix for element ids
 * @param {string} o.title     what to drop ("token file", "listing")
 * @param {string} o.accept    file picker filter
 * @param {boolean} [o.multiple]
 * @param {{label: string, name: string, load: () => Promise<string>}[]} [o.demos]
 * @param {(items: {name: string, file?: File, text?: string}[]) => void} o.onLoad
 */
export function fileSource({ id, title, hint, accept, multiple = false, compact = false, demos = [], onLoad }) {
  // The file input is hidden and out of the tab order; the "Choose…" button opens it, so the
  // keyboard reaches a visible control (and no control sits inside another).
  const picker = h('input', { type: 'file', id: `${id}-file`, accept, multiple, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
  const choose = h('button', { type: 'button', class: `btn ${compact ? 'btn--secondary' : 'btn--primary'}`,
    onclick: () => picker.click() }, multiple ? `Choose ${title} files…` : `Choose a ${title}…`);
  const zone = h('div', { class: `dropzone${compact ? ' dropzone--compact' : ''}`, id: `${id}-drop` },
    compact ? null : icon('M12 3 7 8h3.5v6h3V8H17l-5-5ZM5 15v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4h-2v4H7v-4H5Z', 'dropzone__icon'),
    h('p', { class: 'dropzone__title' }, compact ? `Drop ${title} pages here, or` : `Drop a ${title} here, or`),
    hint ? h('p', { class: 'dropzone__hint' }, hint) : null,
    h('div', { class: 'dropzone__actions' }, choose,
      demos.map((d) => h('button', { type: 'button', class: 'btn btn--secondary', 'data-demo': d.name,
        onclick: async (e) => {
          e.stopPropagation();
          onLoad([{ name: d.name, text: await d.load() }]);
        } }, d.label))));

  const files = (list) => { if (list.length) onLoad([...list].map((file) => ({ name: file.name, file }))); };
  picker.addEventListener('change', () => { files(picker.files); picker.value = ''; });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; zone.dataset.over = 'true'; });
  zone.addEventListener('dragleave', () => { delete zone.dataset.over; });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    delete zone.dataset.over;
    if (e.dataTransfer.files.length) files(e.dataTransfer.files);
    else {
      const text = e.dataTransfer.getData('text/plain');
      if (text) onLoad([{ name: 'dropped text', text }]);
    }
  });

  const paste = h('textarea', { id: `${id}-paste`, class: 'input', rows: 6, spellcheck: 'false',
    autocomplete: 'off', 'aria-label': `Paste a ${title}` });
  const details = h('details', { class: 'paste' }, h('summary', {}, 'Or paste the contents'));
  const usePaste = h('button', { type: 'button', class: 'btn', id: `${id}-paste-use`,
    onclick: () => {
      if (!paste.value.trim()) return;
      const text = paste.value;
      // Do not leave pasted secrets on screen: the box is emptied and closed once read.
      paste.value = '';
      details.open = false;
      onLoad([{ name: 'pasted text', text }]);
    } }, 'Use pasted text');
  details.append(h('div', { class: 'paste__body' }, paste, h('div', {}, usePaste)));

  return h('div', { class: 'source' }, zone, picker, details);
}
