// Leak scanner, JS side (the one JS place that extracts secrets; tests/leak_scan.rs is the Rust
// twin, with the same rules): the input files under tests/fixtures/** (found by walking the tree,
// so new fixtures are scanned with no change), the secrets of each, and a scanner that says
// (without showing it) whether a text holds one.
//
// Secrets of an input: each `secretKey` value of a JSON file (key in any case, found lexically
// so truncated JSON and duplicate keys still count) and each cell of a CSV's secret-key column,
// as written (trimmed), plus its canonical base32 form when it decodes and that form in lower
// case. Values shorter than 8 characters are ignored: `AAAA` or `JBSW` occur in ordinary text
// (base32 of zero bytes, serial numbers, words) and cannot be told apart from a leak; 8
// characters are 40 bits, which no other output holds by chance. Canonical forms are also
// searched for any 12 consecutive characters, in any case, so a half-shown key is caught too. A
// form that also stands in the input outside secret values (the same text as a serial number or a
// display name) is left out: the product may rightly print that field.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(fileURLToPath(new URL('../fixtures', import.meta.url)));
export const MIN_SECRET_CHARS = 8;
export const WINDOW = 12;

/** Every input file under tests/fixtures/**, relative to it ('valid/x.json'), sorted: all but
 *  the `*.expected.*` and `*.options.json` sidecars. */
export function fixtureInputs() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.includes('.expected.') && !e.name.endsWith('.options.json')) out.push(path.relative(FIXTURES, p));
    }
  };
  walk(FIXTURES);
  return out.map((p) => p.split(path.sep).join('/')).sort();
}

/** A fixture's `name.options.json`: {hashFunction?, listing: [relative paths of listing pages]}. */
export function sidecar(rel) {
  const file = path.join(FIXTURES, rel.replace(/\.[^./]+$/, '.options.json'));
  if (!fs.existsSync(file)) return { listing: [] };
  const o = JSON.parse(fs.readFileSync(file, 'utf8'));
  const dir = path.posix.dirname(rel);
  return { hashFunction: o.hashFunction, listing: (o.listing || []).map((p) => path.posix.normalize(`${dir}/${p}`)) };
}

/** Bytes as text: UTF-16 after a UTF-16 byte order mark, else UTF-8 (lossy, a UTF-8 BOM kept). */
export function decode(bytes) {
  const b = Buffer.from(bytes);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
}

/** The JSON string literal after a key ending at `at` (whitespace, `:`, whitespace, "…"):
 *  {literal, start, end} or null. */
function stringAfterKey(text, at) {
  const m = /^[ \t\r\n]*:[ \t\r\n]*"/.exec(text.slice(at, at + 256));
  if (!m) return null;
  const start = at + m[0].length - 1;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return { literal: text.slice(start, i + 1), start, end: i + 1 };
  }
  return null;
}

function lexicalSecretValues(text) {
  const out = [];
  const lower = text.toLowerCase();
  for (let i = lower.indexOf('"secretkey"'); i >= 0; i = lower.indexOf('"secretkey"', i + 1)) {
    const s = stringAfterKey(text, i + '"secretkey"'.length);
    if (!s) continue;
    try { out.push(JSON.parse(s.literal)); } catch { out.push(s.literal.slice(1, -1)); }
  }
  return out;
}

function parsedSecretValues(v, out) {
  if (Array.isArray(v)) v.forEach((x) => parsedSecretValues(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k.toLowerCase() === 'secretkey' && typeof x === 'string') out.push(x);
      else parsedSecretValues(x, out);
    }
  }
}

/** RFC 4180 rows (quoted cells, doubled quotes, line breaks in quotes). */
function csvRows(text, delimiter) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.some((c) => c !== ''));
}

const isSecretColumn = (cell) => cell.replace(/^\uFEFF/, '').replace(/[\s_-]/g, '').toLowerCase() === 'secretkey';

/** Excel's `sep=X` line (a byte order mark and a CR allowed). */
const isSepLine = (line) => /^\uFEFF?sep=.?\r?$/i.test(line);

