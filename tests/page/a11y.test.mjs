// Accessibility in Debian Chromium: axe-core (from npm, tools/node_modules/axe-core, pinned in
// wasm-pack.toml) on each step of the flow, in the light and the dark theme, with no serious or
// critical violation; and the screenshots of each step in both themes (test-results/screenshots,
// and docs/screenshots for the README when HWOATH_SCREENSHOTS=1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, root, screenshot, goStep, dropFile, secretsOf, cli, awayFromStepEdge } from './harness.mjs';

const AXE = fs.readFileSync(path.join(root, 'tools/node_modules/axe-core/axe.min.js'), 'utf8');
const FILE = path.join(root, 'tests/fixtures/page/token2-20.json');
const DOC = JSON.parse(fs.readFileSync(FILE, 'utf8'));

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** Runs axe on the page as it is; returns the serious and critical violations, readable. */
async function axe(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`) })));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds no serious violation on any step (${scheme}); screenshots of each step`, async () => {
    const { page, assertClean } = await env.open({ colorScheme: scheme, permissions: ['clipboard-read', 'clipboard-write'] });
    const report = {};
    report['empty load'] = await axe(page);
    await screenshot(page, `step-1-load-${scheme}`, { docs: true });
    await goStep(page, 'check');
    report['empty check'] = await axe(page);
    await goStep(page, 'send');
    report['empty send'] = await axe(page);

    // Load the realistic file; on Check: reveal one secret, verify a code (a planted drift).
    await goStep(page, 'load');
    await dropFile(page, '#token-drop', path.basename(FILE), fs.readFileSync(FILE));
    await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden]):not([data-busy])');
    const t = DOC.value[2];
    await page.click(`#token-table button[aria-label="Verify a code from device ${t.serialNumber}"]`);
    await awayFromStepEdge(page, 30, 6);
    const now = Math.floor(await page.evaluate(() => Date.now() / 1000));
    await page.fill('#verify-2-codes', cli(['totp', '--secret', t.secretKey, '--time', String(now - 90)]).trim());
    await page.press('#verify-2-codes', 'Enter');
    await page.waitForSelector('#verify-2-result[data-offset-steps]', { timeout: 30000 });
    await page.click('#variants-make');
    await page.waitForSelector('#variants-results:not([hidden])');
    report['check'] = await axe(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `step-2-check-${scheme}`, { docs: true });

    await page.click('#to-send');
    await page.fill('#graph-chunk', '8');
    await page.waitForFunction(() => document.querySelectorAll('#graph-requests > li').length === 3);
    await page.click('#graph-requests > li[data-index="0"] [data-copy="body"]');
    report['send'] = await axe(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `step-3-send-${scheme}`, { docs: true });

    await page.click('#clear-all');
    report['clear dialog'] = await axe(page);
    await page.click('#clear-cancel');

    for (const [where, v] of Object.entries(report)) assert.deepEqual(v, [], `${scheme}, ${where}: ${JSON.stringify(v, null, 1)}`);
    assertClean(secretsOf(FILE));
  });
}

test('axe runs in the page and reports a planted violation (so a clean report means something)', async () => {
  const { page, assertClean } = await env.open();
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'planted';
    document.querySelector('#step-load').append(b); // a button without a name
  });
  const v = await axe(page);
  assert.ok(v.some((x) => x.id === 'button-name' && x.nodes.some((n) => n.startsWith('#planted'))), JSON.stringify(v));
  const minor = await page.evaluate(async () => (await window.axe.run(document)).passes.length);
  assert.ok(minor > 20, `axe checked ${minor} rules`);
  assertClean();
});

test('the print preview of the end-user sheet (screenshot)', async () => {
  const { page, assertClean } = await env.open();
  await dropFile(page, '#token-drop', path.basename(FILE), fs.readFileSync(FILE));
  await page.waitForSelector('#step-check:not([hidden]) #file-results:not([hidden]):not([data-busy])');
  await goStep(page, 'send');
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.$$eval('#print-sheet .sheet-block', (b) => b.length), DOC.value.length);
  assert.match(await page.textContent('#print-sheet .sheet-block'), new RegExp(`${DOC.value[0].displayName}`));
  await screenshot(page, 'step-3-send-print-sheet', { docs: true });
  assertClean(secretsOf(FILE));
});
