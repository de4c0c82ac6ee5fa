// What the page is working on, shared by the three steps. The tokens themselves (and every key)
// are in the owner worker; this holds only what the page shows: the engine's report (masked
// rows), the tenant listing pages (no secret), the options, and which tokens the Send step builds
// for. Views subscribe to the topics that make their results stale (js/results.js):
//   'tokens'   the loaded tokens changed: a load began or ended, an edit, new options, Clear
//   'variants' variants were made or dropped        'source' the Send step's tokens changed
import { call } from './workers.js';

const initial = () => ({
  /** Bumped by every change of the loaded tokens; a result computed for an older one is stale. */
  version: 0,
  name: '',
  /** The engine's TokenSetReport, or null (nothing loaded, or a load under way). */
  report: null,
  /** ms the last validation took (in the worker, and in all). */
  timing: null,
  /** For a decrypted file: how it was decrypted, when it was encrypted, its signatures (text). */
  decrypted: null,
  /** Default hash for records that state none ('' = Graph's default, hmacsha1). */
  hashFunction: '',
  /** Pages of the tenant's device listing: [{name, text, devices}]. */
  listing: [],
  /** The variants made from this version: {count, options, list} or null. */
  variants: null,
  /** Which tokens the Send step builds requests for: 'file' or 'variants'. */
  source: 'file',
});

/** @type {ReturnType<typeof initial>} */
export const session = initial();
/** The engine's constants and request catalogue (engineFacts), read once at start. */
export const facts = {};

const topics = new Map();
/** Calls fn(session) after every change of `topic`. */
export function on(topic, fn) {
  if (!topics.has(topic)) topics.set(topic, new Set());
  topics.get(topic).add(fn);
}
function emit(...names) {
  for (const name of names) for (const fn of topics.get(name) ?? []) fn(session);
}

/** The options the engine reads a token file with. */
export function fileOptions() {
  const o = { listing: session.listing.map((l) => l.text) };
  if (session.hashFunction) o.hashFunction = session.hashFunction;
  return o;
}

/** The loaded tokens are now `report` (null: none, or being replaced). Every result made from the
 *  previous ones is stale: the variants go, the Send step goes back to the file. */
export function setTokens(report, { name = session.name, timing = null, decrypted } = {}) {
  session.version++;
  // An edit keeps what is known of the file; a new file brings its own (or none).
  if (decrypted !== undefined || !report) session.decrypted = decrypted ?? null;
  session.report = report;
  session.name = report || name ? name : '';
  session.timing = timing;
  session.variants = null;
  session.source = 'file';
  emit('tokens', 'variants', 'source');
}

export function setVariants(variants) {
  session.variants = variants;
  if (!variants) session.source = 'file';
  emit('variants', 'source');
}

export function setSource(source) {
  session.source = source === 'variants' && session.variants ? 'variants' : 'file';
  emit('source');
}

/** Applies an edit's answer (the engine re-checked the whole set). */
export async function change(op, args) {
  const { result } = await call(op, args);
  setTokens(result, { name: session.name, timing: session.timing });
  return result;
}

/** True when tokens are loaded and none is invalid (what variants and requests need). */
export const usable = () => Boolean(session.report && session.report.summary.valid > 0 && session.report.summary.invalid === 0);

/** Back to the start (Clear everything); every listener hears 'tokens' with nothing loaded. */
export function resetSession() {
  Object.assign(session, initial(), { version: session.version + 1 });
  emit('tokens', 'variants', 'source');
}
