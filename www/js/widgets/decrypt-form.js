// Load step, "This file is encrypted": asks for the private key (a file or pasted; not needed for
// a password-only message) and the passphrase, optionally the vendor's public key to check the
// signature, and has the OpenPGP worker decrypt the file straight into the owner worker (the
// plaintext never reaches this thread). A refusal (wrong key or passphrase, no integrity
// protection, a bad signature…) replaces whatever was shown, with its PGP code.
import { h, $, replace } from '../dom.js';
// The OpenPGP loader comes on first use (it is not part of the page's first load).
const pgp = async () => (await import('../pgp.js')).openPgp();
import { resultView } from '../results.js';

let ids = 0;

export function mountDecrypt(open) {
  const form = $('#decrypt-form');
  const about = $('#decrypt-about');
  const keyField = $('#decrypt-key-field');
  const keyFile = $('#decrypt-key-file');
  const keyText = $('#decrypt-key-text');
  const pass = $('#decrypt-passphrase');
  const senderFile = $('#decrypt-sender-file');
  const senderText = $('#decrypt-sender-text');
  const submit = form.querySelector('button[type="submit"]');
  const view = resultView($('#decrypt-result')).dependsOn(keyFile, keyText, pass, senderFile, senderText);
  let pending = null; // {name, input}: the encrypted file waiting for its key
  let asked = 0;

  // Every box goes back to empty, the chosen key files too: nothing given for one file is used
  // for the next without being seen.
  function hide() { pending = null; form.hidden = true; view.clear(); for (const el of [pass, keyText, senderText, keyFile, senderFile]) el.value = ''; }

  async function ask(name, input) {
    const my = ++asked;
    pending = { name, input };
    form.hidden = false;
    view.clear();
    replace(about, h('strong', {}, name), ' is an OpenPGP message: it is decrypted here, in memory, and never written anywhere.');
    try {
      const m = await (await pgp()).inspectMessage(input);
      if (my !== asked) return;
      const forKeys = m.recipients.length > 0;
      keyField.hidden = !forKeys;
      about.append(' ', forKeys
        ? `It is encrypted to the key${m.recipients.length > 1 ? 's' : ''} ${m.recipients.join(', ')}: give that private key and its passphrase.`
        : 'It is encrypted with a password only: give that password.');
      (forKeys ? keyFile : pass).focus();
    } catch (err) {
      if (my === asked) view.error(h('p', {}, err.code ? `${err.code}: ${err.message}` : err.message));
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!pending) return;
    const current = view.begin();
    const id = `pgp-${++ids}`;
    const options = { passphrase: pass.value, now: Date.now() / 1000 };
    if (!keyField.hidden) options.privateKey = keyFile.files[0] ?? keyText.value;
    const sender = senderFile.files[0] ?? (senderText.value.trim() ? senderText.value : null);
    if (sender) options.verifyWith = sender;
    // The typed secrets leave the boxes as soon as they are handed over.
    pass.value = '';
    keyText.value = '';
    submit.disabled = true;
    view.busy(h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Decrypting…'));
    try {
      const info = await (await pgp()).decryptInto(pending.input, options, id);
      if (!current()) return;
      const { name } = pending;
      hide();
      await open(name, id, info);
    } catch (err) {
      if (current()) view.error(h('p', { class: 'result__headline' }, 'Not decrypted'), h('p', {}, err.code ? `${err.code}: ${err.message}` : err.message));
    } finally {
      submit.disabled = false;
    }
  });
  $('#decrypt-cancel').addEventListener('click', () => hide());

  return { ask, clear() { asked++; hide(); } };
}

/** "Decrypted with key 1A2B 3C4D …, encrypted 2026-11-30 14:02 UTC; signed by …" for the views. */
export function decryptedText(info) {
  const when = info.date ? `, encrypted ${new Date(info.date * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  const how = info.decryptedWith.kind === 'key' ? `decrypted with key ${info.decryptedWith.fingerprintGroups}` : 'decrypted with its password';
  const sigs = info.signatures.map((s) => (s.status === 'valid'
    ? `signed by ${s.signerFingerprintGroups} (signature checked)`
    : `signed, but the signature was not checked: ${s.reason}`));
  return [`${how}${when}`, ...sigs].join('; ');
}
