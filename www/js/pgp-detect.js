// Whether a file may be an OpenPGP message, without loading the OpenPGP module (js/pgp.js is
// imported only when this says "maybe", or when the key maker is used).

/** A cheap first look, without loading the module: false means "certainly not an OpenPGP
 *  message" (no armor line `-----BEGIN PGP MESSAGE-----`, and a first byte that is no packet
 *  header a message starts with). True means "maybe": the Load step then starts the module and
 *  asks `isOpenPgpMessage`, which decides by the full rule (crates/hwoath-pgp/src/detect.rs). A
 *  token file (UTF-8 JSON or CSV) is always false here, so the module is never loaded for one. */
export function looksLikeOpenPgp(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return false;
  const b = bytes[0];
  if (b & 0x80) {
    const tag = b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
    if ([1, 2, 3, 4, 8, 9, 10, 11, 18, 20].includes(tag)) return true;
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024));
  return /(^|[\r\n])[ \t]*-----BEGIN PGP MESSAGE-----/.test(head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''));
}
