// The token file the page is working on, shared by the Token file, Variants and Graph panels.
// Listeners are called with the new state whenever a file is loaded, re-read or cleared.

const listeners = new Set();

/** @type {{name: string, text: string, hashFunction: string, listing: {name: string, text: string, devices: number}[],
 *          parsed: import('../pkg/hwoath.js').ParsedTokens | null}} */
export const state = {
  name: '',
  text: '',
  hashFunction: '', // '' = Graph's default (hmacsha1), reported as such
  listing: [],
  parsed: null,
  /** The last variants made for this file: {json, count, copies} or null. */
  variants: null,
  /** Which tokens the Graph panel builds requests for: 'file' or 'variants'. */
  graphSource: 'file',
};

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

/** True when a file is loaded and has no invalid record (what variants and requests need). */
export const usable = () => Boolean(state.parsed && state.parsed.report.records > 0 && state.parsed.report.invalid === 0);
