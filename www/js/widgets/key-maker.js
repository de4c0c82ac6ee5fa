// Load step, "Make a key for your order": an OpenPGP key to send the vendor with the order
// (Ed25519 with a Curve25519 encryption subkey, or RSA-3072 for vendors whose tools lack ECC),
// made by the OpenPGP worker from the name, e-mail and passphrase typed here. The public key is
// shown with its fingerprint in groups of four (to read out on the phone) and can be copied or
// downloaded; the private key stays in the worker until the admin asks for its download. A weak
// passphrase is refused, with the engine's reason, unless the admin says to use it anyway. The
// key shown is bound to what it was made from: a change to the form drops it.
import { h, $, copyText, download } from '../dom.js';
// The OpenPGP loader comes on first use (it is not part of the page's first load).
const pgp = async () => (await import('../pgp.js')).openPgp();
import { resultView } from '../results.js';

export function mountKeyMaker() {
  const form = $('#key-form');
  const name = $('#key-name');
  const email = $('#key-email');
  const algo = $('#key-algorithm');
  const pass = $('#key-passphrase');
  const again = $('#key-passphrase-again');
  const weak = $('#key-allow-weak');
  const hint = $('#key-passphrase-check');
  const make = form.querySelector('button[type="submit"]');
  const view = resultView($('#key-result')).dependsOn(name, email, algo, pass, again, weak);
  let checked = 0;

  async function check() {
    const my = ++checked;
    if (!pass.value) { hint.textContent = ''; return; }
    const c = await (await pgp()).checkPassphrase(pass.value, { name: name.value, email: email.value });
    if (my !== checked) return;
    hint.textContent = c.ok ? 'A strong enough passphrase.' : `Too weak: ${c.reason}`;
    hint.dataset.ok = String(c.ok);
  }
  pass.addEventListener('input', check);

  function show(key) {
    const pub = h('pre', { class: 'code-block', tabindex: '0', 'aria-label': 'Public key' }, key.publicKey);
    const copy = h('button', { type: 'button', class: 'btn', onclick: (e) => copyText(key.publicKey, e.currentTarget) }, 'Copy public key');
    const savePublic = h('button', { type: 'button', class: 'btn btn--primary', 'data-download': 'public-key',
      onclick: () => download(key.publicKeyFileName, key.publicKey, 'application/pgp-keys') }, `Download ${key.publicKeyFileName}`);
    const savePrivate = h('button', { type: 'button', class: 'btn', 'data-download': 'private-key',
      onclick: async () => download(key.privateKeyFileName, await (await pgp()).privateKey(key.fingerprint), 'application/pgp-keys') },
    `Download the private key (${key.privateKeyFileName})`);
    view.ok('ok',
      h('p', { class: 'result__headline' }, 'Your key is ready'),
      h('p', {}, 'Fingerprint (read it out when the vendor asks): ', h('strong', { class: 'mono fingerprint', 'data-fingerprint': key.fingerprint }, key.fingerprintGroups)),
      h('p', { class: 'help' }, `${key.userId} · ${key.algorithm === 'rsa3072' ? 'RSA-3072' : 'Ed25519 + Curve25519'} · send the public key with your order.`),
      pub,
      h('div', { class: 'request__actions' }, copy, savePublic),
      h('div', { class: 'warning-box' },
        h('p', {}, h('strong', {}, 'The private key opens every seed file sent to this key. '),
          'Download it only to keep it offline (a USB stick in a safe, not a shared drive or e-mail); it is protected by your passphrase. It is not written anywhere unless you download it, and Clear everything drops it.'),
        savePrivate));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const current = view.begin();
    if (pass.value !== again.value) { view.error(h('p', {}, 'The two passphrases differ: type the same one twice.')); again.focus(); return; }
    make.disabled = true;
    view.busy(h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), algo.value === 'rsa3072' ? 'Making an RSA-3072 key (this takes several seconds)…' : 'Making the key…'));
    try {
      const key = await (await pgp()).generateKey({ name: name.value, email: email.value, passphrase: pass.value,
        algorithm: algo.value, created: Math.floor(Date.now() / 1000), allowWeakPassphrase: weak.checked });
      if (current()) show(key);
    } catch (err) {
      if (current()) view.error(h('p', { class: 'result__headline' }, 'No key was made'), h('p', {}, err.code ? `${err.code}: ${err.message}` : err.message));
    } finally {
      make.disabled = false;
      // The passphrase stays in the worker's key only.
      pass.value = '';
      again.value = '';
      hint.textContent = '';
    }
  });

  return { clear() { checked++; view.clear(); hint.textContent = ''; } };
}
