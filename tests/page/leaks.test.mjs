// Leak scanner, page side (Debian Chromium): every input under tests/fixtures/** is loaded into
// the page as a user would (the file input), and once the page has processed it the visible text
// (document.body.innerText, where secrets are masked by default), the whole DOM (text and
// attributes, hidden parts included), every input/textarea value except password fields and the
// pasted Graph answer, the URL, title, local and session storage, the console and page errors
// (the module workers' console included) are searched for the file's secrets (rules in
// secrets.mjs). For files the page accepts, the Variants and Graph requests views (bodies masked
// by default) and a reconciled Graph answer that echoes every key are searched too.
//
// UI changes: `loadFile` is the one place that knows how a file gets into the page and when it is
// processed; `otherViews` the one that knows the other views. Adapt those two, nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, goStep } from './harness.mjs';
import { FIXTURES, fixturesWithSecrets, secretsOf, scanner, echoingAnswer } from './secrets.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/**
 * Loads a file (its exact bytes) into the page as a user picking it would, and waits until the
 * page has processed it. Returns 'table' (records shown) or 'error' (the page says why it cannot
 * use the file). `name` must be unique per call so the wait cannot see the previous file.
 */
async function loadFile(page, name, bytes) {
  await goStep(page, 'load');
  await page.locator('#token-file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const handle = await page.waitForFunction((n) => {
    const results = document.querySelector('#file-results');
    if (!results.hidden && !results.dataset.busy && document.querySelector('#file-meta strong')?.textContent === n) return 'table';
    const error = document.querySelector('#file-error');
    if (!error.hidden && (error.dataset.file === n || error.textContent.includes(n))) return 'error';
    return false;
  }, name, { timeout: 60000 });
  return handle.jsonValue();
}

/**
 * The other views of a file the page accepted, each as a label and a function that shows it and
 * resolves once it is drawn: variants made, the Graph requests (bulk create, bodies masked) and
 * the mapping of a pasted Graph answer (`answer`, which echoes every key) back to the tokens.
 * Each resolves to false when the view is not offered for this file (one with invalid records).
 */
function otherViews(page, answer) {
  return [
    ['variants', async () => {
      await goStep(page, 'check');
      if (await page.isHidden('#variants-body')) return false;
      await page.click('#variants-make');
      await page.waitForSelector('#variants-results:not([hidden]), #variants-error:not([hidden])');
      return true;
    }],
    ['graph requests', async () => {
      await goStep(page, 'send');
      if (await page.isHidden('#graph-body')) return false;
      await page.waitForSelector('#graph-output[data-state="ok"], #graph-output[data-state="error"]');
      return true;
    }],
    ['graph answer', async () => {
      if (await page.isHidden('#graph-body')) return false;
      await page.fill('#response-text', answer);
      await page.click('#reconcile-btn');
      await page.waitForSelector('#reconcile-output[data-state="ok"], #reconcile-output[data-state="error"]');
      return true;
    }],
  ];
}

/** Inputs whose value is a secret on purpose: password fields, and the pasted Graph answer. */
const DELIBERATE = ['#response-text'];

/** Everything the page shows or holds, as [where, text]. */
async function pageTexts(page) {
  return page.evaluate((deliberate) => {
    const skip = new Set(deliberate.flatMap((s) => [...document.querySelectorAll(s)]));
    const fields = [...document.querySelectorAll('input, textarea, select')]
      .filter((el) => el.type !== 'password' && !skip.has(el))
      .map((el) => `${el.id || el.name || el.tagName}=${el.value}`);
    // The DOM with the deliberate fields' own content left out (a textarea's text is its value).
    const clone = document.body.cloneNode(true);
    for (const el of clone.querySelectorAll(deliberate.join(','))) el.textContent = '';
    const storage = [localStorage, sessionStorage].flatMap((st) => Object.keys(st).map((k) => `${k}=${st.getItem(k)}`));
    return [['innerText', document.body.innerText], ['DOM', clone.outerHTML], ['fields', fields.join('\n')],
      ['URL, title and storage', [location.href, document.title, ...storage].join('\n')]];
  }, DELIBERATE);
}

test('no fixture\'s secret shows in the page text, DOM, fields, console or errors', async () => {
  const t0 = performance.now();
  const { page, console: consoleLines, errors } = await env.open({ hash: '#load' });
  const findings = [];
  const fixtures = fixturesWithSecrets();
  const scanned = fixtures.length;
  let tables = 0;
  let views = 0;
  for (const { rel, bytes, secrets, scan } of fixtures) {
    const seen = { console: consoleLines.length, errors: errors.length };
    const name = `${rel.replace(/\//g, '__')}`;
    const check = async (view) => {
      for (const [where, text] of await pageTexts(page)) {
        const what = scan.find(text);
        if (what) findings.push(`${rel}: ${view} ${where}: ${what}`);
      }
    };
    const shown = await loadFile(page, name, bytes);
    await check(`loaded (${shown})`);
    if (shown === 'table') {
      tables++;
      for (const [label, show] of otherViews(page, echoingAnswer(secrets.canonical.map((key, i) => ({ contentId: String(i + 1), key }))))) {
        if (!(await show())) continue;
        views++;
        await check(label);
      }
    }
    const logged = [...consoleLines.slice(seen.console).map((m) => `${m.type}: ${m.text}`), ...errors.slice(seen.errors)];
    const what = scan.find(logged.join('\n'));
    if (what) findings.push(`${rel}: console/page errors: ${what}`);
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`page leak scan: ${scanned} fixtures with secrets (${tables} shown as a table, ${views} other views) in ${s} s`);
  assert.ok(scanned >= 50, `only ${scanned} fixtures had secrets to look for`);
  assert.ok(tables >= 30, `only ${tables} fixtures reached the table`);
  assert.ok(views >= 3 * 30, `only ${views} other views were shown`);
  assert.deepEqual(findings, []);
});

test('the page scan can fail: a revealed secret is found in the text and the DOM', async () => {
  const { page } = await env.open({ hash: '#load' });
  const rel = 'valid/ms_bulk_example.json';
  const bytes = fs.readFileSync(path.join(FIXTURES, rel));
  const scan = scanner(secretsOf(bytes));
  assert.equal(await loadFile(page, 'reveal-check.json', bytes), 'table');
  for (const [where, text] of await pageTexts(page)) assert.equal(scan.find(text), null, where);
  await page.getByRole('button', { name: /^Reveal the secret of/ }).first().click();
  const found = Object.fromEntries((await pageTexts(page)).map(([where, text]) => [where, scan.find(text)]));
  assert.ok(found.innerText && found.DOM, 'the revealed secret is found');
});
