// The owner worker's operations (www/worker.js): the TokenSet of the loaded file and the one of
// its variants. What an operation returns goes to the page; only `reveal`, `normalizedText`,
// `variantsText`, `requestText` and `requestsDocument` return a secret, each because the admin
// asked for exactly that text (Reveal, Copy, Download). Everything else is the engine's display
// form: masked keys, escaped values.

const COPY_FIELDS = new Set(['body', 'http', 'powershell', 'curl']);

export function ownerOps(api) {
  const sets = { file: null, variants: null };
  const ports = [];
  // Decrypted files from the OpenPGP worker, by the id the page gave both: the bytes, or who waits.
  const plaintexts = new Map();
  const take = (id) => new Promise((resolve) => {
    const got = plaintexts.get(id);
    if (got instanceof Uint8Array) { plaintexts.delete(id); resolve(got); } else plaintexts.set(id, resolve);
  });
  let built = null; // {build, source}: the requests on the page's screen (kept in that set)

  function set(source = 'file') {
    const s = sets[source];
    if (!s) throw new Error(source === 'variants' ? 'No variants were made for these tokens.' : 'No tokens are loaded.');
    return s;
  }
  function drop(source) {
    sets[source]?.free();
    sets[source] = null;
    if (!built || built.source === source || source === 'file') built = null;
  }
  const dropAll = () => { drop('variants'); drop('file'); };
  // Any change to the file's tokens makes its variants (made from them) and built requests stale.
  const changed = (report) => { drop('variants'); built = null; return report; };

  async function bytesOf(input) {
    if (input instanceof Blob) {
      // A file over the engine's size limit is refused before it is read into memory.
      const problem = api.inputSizeProblem(input.size);
      if (problem) throw new Error(problem);
      return new Uint8Array(await input.arrayBuffer());
    }
    if (input instanceof Uint8Array) return input;
    throw new Error('Nothing to read.');
  }

  return {
    connect(slot, port) { ports[slot] = port; },
    connectPgp(port) {
      port.onmessage = ({ data: { id, plaintext } }) => {
        const waiting = plaintexts.get(id);
        if (typeof waiting === 'function') { plaintexts.delete(id); waiting(plaintext); } else plaintexts.set(id, plaintext);
      };
    },
    /** Opens the file the OpenPGP worker decrypted under `id` (it never reached the page). */
    async openDecrypted({ id, options }) {
      dropAll();
      const bytes = await take(id);
      try { sets.file = api.TokenSet.open(bytes, options); } finally { bytes.fill(0); }
      return sets.file.report();
    },
    facts: () => api.engineFacts(),
    async open({ input, options }) {
      dropAll();
      if (typeof input === 'string') sets.file = api.TokenSet.open(input, options);
      else {
        const bytes = await bytesOf(input);
        try { sets.file = api.TokenSet.open(bytes, options); } finally { bytes.fill(0); }
      }
      return sets.file.report();
    },
    fields({ fields }) { dropAll(); sets.file = api.TokenSet.fromFields(fields); return sets.file.report(); },
    options: ({ options }) => changed(set().setOptions(options)),
    report: () => set().report(),
    edit: ({ row, patch }) => changed(set().edit(row, patch)),
    remove: ({ row }) => changed(set().remove(row)),
    restore: ({ row }) => changed(set().restore(row)),
    // What the Check step shows; the JSON itself is written on Copy or Download.
    normalized: ({ skipInvalid }) => set().normalizedStatus({ skipInvalid }),
    normalizedText: ({ skipInvalid }) => set().normalized({ skipInvalid }).json,
    variants({ options }) {
      drop('variants');
      const { set: made, ...shown } = set().vary(options);
      sets.variants = made;
      return shown;
    },
    variantsText: () => set('variants').normalized().json,
    requests({ source, options }) {
      built = null;
      const prepared = set(source).prepare(options);
      built = { build: prepared.build, source };
      return prepared;
    },
    // The set says when a build is out of date (built again, edited); a text is rendered now.
    requestText({ build, index, what }) {
      if (!COPY_FIELDS.has(what)) throw new Error('There is no such text.');
      return set(built?.source).requestText(build, index, what);
    },
    // A later request's masked body, for display (prepare sends the first ones' only).
    bodyShown: ({ build, index }) => set(built?.source).requestText(build, index, 'bodyMasked'),
    requestsDocument: ({ build, format }) => set(built?.source).preparedDocument(build, format),
    reconcile: ({ source, response, options }) => set(source).reconcile(response, options),
    resolveUsers: ({ source, answers, user }) => set(source).resolveUsers(answers, user ?? null),
    codes: ({ source, time, rows }) => set(source).codes(time, rows),
    verify: ({ source, row, typed, time }) => set(source).verify(row, typed, time),
    scan({ source, row, typed, time, parts }) {
      for (const p of parts) {
        const bytes = set(source).exportRecord(row);
        ports[p.slot].postMessage({ id: p.id, bytes, typed, time, range: p.range }, [bytes.buffer]);
      }
      return parts.length;
    },
    mergeDrift: ({ parts, period }) => api.TokenSet.mergeDrift(parts, period),
    reveal: ({ source, row }) => set(source).reveal(row),
    sheet: ({ source }) => set(source).sheet(),
    inspect: ({ text }) => api.inspectSecret(text),
    listing: ({ text }) => api.parseListing(text).length,
    close() {
      dropAll();
      for (const v of plaintexts.values()) if (v instanceof Uint8Array) v.fill(0);
      plaintexts.clear();
      return null;
    },
  };
}
