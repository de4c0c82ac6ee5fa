// Step 1, Load: a token file (drop, pick, paste, the demo) or one token typed by hand, the default
// hash for records that state none, and the tenant's device listing. The owner worker reads and
// validates (TokenSet.open, cancellable); this step shows progress, the one-line error of an
// unusable file, and what is loaded. Loading another file replaces the current one at once: its
// views go the moment the new load begins, whatever becomes of it.
import { h, replace, $, num, plural } from '../dom.js';
import { call, isAbort } from '../workers.js';
import { fileSource, utf8 } from '../widgets/file-source.js';
import { mountManual } from '../widgets/manual-form.js';
import { mountDecrypt, decryptedText } from '../widgets/decrypt-form.js';
import { mountKeyMaker } from '../widgets/key-maker.js';
import { looksLikeOpenPgp } from '../pgp-detect.js';

// The OpenPGP loader (js/pgp.js) and module come only when a file looks encrypted or a key is made.
const pgp = () => import('../pgp.js');
import { DEMOS, demoText } from '../demo.js';
import { session, on, setTokens, fileOptions } from '../session.js';
import { stepState, status } from '../ui.js';

export function mountLoad(steps) {
  const progress = $('#file-progress');
  const progressText = $('#file-progress-text');
  const error = $('#file-error');
  let controller = null;
  let job = 0;

  replace($('#file-source'), fileSource({
    id: 'token', title: 'token file', accept: '.json,.csv,.txt,.gpg,.pgp,.asc,application/json,text/csv',
    hint: 'Token2 / Graph delta JSON (also a bare array or one object) or the legacy Entra CSV. Read in this browser only.',
    demos: DEMOS.map((d) => ({ ...d, label: /\.csv$/i.test(d.name) ? 'Start from the demo CSV' : 'Start from the demo', load: () => demoText(d.name) })),
    onLoad: ([f]) => load(f.name, f.file ?? f.text),
  }));
  replace($('#listing-source'), fileSource({
    id: 'listing', title: 'listing', accept: '.json,application/json', multiple: true, compact: true,
    onLoad: (files) => addListing(files),
  }));
  $('#file-hash').addEventListener('change', (e) => { session.hashFunction = e.target.value; recheck(); });
  $('#file-cancel').addEventListener('click', () => controller?.abort());
  const manual = mountManual((fields) => open(`token ${fields.serialNumber} (typed by hand)`, 'fields', { fields }));

  function showError(message, name = session.name) {
    error.hidden = false;
    error.dataset.file = name;
    replace(error, h('p', { class: 'result__headline' }, 'This file cannot be used'), h('p', { class: 'result__detail' }, message));
  }

  function setProgress(text) {
    progress.hidden = !text;
    progressText.textContent = text || '';
  }

  const decrypt = mountDecrypt((name, id, decrypted) => open(name, 'openDecrypted', { id, options: fileOptions() }, decrypted));
  const keyMaker = mountKeyMaker();

  /** Whether `input` is an OpenPGP message: a cheap look at its start, then the module decides
   *  (a token file never loads the module). */
  async function encrypted(input) {
    const head = input instanceof Blob ? new Uint8Array(await input.slice(0, 65536).arrayBuffer()) : new TextEncoder().encode(input.slice(0, 65536));
    return looksLikeOpenPgp(head) && (await pgp()).openPgp().isOpenPgpMessage(input);
  }

  /** A file or text from the Load step: an encrypted one asks for its key first. */
  async function load(name, input) {
    decrypt.clear();
    if (await encrypted(input).catch(() => false)) {
      status('');
      error.hidden = true;
      setTokens(null, { name: '' });
      decrypt.ask(name, input);
      return;
    }
    open(name, 'open', { input, options: fileOptions() });
  }

  /** Reads new tokens (`op` 'open', 'fields' or 'openDecrypted'); replaces what was loaded. */
  async function open(name, op, args, decrypted = null) {
    status('');
    error.hidden = true;
    const my = ++job;
    controller?.abort();
    controller = new AbortController();
    setTokens(null, { name });
    const size = args.input instanceof Blob ? args.input.size : args.input?.length;
    const t0 = performance.now();
    const stage = `Validating ${name}${size ? ` (${size >= 1e5 ? `${(size / 1e6).toFixed(1)} MB` : plural(size, args.input instanceof Blob ? 'byte' : 'character')})` : ''}`;
    const tick = setInterval(() => setProgress(`${stage}… ${((performance.now() - t0) / 1000).toFixed(1)} s`), 200);
    setProgress(`${stage}…`);
    try {
      const { result, ms } = await call(op, args, { signal: controller.signal });
      if (my !== job) return;
      setTokens(result, { name, timing: { worker: ms, total: performance.now() - t0 }, decrypted: decrypted && decryptedText(decrypted) });
      steps.go('check');
    } catch (err) {
      if (my !== job) return;
      setTokens(null, { name: '' });
      if (isAbort(err)) status('Loading cancelled: nothing was loaded.');
      else showError(err.message, name);
    } finally {
      clearInterval(tick);
      if (my === job) setProgress('');
    }
  }

  /** The hash option or the listing changed: the engine re-checks the loaded set (edits kept). */
  async function recheck() {
    if (!session.report) return;
    const my = ++job;
    try {
      const { result } = await call('options', { options: fileOptions() });
      if (my === job) setTokens(result, { name: session.name });
    } catch (err) {
      if (my !== job || isAbort(err)) return;
      setTokens(null, { name: '' });
      showError(err.message);
    }
  }

  async function addListing(files) {
    for (const f of files) {
      try {
        const text = f.text ?? await utf8(f.file);
        const { result: devices } = await call('listing', { text });
        session.listing.push({ name: f.name, text, devices });
      } catch (err) {
        showError(`${f.name} is not a Graph listing: ${err.message}`);
        return;
      }
    }
    renderListing();
    recheck();
  }

  function renderListing() {
    replace($('#listing-list'), session.listing.map((l, i) => h('li', { class: 'listing-item' },
      h('span', { class: 'listing-item__name' }, l.name),
      h('span', { class: 'badge badge--muted' }, plural(l.devices, 'device')),
      h('button', { type: 'button', class: 'btn btn--link', 'aria-label': `Remove ${l.name}`,
        onclick: () => { session.listing.splice(i, 1); renderListing(); recheck(); } }, 'Remove'))));
  }

  on('tokens', (s) => {
    const r = s.report;
    $('#load-current').hidden = !r;
    if (!r) {
      stepState('load', 'nothing loaded', false);
      if (!s.listing.length) replace($('#listing-list'));
      return;
    }
    error.hidden = true;
    stepState('load', plural(r.summary.records, 'token'), r.summary.records > 0);
    replace($('#load-current-text'), 'Loaded ', h('strong', {}, s.name),
      `: ${plural(r.summary.records, 'token')}, ${num(r.summary.invalid)} invalid${s.decrypted ? ` (${s.decrypted})` : ''}. Loading another file replaces it.`);
  });

  return {
    /** Clear everything: forget the load under way, the listing and the error. */
    clear() { job++; controller = null; error.hidden = true; setProgress(''); replace($('#listing-list')); manual.clear(); decrypt.clear(); keyMaker.clear(); pgp().then((m) => m.closePgp()); },
  };
}
