// A file source: drag-and-drop zone, file picker and paste box, plus optional demo buttons.
// Files are read locally; demo files come from js/demo.js.
import { h, icon } from './dom.js';

/** Bytes → text exactly as the CLI reads them: UTF-8, a byte order mark kept (the parser skips and
 *  reports it; File.text() would drop it silently), invalid UTF-8 refused. */
async function decode(blob, name) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await blob.arrayBuffer());
  } catch {
    throw new Error(`${name} is not UTF-8 text`);
  }
}

/**
 * @param {object} o
 * @param {string} o.id        prefix for element ids
 * @param {string} o.title     what to drop ("token file", "Graph listing")
 * @param {string} o.accept    file picker filter
 * @param {boolean} [o.multiple]
 * @param {{label: string, name: string, load: () => Promise<string>}[]} [o.demos]
 * @param {(items: {name: string, text: string}[]) => void} o.onLoad
 * @param {(message: string) => void} [o.onError]  a file that cannot be read as text
 */
export function fileSource({ id, title, hint, accept, multiple = false, compact = false, demos = [], onLoad, onError }) {
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

  const read = async (files) => {
    const list = [...files];
    if (!list.length) return;
    let items;
    try {
      items = await Promise.all(list.map(async (f) => ({ name: f.name, text: await decode(f, f.name) })));
    } catch (err) {
      onError?.(err.message);
      return;
    }
    onLoad(items);
  };
  picker.addEventListener('change', () => { read(picker.files); picker.value = ''; });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; zone.dataset.over = 'true'; });
  zone.addEventListener('dragleave', () => { delete zone.dataset.over; });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    delete zone.dataset.over;
    if (e.dataTransfer.files.length) read(e.dataTransfer.files);
    else {
      const text = e.dataTransfer.getData('text/plain');
      if (text) onLoad([{ name: 'dropped text', text }]);
    }
  });

  const paste = h('textarea', { id: `${id}-paste`, class: 'input', rows: 6, spellcheck: 'false',
    autocomplete: 'off', 'aria-label': `Paste a ${title}` });
  const usePaste = h('button', { type: 'button', class: 'btn', id: `${id}-paste-use`,
    onclick: () => {
      if (!paste.value.trim()) return;
      const text = paste.value;
      // Do not leave pasted secrets on screen: the box is emptied and closed once read.
      paste.value = '';
      details.open = false;
      onLoad([{ name: 'pasted text', text }]);
    } }, 'Use pasted text');
  const details = h('details', { class: 'paste' },
    h('summary', {}, 'Or paste the contents'),
    h('div', { class: 'paste__body' }, paste, h('div', {}, usePaste)));

  return h('div', { class: 'source' }, zone, picker, details);
}
