// Codes and drift in Debian Chromium: a token typed by hand gets the CLI's live code, "verify a
// code" reports a planted drift with its sign and Entra's verdict, a scan can be cancelled, secret
// problems are shown by position, and nothing leaves the page's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, CSP, root, screenshot, awayFromStepEdge, goStep } from './harness.mjs';

const DEMO = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('the page declares the server\'s no-network CSP in its meta tag', async () => {
  const html = fs.readFileSync(path.join(root, 'www', 'index.html'), 'utf8');
  const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(meta, 'index.html has a CSP meta tag');
  // frame-ancestors is ignored (with a console error) in a <meta>; the server header carries it.
  const expected = CSP.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
  assert.equal(meta[1], expected);
  const res = await fetch(env.server.url);
  assert.equal(res.headers.get('content-security-policy'), CSP);
});

/** Loads one token by hand (Load step) and waits for its row in Check. */
async function byHand(page, { secret = DEMO, serial = 'HAND-0001', hash = 'hmacsha1', period = '30' } = {}) {
  await goStep(page, 'load');
  await page.fill('#manual-secret', secret);
  await page.fill('#manual-serial', serial);
  await page.selectOption('#manual-hash', hash);
  await page.selectOption('#manual-period', period);
  await page.click('#manual-form button[type="submit"]');
  await page.waitForSelector('#step-check:not([hidden]) #token-table tr[data-record="0"] .live-code[data-code]');
}

const liveOf = (page) => page.$eval('#token-table tr[data-record="0"] .live-code', (el) => ({
  code: el.dataset.code, time: el.dataset.time, shown: el.querySelector('.live-code__code').textContent,
  meta: el.querySelector('.live-code__meta').textContent,
}));

test('a token typed by hand: its live code equals the CLI code for the time it was computed for', async () => {
  const { page, assertClean } = await env.open();
  await byHand(page);
  assert.equal(await page.inputValue('#manual-secret'), '', 'the typed secret does not stay in the form');
  assert.match(await page.textContent('#file-meta'), /token HAND-0001 \(typed by hand\)/);
  assert.match(await page.textContent('#variants-context'), /^1 token in token HAND-0001/, 'one token, singular');
  for (let i = 0; i < 2; i++) {
    const { code, time, shown, meta } = await liveOf(page);
    assert.match(time, /^\d+$/);
    assert.ok(Math.abs(Number(time) - Date.now() / 1000) < 5, 'the code is for the current time');
    assert.equal(code, cli(['totp', '--secret', DEMO, '--time', time]).trim());
    assert.equal(shown.replace(/\s/g, ''), code, 'the displayed digits are the code');
    assert.match(meta, /^\d+ s left$/);
    await page.waitForTimeout(1100);
  }
  // The same for SHA-256 and 60 s.
  await byHand(page, { hash: 'hmacsha256', period: '60', serial: 'HAND-0002' });
  const o = await liveOf(page);
  assert.equal(o.code, cli(['totp', '--secret', DEMO, '--hash', 'sha256', '--period', '60', '--time', o.time]).trim());
  assert.match(await page.textContent('#token-table tr[data-record="0"]'), /SHA-256.*60 s/);
  await screenshot(page, 'check-by-hand');
  assertClean([DEMO]);
});

/** Types `code` in the row's "verify a code" form and waits for the result. */
async function check(page, code, record = 0) {
  const button = `#token-table tr[data-record="${record}"] button[aria-expanded]`;
  if (await page.getAttribute(button, 'aria-expanded') !== 'true') await page.click(button);
  await page.fill(`#verify-${record}-codes`, code);
  await page.click(`#verify-row-${record} button[type="submit"]`);
  await page.waitForSelector(`#verify-${record}-result[data-offset-steps], #verify-${record}-result.result--error`, { timeout: 30000 });
  return page.$eval(`#verify-${record}-result`, (el) => ({
    steps: el.dataset.offsetSteps, seconds: el.dataset.offsetSeconds, text: el.textContent, cls: el.className,
  }));
}