function csvSecretValues(text) {
  // Excel's `sep=;` first line names the separator; the header follows it.
  const nl0 = text.indexOf('\n');
  if (nl0 >= 0 && isSepLine(text.slice(0, nl0))) text = text.slice(nl0 + 1);
  // A header is one short line naming a secret column; anything else (a 10 MB JSON line) is not
  // worth a CSV read.
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  if (first.length > 65536 || !first.toLowerCase().includes('secret')) return [];
  for (const d of [',', ';', '\t']) {
    const [header, ...rows] = csvRows(text, d);
    const col = header ? header.findIndex(isSecretColumn) : -1;
    if (col >= 0) return rows.map((r) => r[col]).filter((c) => c !== undefined);
  }
  return [];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Canonical base32 (upper case, no padding) of a secret as hwoath's lenient reader decodes it
 *  (lower case, whitespace, '-' and trailing '=' accepted; a trailing partial byte dropped), or
 *  null when it does not decode. */
export function canonicalBase32(written) {
  // The separators hwoath's reader drops (src/core/secret.rs): whitespace, '-', and the invisible
  // spaces a word processor brings along (no-break, figure, narrow, zero-width, joiners, BOM).
  const cleaned = written.replace(/[ \t\r\n\-\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff]/g, '').replace(/=+$/, '').toUpperCase();
  if (!cleaned || /[^A-Z2-7]/.test(cleaned)) return null;
  const bytes = [];
  let acc = 0;
  let bits = 0;
  for (const c of cleaned) {
    acc = (acc << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) { bytes.push((acc >> (bits - 8)) & 0xff); bits -= 8; acc &= (1 << bits) - 1; }
  }
  let out = '';
  acc = 0; bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b; bits += 8;
    while (bits >= 5) { out += ALPHABET[(acc >> (bits - 5)) & 31]; bits -= 5; acc &= (1 << bits) - 1; }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out || null;
}

/** {written: values as written (trimmed), forms: every form searched for, canonical: the
 *  canonical forms} of an input file's bytes. */
export function secretsOf(bytes) {
  const text = decode(bytes).replace(/^\uFEFF/, '');
  const written = lexicalSecretValues(text);
  try {
    const parsed = [];
    parsedSecretValues(JSON.parse(text), parsed);
    for (const p of parsed) if (!written.includes(p)) written.push(p);
  } catch { /* not JSON: the lexical pass and the CSV pass cover it */ }
  written.push(...csvSecretValues(text));
  const trimmed = written.map((w) => w.trim());
  const forms = new Set();
  const canonical = new Set();
  // Also in the input outside secret values (a serial or display name with the same text), where
  // the product may rightly print it.
  const count = (hay, s) => hay.split(s).length - 1;
  const elsewhere = (s) => count(text, s) > trimmed.filter((w) => w.includes(s)).length;
  const add = (s) => { if ([...s].length >= MIN_SECRET_CHARS && !elsewhere(s)) forms.add(s); };
  for (const w of trimmed) {
    add(w);
    const c = canonicalBase32(w);
    if (c) {
      add(c); add(c.toLowerCase());
      if (c.length >= MIN_SECRET_CHARS && !elsewhere(c)) canonical.add(c);
    }
  }
  return { written: trimmed, forms: [...forms], canonical: [...canonical] };
}

/** All but the last four characters hidden (as hwoath's own mask). */
export const mask = (s) => { const n = [...s].length; const keep = n > 8 ? 4 : 0; return [...s].map((c, i) => (i + keep < n ? '•' : c)).join(''); };

/** Cuts the value out of every `"secretKey": "…"` member of a text. */
export function stripSecretKeyValues(text) {
  let out = '';
  let from = 0;
  for (let i = text.indexOf('"secretKey"'); i >= 0; i = text.indexOf('"secretKey"', from)) {
    const keyEnd = i + '"secretKey"'.length;
    const s = stringAfterKey(text, keyEnd);
    if (s) { out += `${text.slice(from, s.start)}"<secretKey>"`; from = s.end; } else { out += text.slice(from, keyEnd); from = keyEnd; }
  }
  return out + text.slice(from);
}

/** A deep copy of a value with what may carry a secret cut out: values of `secretKey` members
 *  and `"secretKey": "…"` spans inside strings (plus the members named in `allowKeys`). */
export function withoutSecretKeys(value, allowKeys = []) {
  if (typeof value === 'string') return stripSecretKeyValues(value);
  if (Array.isArray(value)) return value.map((v) => withoutSecretKeys(v, allowKeys));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) =>
      [k, k === 'secretKey' || allowKeys.includes(k) ? (v === null ? null : '<secret>') : withoutSecretKeys(v, allowKeys)]));
  }
  return value;
}

/** A scanner for one input's secrets: `find(text)` describes (masked) the first secret found, or
 *  returns null. Whole forms, then 12-character windows of the canonical forms in any case. */
export function scanner(secrets) {
  const windows = new Map();
  secrets.canonical.forEach((c, i) => {
    if (c.length > 4096) return;
    for (let j = 0; j + WINDOW <= c.length; j++) if (!windows.has(c.slice(j, j + WINDOW))) windows.set(c.slice(j, j + WINDOW), i);
  });
  const line = (text, at) => text.slice(0, at).split('\n').length;
  return {
    find(text) {
      if (typeof text !== 'string') text = JSON.stringify(text) ?? '';
      for (const [i, s] of secrets.forms.entries()) {
        if (s.length > text.length) continue;
        const at = text.indexOf(s);
        if (at >= 0) return `secret form ${i} (${mask(s)}, ${[...s].length} chars) on line ${line(text, at)}`;
      }
      if (!windows.size) return null;
      const re = /[A-Za-z2-7]{12,}/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const run = m[0].toUpperCase();
        for (let j = 0; j + WINDOW <= run.length; j++) {
          const i = windows.get(run.slice(j, j + WINDOW));
          if (i !== undefined) {
            const c = secrets.canonical[i];
            return `${WINDOW} characters of canonical secret ${i} (${mask(c)}, ${c.length} chars) on line ${line(text, m.index)}`;
          }
        }
      }
      return null;
    },
  };
}

/** Every fixture input with at least one secret to look for: {rel, bytes, secrets, scan}. */
export function fixturesWithSecrets() {
  return fixtureInputs().map((rel) => {
    const bytes = fs.readFileSync(path.join(FIXTURES, rel));
    const secrets = secretsOf(bytes);
    return { rel, bytes, secrets, scan: scanner(secrets) };
  }).filter((f) => f.secrets.forms.length);
}

/** A Graph answer to a create in which every token ([{contentId, key}]) failed with a message
 *  echoing its key, as a careless server might: mapping it back must not show the keys. */
export const echoingAnswer = (tokens) => JSON.stringify({ value: tokens.map((t) => ({ '@contentId': t.contentId,
  error: { code: 'badRequest', message: `Invalid secretKey ${t.key} (${t.key.toLowerCase()})` } })) });
