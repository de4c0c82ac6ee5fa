// Panel 1 "Code & drift" in Debian Chromium: the shown code equals the CLI's for the same time,
// a planted drift is reported with its sign, secret problems are shown by position, and nothing
// leaves the page's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, cli, CSP, root, screenshot, awayFromStepEdge } from './harness.mjs';

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

test('demo token: the live code equals the CLI code for the time it was computed for', async () => {
  const { page, assertClean } = await env.open();
  await page.click('#demo-token');
  await page.waitForSelector('#code-display .live-code[data-code]');
  for (let i = 0; i < 2; i++) {
    const { code, time, shown } = await page.$eval('#code-display .live-code', (el) => ({
      code: el.dataset.code, time: el.dataset.time, shown: el.querySelector('.live-code__code').textContent,
    }));
    assert.match(time, /^\d+$/);
    const now = Date.now() / 1000;
    assert.ok(Math.abs(Number(time) - now) < 5, 'the code is for the current time');
    assert.equal(code, cli(['totp', '--secret', DEMO, '--time', time]).trim());
    assert.equal(shown.replace(/\s/g, ''), code, 'the displayed digits are the code');
    // The same for SHA-256, 60 s, 8 digits.
    await page.selectOption('#hash', 'hmacsha256');
    await page.selectOption('#period', '60');
    await page.selectOption('#digits', '8');
    const o = await page.$eval('#code-display .live-code', (el) => ({ code: el.dataset.code, time: el.dataset.time }));
    assert.equal(o.code, cli(['totp', '--secret', DEMO, '--hash', 'sha256', '--period', '60', '--digits', '8', '--time', o.time]).trim());
    await page.click('#demo-token'); // back to SHA-1, 30 s, 6 digits
  }
  const countdown = await page.$eval('#code-display .live-code__meta', (el) => el.textContent);
  assert.match(countdown, /^\d+ s left$/);
  await screenshot(page, 'code-demo');
  assertClean([DEMO]);
});

async function check(page, code) {
  await page.fill('#device-codes', code);
  await page.click('#verify-btn');
  await page.waitForSelector('#verify-result[data-offset-steps], #verify-result.result--error', { timeout: 30000 });
  return page.$eval('#verify-result', (el) => ({
    steps: el.dataset.offsetSteps, seconds: el.dataset.offsetSeconds, text: el.textContent, cls: el.className,
  }));
}

test('a code from a device 90 s behind is reported as −3 steps / −90 s (drift scan)', async () => {
  const { page, assertClean } = await env.open();
  await page.click('#demo-token');
  await awayFromStepEdge(page);
  const t = Math.floor(Date.now() / 1000);
  const behind = cli(['totp', '--secret', DEMO, '--time', String(t - 90)]).trim();
  const r = await check(page, behind);
  assert.equal(r.steps, '-3');
  assert.equal(r.seconds, '-90');
  assert.match(r.text, /\u22123 steps · \u221290 s/);
  assert.match(r.text, /1 min 30 s behind/);
  assert.match(r.text, /Found by scanning [\d,]+ steps/);
  await screenshot(page, 'code-drift');

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

test('secret problems are listed with their positions and the secret stays masked', async () => {
  const { page, assertClean } = await env.open();
  const typed = 'jbsw y3dp ehpk 3pxp0';
  await page.fill('#secret', typed);
  const feedback = await page.$eval('#secret-feedback', (el) => el.textContent);
  assert.match(feedback, /cannot be decoded/);
  assert.match(feedback, /Digit 0 at position 19/);
  assert.equal(await page.getAttribute('#secret', 'type'), 'password');
  assert.doesNotMatch(await page.$eval('#secret-feedback .secret-map', (el) => el.textContent), /jbsw/);
  const kinds = await page.$$eval('#secret-feedback .issue', (els) => els.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, ['confusable']);

  await page.fill('#secret', 'jbsw y3dp ehpk 3pxp');
  const ok = await page.$eval('#secret-feedback', (el) => el.textContent);
  assert.match(ok, /Decodes to 10 bytes \(80 bits\)/);
  const k2 = await page.$$eval('#secret-feedback .issue', (els) => els.map((e) => e.dataset.kind));
  assert.ok(k2.includes('lower-case') && k2.includes('whitespace') && k2.includes('short-key'), k2.join());
  const body = await page.evaluate(() => document.body.innerText);
  assert.ok(!body.includes('jbsw'), 'the masked secret is not in the page text');

  // "Show" reveals the input and the map; "Hide" masks them again.
  await page.click('#secret-toggle');
  assert.equal(await page.getAttribute('#secret', 'type'), 'text');
  assert.equal(await page.getAttribute('#secret-toggle', 'aria-pressed'), 'true');
  assert.match(await page.$eval('#secret-feedback .secret-map', (el) => el.textContent), /jbsw/);
  await page.keyboard.press('Enter'); // the toggle has focus: keyboard toggles back
  assert.equal(await page.getAttribute('#secret', 'type'), 'password');
  await screenshot(page, 'code-secret-issues');
  assertClean(['jbswy3dpehpk3pxp', 'JBSWY3DPEHPK3PXP']);
});

test('the drift scan split across the worker pool gives the CLI\'s candidates and scans 2·max+1 steps', async () => {
  const { page, assertClean } = await env.open();
  await page.waitForSelector('html[data-worker="ready"]');
  // Two consecutive codes from a device 150,000 steps (≈52 days) behind, at a fixed time.
  const time = 1_700_000_000;
  const offset = -150_000;
  const at = (steps) => cli(['totp', '--secret', DEMO, '--time', String(time + steps * 30)]).trim();
  const codes = [at(offset - 1), at(offset)];
  const maxSteps = 200_001; // odd total so the ranges are unequal
  const want = JSON.parse(cli(['drift', '--secret', DEMO, '--time', String(time), '--max-steps', String(maxSteps),
    '--json', ...codes.flatMap((c) => ['--code', c])]));
  assert.equal(want.candidates[0].offsetSteps, offset);
  const got = await page.evaluate(([secret, o]) => window.hwoathScan(secret, o).then((r) => r.result),
    [DEMO, { time, codes, maxSteps }]);
  assert.deepEqual(got, want);
  assert.equal(got.scannedSteps, 2 * maxSteps + 1);

  // One code over the default ±2 years matches by chance at several offsets on both sides: the
  // merged, re-sorted candidates equal one findDrift call's, and every step was scanned once.
  const { split, single, pool } = await page.evaluate(async ([secret, o]) => {
    const api = await import('./pkg/hwoath.js');
    const { POOL_SIZE } = await import('./js/worker-client.js');
    return { split: (await window.hwoathScan(secret, o)).result, single: api.findDrift(secret, o), pool: POOL_SIZE };
  }, [DEMO, { time, codes: ['123456'] }]);
  assert.ok(pool >= 2 && pool <= 4, `pool of ${pool}`);
  assert.ok(single.candidates.length >= 2, 'several chance matches to merge');
  assert.deepEqual(split, single);
  assert.equal(split.scannedSteps, 2 * Math.floor((2 * 31_557_600) / 30) + 1);
  assertClean([DEMO]);
});