test('verify a code: a device 90 s behind is −3 steps / −90 s (drift scan); +1 step is a plain match', async () => {
  const { page, assertClean } = await env.open();
  await byHand(page);
  await awayFromStepEdge(page);
  const t = Math.floor(Date.now() / 1000);
  const behind = cli(['totp', '--secret', DEMO, '--time', String(t - 90)]).trim();
  const r = await check(page, behind);
  assert.equal(r.steps, '-3');
  assert.equal(r.seconds, '-90');
  assert.match(r.text, /\u22123 steps · \u221290 s/);
  assert.match(r.text, /1 min 30 s behind/);
  assert.match(r.text, /Found by scanning [\d,]+ steps/);
  assert.match(r.text, /✓ Inside: Sign-in window|✗ Outside: Sign-in window/, 'the verdict is in text, not colour alone');
  await screenshot(page, 'check-drift');

  // Within ±2 steps it is a plain match with its signed offset (verifyCode, no scan).
  await awayFromStepEdge(page);
  const ahead = cli(['totp', '--secret', DEMO, '--time', String(Math.floor(Date.now() / 1000) + 30)]).trim();
  const m = await check(page, ahead);
  assert.equal(m.steps, '1');
  assert.equal(m.seconds, '30');
  assert.match(m.text, /\+1 step · \+30 s/);
  assert.doesNotMatch(m.text, /scanning/);

  // Two consecutive codes 10 minutes ahead pin the drift down to one candidate.
  await awayFromStepEdge(page);
  const now = Math.floor(Date.now() / 1000);
  const seq = [now + 570, now + 600].map((x) => cli(['totp', '--secret', DEMO, '--time', String(x)]).trim());
  const s = await check(page, seq.join(' '));
  assert.equal(s.steps, '20');
  assert.equal(s.seconds, '600');
  assert.match(s.text, /10 min ahead/);
  assert.doesNotMatch(s.text, /other offsets? also match/);
  assertClean([DEMO]);
});

test('a running drift scan can be cancelled; the next scan runs on fresh workers', async () => {
  const { page, assertClean } = await env.open();
  await byHand(page);
  await page.click('#token-table tr[data-record="0"] button[aria-expanded]');
  await page.fill('#verify-0-codes', '000000 000000 000000');
  // Submit; once the scan runs (Cancel is offered, the verdict is busy), press Cancel.
  await page.click('#verify-row-0 button[type="submit"]');
  await page.waitForSelector('#verify-row-0 form button:has-text("Cancel")');
  assert.equal(await page.getAttribute('#verify-0-result', 'data-state'), 'busy', 'Cancel is offered while scanning');
  await page.click('#verify-row-0 form button:has-text("Cancel")');
  await page.waitForFunction(() => /Scan cancelled/.test(document.querySelector('#verify-0-result').textContent));
  // The page's scan: aborted, it rejects with an AbortError well before it could finish.
  const aborted = await page.evaluate(async () => {
    const { scanDrift } = await import('./js/workers.js');
    const c = new AbortController();
    const t0 = performance.now();
    const p = scanDrift({ source: 'file', row: 0, typed: '000000', time: 1_700_000_000, period: 30, range: { fromSteps: -10_000_000, toSteps: 10_000_000 } }, { signal: c.signal });
    setTimeout(() => c.abort(), 100);
    try { await p; return { name: 'resolved' }; } catch (e) { return { name: e.name, ms: performance.now() - t0 }; }
  });
  assert.equal(aborted.name, 'AbortError');
  assert.ok(aborted.ms < 2000, `cancelled after ${aborted.ms} ms`);
  await awayFromStepEdge(page);
  const behind = cli(['totp', '--secret', DEMO, '--time', String(Math.floor(Date.now() / 1000) - 150)]).trim();
  const r = await check(page, behind);
  assert.equal(r.steps, '-5');
  assertClean([DEMO]);
});

