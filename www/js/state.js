// The tokens the page is working on, shared by the three steps (Load, Check, Send).
// Listeners are called with the new state whenever a file is loaded, re-read or cleared.
// "Clear everything" calls every `onClear` handler: each module forgets what it holds.

const listeners = new Set();
const clearers = [];

const initial = () => ({
  name: '',
  text: '',
  hashFunction: '', // '' = Graph's default (hmacsha1), reported as such
  /** @type {{name: string, text: string, devices: number}[]} */
  listing: [],
  /** @type {import('../pkg/hwoath.js').ParsedTokens | null} */
  parsed: null,
  /** The last variants made for this file: {json, count, copies, variants} or null. */
  variants: null,
  /** Which tokens the Send step builds requests for: 'file' or 'variants'. */
  graphSource: 'file',
  /** Display name and user of each record (from the normalised JSON), for the end-user sheet. */
  people: [],
});

/** @type {ReturnType<typeof initial>} */
export const state = initial();

/** Options for the token-file API calls (hash for CSV rows, listing pages). */
export function fileOptions() {
  const o = { listing: state.listing.map((l) => l.text) };
  if (state.hashFunction) o.hashFunction = state.hashFunction;
  return o;
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function update(patch) {
  Object.assign(state, patch);
  for (const fn of listeners) fn(state);
}

/** Registers what a module does on "Clear everything" (forget its data, empty its DOM). */
export function onClear(fn) { clearers.push(fn); }

/** Empties the state (every field back to its initial value), tells the listeners, then runs
 *  every clear handler. */
export function clearState() {
  for (const k of Object.keys(state)) delete state[k];
  update(initial());
  for (const fn of clearers) fn();
}

/** True when tokens are loaded and none is invalid (what variants and requests need). */
export const usable = () => Boolean(state.parsed && state.parsed.report.records > 0 && state.parsed.report.invalid === 0);
