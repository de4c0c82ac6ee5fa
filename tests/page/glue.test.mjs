// www/ is DOM glue only (docs/architecture.md): the rules live in the engine and are reached
// through the TokenSet in the owner worker. This test fails when a page module grows a copy of one
// — the Graph body's markers, the key's field, JSON parsing of what the engine writes, the code
// splitting or the verify window, the engine's constants, the request catalogue in the HTML — and
// when a module outgrows one screenful of reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './harness.mjs';

const WWW = path.join(root, 'www');
const MAX_LINES = 200;

function modules(dir = WWW, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'pkg' && e.name !== 'demo') modules(p, out); } else if (e.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

// A rule the engine owns, and how a copy of it shows in JS.
const RULES = [
  ['the Graph body marker #$delta', /#\$delta/],
  ['a Graph item key @contentId', /['"]@contentId['"]\s*:/],
  ['the key field secretKey', /\bsecretKey\b/],
  ['JSON parsing of engine output (the engine returns data)', /\bJSON\.parse\s*\(/],
  ['masking a key with a regex', /secret[A-Za-z]*\s*\.replace\(/],
  ['splitting typed codes', /\bsplitCodes\b|\.split\(\/\[\\s,;\]/],
  ['the digit rule', /\/\^\\d\+\$\//],
  ['the verify window or its steps', /\bVERIFY_WINDOW\b|±\s*2\s*steps/],
  ['an engine constant', /\bDEFAULT_CHUNK\b|\bMAX_COPIES\b|\bdefaultMaxSteps\b/],
  ['slicing a request at its blank line', /indexOf\(\s*['"]\\n\\n['"]\s*\)/],
  ['sorting drift candidates', /offsetSteps\)?\s*[-<>]\s*Math\.abs|byNearest/],
];

test('no page module repeats a rule the engine owns', () => {
  const found = [];
  for (const file of modules()) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\*|\/\*\*)/.test(line)) return; // comments may name the rules they leave to the engine
      for (const [what, re] of RULES) if (re.test(line)) found.push(`${path.relative(root, file)}:${i + 1}: ${what}`);
    });
  }
  assert.deepEqual(found, []);
});

test('the HTML lists no request catalogue of its own', () => {
  const html = fs.readFileSync(path.join(WWW, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /data-for=/, 'which request needs which input is the engine\'s catalogue');
  assert.doesNotMatch(html, /<option value="create-bulk"/, 'the request kinds come from the engine');
});

test(`page modules stay under ${MAX_LINES} lines`, () => {
  const long = modules().map((f) => [path.relative(root, f), fs.readFileSync(f, 'utf8').split('\n').length]).filter(([, n]) => n > MAX_LINES);
  assert.deepEqual(long, []);
});

test('the check can fail: a planted copy of a rule is found', () => {
  const line = "const body = { '@context': '#$delta', value: [{ '@contentId': '1', secretKey: s }] };";
  const hits = RULES.filter(([, re]) => re.test(line)).map(([what]) => what);
  assert.equal(hits.length, 3, hits.join());
});