test('secret problems are listed with their positions and the secret stays masked', async () => {
  const { page, assertClean } = await env.open({ hash: '#load' });
  const typed = 'jbsw y3dp ehpk 3pxp0';
  await page.fill('#manual-secret', typed);
  const feedback = await page.$eval('#manual-secret-feedback', (el) => el.textContent);
  assert.match(feedback, /cannot be decoded/);
  // The 20th character (messages count from 1).
  assert.match(feedback, /Digit 0 at position 20/);
  assert.equal(await page.getAttribute('#manual-secret', 'type'), 'password');
  assert.doesNotMatch(await page.$eval('#manual-secret-feedback .secret-map', (el) => el.textContent), /jbsw/);
  const kinds = await page.$$eval('#manual-secret-feedback .issue', (els) => els.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, ['confusable']);
  // An undecodable secret is refused with a reason; nothing is loaded.
  await page.fill('#manual-serial', 'HAND-0003');
  await page.click('#manual-form button[type="submit"]');
  assert.match(await page.textContent('#manual-error'), /cannot be decoded/);
  assert.equal(await page.isVisible('#step-load'), true);

  await page.fill('#manual-secret', 'jbsw y3dp ehpk 3pxp');
  const ok = await page.$eval('#manual-secret-feedback', (el) => el.textContent);
  assert.match(ok, /Decodes to 10 bytes \(80 bits\)/);
  const k2 = await page.$$eval('#manual-secret-feedback .issue', (els) => els.map((e) => e.dataset.kind));
  assert.ok(k2.includes('lower-case') && k2.includes('whitespace') && k2.includes('short-key'), k2.join());
  const body = await page.evaluate(() => document.body.innerText);
  assert.ok(!body.includes('jbsw'), 'the masked secret is not in the page text');

  // "Show" reveals the input and the map; "Hide" masks them again.
  await page.click('#manual-secret-toggle');
  assert.equal(await page.getAttribute('#manual-secret', 'type'), 'text');
  assert.equal(await page.getAttribute('#manual-secret-toggle', 'aria-pressed'), 'true');
  assert.match(await page.$eval('#manual-secret-feedback .secret-map', (el) => el.textContent), /jbsw/);
  await page.keyboard.press('Enter'); // the toggle has focus: keyboard toggles back
  assert.equal(await page.getAttribute('#manual-secret', 'type'), 'password');
  await screenshot(page, 'load-secret-issues');
  assertClean(['jbswy3dpehpk3pxp', 'JBSWY3DPEHPK3PXP']);
});

test('the drift scan split across the worker pool gives the CLI\'s candidates and scans 2·max+1 steps', async () => {
  const { page, assertClean } = await env.open();
  await byHand(page);
  // Two consecutive codes from a device 150,000 steps (≈52 days) behind, at a fixed time.
  const time = 1_700_000_000;
  const offset = -150_000;
  const at = (steps) => cli(['totp', '--secret', DEMO, '--time', String(time + steps * 30)]).trim();
  const codes = [at(offset - 1), at(offset)];
  const maxSteps = 200_001; // odd total so the ranges are unequal
  const want = JSON.parse(cli(['drift', '--secret', DEMO, '--time', String(time), '--max-steps', String(maxSteps),
    '--json', ...codes.flatMap((c) => ['--code', c])]));
  assert.equal(want.candidates[0].offsetSteps, offset);
  const scan = (typed, range) => page.evaluate(async ([t, r, at]) => {
    const { scanDrift, POOL_SIZE } = await import('./js/workers.js');
    const { result } = await scanDrift({ source: 'file', row: 0, typed: t, time: at, period: 30, range: r });
    return { result, pool: POOL_SIZE };
  }, [typed, range, time]);
  const { result: got, pool } = await scan(codes.join(' '), { fromSteps: -maxSteps, toSteps: maxSteps });
  assert.ok(pool >= 2 && pool <= 4, `pool of ${pool}`);
  assert.deepEqual({ candidates: got.candidates, scannedSteps: got.scannedSteps }, want);
  assert.equal(got.scannedSteps, 2 * maxSteps + 1);
  assert.equal(got.nearest.offsetSteps, offset);

  // One code over the default range (what "verify" asks for) matches by chance at several
  // offsets on both sides: the merged, re-sorted candidates equal one unsplit CLI scan's.
  const verdict = await page.evaluate(async (at) => {
    const { call } = await import('./js/workers.js');
    return (await call('verify', { source: 'file', row: 0, typed: '123456', time: at })).result;
  }, time);
  assert.equal(verdict.kind, 'scan');
  const one = JSON.parse(cli(['drift', '--secret', DEMO, '--time', String(time), '--code', '123456', '--json'], { allowFail: true }));
  const { result: split } = await scan('123456', { fromSteps: verdict.fromSteps, toSteps: verdict.toSteps });
  assert.ok(one.candidates.length >= 2, 'several chance matches to merge');
  assert.deepEqual({ candidates: split.candidates, scannedSteps: split.scannedSteps }, one);
  assert.equal(split.scannedSteps, 2 * Math.floor((2 * 31_557_600) / 30) + 1);
  assertClean([DEMO]);
});
