// The hwoath benchmark (not a test); bench/run.sh builds everything and then runs this file.
//
//   node bench/node.mjs NATIVE_JSON
//
// In this one Node process, on the same keys:
//   - wasm `totp` per call vs otpauth `TOTP.generate` per call (codes/s);
//   - a wasm `findDrift` scan vs otpauth `TOTP.validate({token, window})` (steps/s), with a code
//     that matches nowhere in the range so neither stops early;
// for SHA-1 and SHA-256. It merges the native Rust numbers (NATIVE_JSON, printed by bench/native),
// times a ±2-year `findDrift` in headless Debian Chromium on the served page, prints one table with
// the ratios and targets, and writes everything to bench/out/latest.json.
//
// Run rules (same as bench/native): warm up for 0.2 s, then 5 runs that each repeat the operation
// until at least 0.5 s has elapsed; the median run is reported, with min and max for spread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolsRequire = createRequire(path.join(root, 'tools', 'package.json'));
const OTPAuth = toolsRequire('otpauth');
const { chromium } = toolsRequire('playwright-core');
const { startServer } = await import(pathToFileURL(path.join(root, 'scripts', 'serve.mjs')).href);

// The page's own build (scripts/build.sh, target web) loaded synchronously: Node and Chromium run
// the very same wasm bytes (the page gets them from www/pkg/hwoath_wasm.js, see www/js/engine.js).
const pkgDir = path.join(root, 'pkg');
const wasm = await import(pathToFileURL(path.join(pkgDir, 'hwoath.js')).href);
wasm.initSync({ module: fs.readFileSync(path.join(pkgDir, 'hwoath_bg.wasm')) });

const native = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const TIME = native.time; // fixed instant shared with bench/native
const SCAN_STEPS = native.scanSteps; // ±steps of the wasm (and native) scan
const OTPAUTH_WINDOW = 50_000; // ±steps per otpauth validate call (its rate does not depend on it)
const PERIOD = 30;
const TWO_YEARS_STEPS = 2 * Math.floor((2 * 31_557_600) / PERIOD) + 1; // findDrift's default range
// Issue 2: a scan ≥ 15× otpauth, a ±2-year scan < 1 s in Chromium. Issue 12 (the boundary): the
// one-shot `totp(secret, options)` ≥ 4× (SHA-1) / 3× (SHA-256) otpauth `TOTP.generate`, keyed codes
// ≥ 12× / 8× (issue 2 asked 8× for both).
const TARGET = {
  scan: 15, chromiumMs: 1000,
  oneShot: { sha1: 4, sha256: 3 },
  keyed: { sha1: 12, sha256: 8 },
};

// RFC 6238 Appendix B seeds: 20 bytes for SHA-1, 32 bytes for SHA-256 (same as bench/native).
const CASES = [
  { name: 'sha1', graph: 'hmacsha1', otpauth: 'SHA1', b32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' },
  {
    name: 'sha256', graph: 'hmacsha256', otpauth: 'SHA256',
    b32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA',
  },
];

// Self-contained (no outside names) so the page can run the same code: see chromiumScan.
function measure(op, { warmUpMs = 200, runMs = 500, runs = 5 } = {}) {
  const now = () => performance.now();
  let calls = 0;
  const w0 = now();
  while (now() - w0 < warmUpMs) { op(); calls += 1; }
  // About 2 ms per batch, so reading the clock costs nothing measurable.
  const batch = Math.max(1, Math.floor((calls / warmUpMs) * 2));
  const rates = [];
  for (let r = 0; r < runs; r += 1) {
    let units = 0;
    const t0 = now();
    for (;;) {
      for (let i = 0; i < batch; i += 1) units += op();
      const dt = now() - t0;
      if (dt >= runMs) { rates.push((units * 1000) / dt); break; }
    }
  }
  rates.sort((a, b) => a - b);
  return { median: rates[runs >> 1], min: rates[0], max: rates[runs - 1] };
}

// Paired: in each of `rounds` rounds every op runs for about `chunkMs`, and each op's rate is
// divided by the reference's rate of the same round; the median of those ratios is reported.
// The machine's speed drifts (a shared VM here: 2× between seconds); within a round it does not,
// so the per-call targets are judged on these ratios, not on medians taken minutes apart.
function paired(ops, ref, { chunkMs = 25, rounds = 40 } = {}) {
  const names = Object.keys(ops);
  for (const n of names) { const t0 = performance.now(); while (performance.now() - t0 < 100) ops[n](); }
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r += 1) {
    for (const n of names) {
      let calls = 0;
      const t0 = performance.now();
      let dt;
      do { for (let i = 0; i < 100; i += 1) ops[n](); calls += 100; dt = performance.now() - t0; } while (dt < chunkMs);
      rates[n].push((calls * 1000) / dt);
    }
  }
  const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return Object.fromEntries(names.map((n) => [n, mid(rates[n].map((x, i) => x / rates[ref][i]))]));
}
const pairedRatios = {};

let sink = 0; // results flow here so no call can be optimised away

// A code at which the whole sequence matches nowhere within ±steps, so no scan stops early.
function absentCode(b32, graph, steps) {
  for (let v = 0; v < 1_000_000; v += 1) {
    const code = String(v).padStart(6, '0');
    const r = wasm.findDrift(b32, { hashFunction: graph, time: TIME, codes: [code], maxSteps: steps });
    if (r.candidates.length === 0) return code;
  }
  throw new Error('no absent code');
}

const loadAtStart = os.loadavg();
const rows = [];
const row = (name, unit, rate, extra = {}) => rows.push({ name, unit, ...rate, ...extra });

for (const c of CASES) {
  const secret = OTPAuth.Secret.fromBase32(c.b32);
  const opts = (time) => ({ hashFunction: c.graph, period: PERIOD, digits: 6, time });
  const gen = (timestamp) => OTPAuth.TOTP.generate({
    secret, algorithm: c.otpauth, digits: 6, period: PERIOD, timestamp,
  });

  // Same codes everywhere, or the comparison is meaningless.
  const codes = { wasm: wasm.totp(c.b32, opts(TIME)), otpauth: gen(TIME * 1000), native: native.codes[c.name] };
  if (new Set(Object.values(codes)).size !== 1) throw new Error(`${c.name}: codes differ ${JSON.stringify(codes)}`);

  // Per call. wasm `totp` takes base32 text, so each call also decodes and keys; otpauth gets a
  // prepared Secret (its best case) and, as a second reference, decodes the base32 each call too.
  let t = TIME;
  row(`wasm totp ${c.name}`, 'codes/s', measure(() => { t += PERIOD; sink += wasm.totp(c.b32, opts(t)).length; return 1; }));
  // The keyed API: decode and key once (like otpauth's prepared Secret), then one call per code.
  const keyed = new wasm.TotpGenerator(c.b32, { hashFunction: c.graph, period: PERIOD, digits: 6 });
  if (keyed.code(TIME) !== codes.wasm) throw new Error(`${c.name}: TotpGenerator differs`);
  t = TIME;
  row(`wasm TotpGenerator.code ${c.name}`, 'codes/s', measure(() => { t += PERIOD; sink += keyed.code(t).length; return 1; }));
  t = TIME;
  row(`wasm TotpGenerator.value ${c.name}`, 'codes/s', measure(() => { t += PERIOD; sink += keyed.value(t); return 1; }));
  // The same four per-call operations, interleaved round by round against otpauth, and a short
  // scan (±200 steps: 401 HMACs of a keyed state in one call) for the hash's own cost.
  const shortScan = { ...opts(TIME), codes: ['000000'], maxSteps: 200 };
  pairedRatios[c.name] = paired({
    otpauth: () => { t += PERIOD; sink += gen(t * 1000).length; },
    totp: () => { t += PERIOD; sink += wasm.totp(c.b32, opts(t)).length; },
    code: () => { t += PERIOD; sink += keyed.code(t).length; },
    value: () => { t += PERIOD; sink += keyed.value(t); },
    scan: () => { sink += wasm.findDrift(c.b32, shortScan).scannedSteps; },
  }, 'otpauth');
  pairedRatios[c.name].step = pairedRatios[c.name].scan * 401;
  keyed.free();
  t = TIME;
  row(`otpauth TOTP.generate ${c.name}`, 'codes/s', measure(() => { t += PERIOD; sink += gen(t * 1000).length; return 1; }));
  t = TIME;
  row(`otpauth fromBase32+generate ${c.name}`, 'codes/s', measure(() => {
    t += PERIOD;
    sink += OTPAuth.TOTP.generate({
      secret: OTPAuth.Secret.fromBase32(c.b32), algorithm: c.otpauth, digits: 6, period: PERIOD, timestamp: t * 1000,
    }).length;
    return 1;
  }));

  // Scans with a code absent from the whole range.
  const code = absentCode(c.b32, c.graph, SCAN_STEPS);
  const scanOpts = { ...opts(TIME), codes: [code], maxSteps: SCAN_STEPS };
  row(`wasm findDrift ±${SCAN_STEPS} ${c.name}`, 'steps/s', measure(() => {
    const r = wasm.findDrift(c.b32, scanOpts);
    if (r.candidates.length !== 0) throw new Error('the absent code matched');
    return r.scannedSteps;
  }));
  // The same scan through a TokenSet (keyed once per row, the codes typed as text).
  const file = JSON.stringify({ '@context': '#$delta', value: [{ '@contentId': '1', serialNumber: '1', manufacturer: 'M', model: 'X', secretKey: c.b32, timeIntervalInSeconds: PERIOD, hashFunction: c.graph }] });
  const set = wasm.TokenSet.open(file);
  const range = { fromSteps: -SCAN_STEPS, toSteps: SCAN_STEPS };
  row(`wasm TokenSet.drift ±${SCAN_STEPS} ${c.name}`, 'steps/s', measure(() => {
    const r = set.drift(0, code, TIME, range);
    if (r.candidates.length !== 0) throw new Error('the absent code matched');
    return r.scannedSteps;
  }));
  set.free();
  row(`otpauth TOTP.validate ±${OTPAUTH_WINDOW} ${c.name}`, 'steps/s', measure(() => {
    const delta = OTPAuth.TOTP.validate({
      token: code, secret, algorithm: c.otpauth, digits: 6, period: PERIOD, timestamp: TIME * 1000, window: OTPAUTH_WINDOW,
    });
    if (delta !== null) throw new Error('the absent code matched');
    return 2 * OTPAUTH_WINDOW + 1;
  }));
}
for (const r of native.rows) rows.push(r);

// ±2-year scan in headless Chromium, in the context of the served page. The page runs the same
// `measure` (source passed as text); the first call is also timed on its own (cold: what a user
// clicking once waits, wasm not yet tiered up).
async function chromiumScan() {
  const server = await startServer({ dir: path.join(root, 'www'), port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const resp = await page.goto(server.url);
    const out = { version: browser.version(), pageStatus: resp.status(), results: [], parallel: [] };
    for (const c of CASES) {
      // Any code will do: findDrift always scans the whole range. The page's own wasm and glue
      // (www/pkg), instantiated here on the page's thread for this one measurement only.
      const r = await page.evaluate(`(async () => {
        const measure = ${measure.toString()};
        const { wasmBytes } = await import(new URL('./pkg/hwoath_wasm.js', location.href).href);
        const m = await import(new URL('./pkg/hwoath.js', location.href).href);
        m.initSync({ module: await wasmBytes() });
        const o = { hashFunction: '${c.graph}', period: ${PERIOD}, time: ${TIME}, codes: ['000000'] };
        const t0 = performance.now();
        const first = m.findDrift('${c.b32}', o);
        const coldMs = performance.now() - t0;
        const rate = measure(() => m.findDrift('${c.b32}', o).scannedSteps);
        return { coldMs, scannedSteps: first.scannedSteps, rate };
      })()`);
      if (r.scannedSteps !== TWO_YEARS_STEPS) throw new Error(`scanned ${r.scannedSteps}, expected ${TWO_YEARS_STEPS}`);
      out.results.push({ hash: c.name, ...r });
    }
    // The page's own scan (window.hwoathScan, www/js/workers.js scanDrift): the owner worker holds
    // a one-token set of the key (the page's "one token by hand" form), sends each scan worker the
    // record over a MessagePort, the pool scans its share, the owner merges. Wall time of whole
    // scans (async, so timed per scan rather than by `measure`). The workers load with the page.
    await page.goto(server.url);
    await page.waitForSelector('html[data-worker="ready"]');
    const half = (TWO_YEARS_STEPS - 1) / 2;
    for (const c of CASES) {
      const r = await page.evaluate(`(async () => {
        const { call, POOL_SIZE } = await import(new URL('./js/workers.js', location.href).href);
        await call('fields', { fields: { serialNumber: '2300000000001', manufacturer: 'Token2', model: 'C202',
          secret: '${c.b32}', timeIntervalInSeconds: ${PERIOD}, hashFunction: '${c.graph}' } });
        const args = { source: 'file', row: 0, typed: '000000', time: ${TIME}, period: ${PERIOD},
          range: { fromSteps: -${half}, toSteps: ${half} } };
        const scan = async () => { const t0 = performance.now(); const r = await window.hwoathScan(args); return { ms: performance.now() - t0, steps: r.result.scannedSteps }; };
        const first = await scan();
        const times = [];
        for (let i = 0; i < 7; i += 1) times.push((await scan()).ms);
        times.sort((a, b) => a - b);
        await call('close');
        return { coldMs: first.ms, scannedSteps: first.steps, median: times[times.length >> 1], min: times[0], max: times[times.length - 1], workers: POOL_SIZE };
      })()`);
      if (r.scannedSteps !== TWO_YEARS_STEPS) throw new Error(`page scan covered ${r.scannedSteps}, expected ${TWO_YEARS_STEPS}`);
      out.parallel.push({ hash: c.name, ...r });
    }
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}
const chrome = await chromiumScan();
for (const r of chrome.results) {
  const ms = (x) => (r.scannedSteps / x) * 1000;
  rows.push({
    name: `chromium findDrift ±2 y ${r.hash}`, unit: 'ms/scan',
    median: ms(r.rate.median), min: ms(r.rate.max), max: ms(r.rate.min), cold: r.coldMs,
  });
}
for (const r of chrome.parallel) {
  rows.push({
    name: `chromium page scan ×${r.workers} workers ${r.hash}`, unit: 'ms/scan',
    median: r.median, min: r.min, max: r.max, cold: r.coldMs, workers: r.workers,
  });
}

// Ratios and targets.
const get = (name) => {
  const r = rows.find((x) => x.name === name);
  if (!r) throw new Error(`no row ${name}`);
  return r.median;
};
const ratios = [];
for (const c of CASES) {
  ratios.push(
    { name: `per call ${c.name}: wasm TotpGenerator.code / otpauth generate (paired)`, value: pairedRatios[c.name].code, target: TARGET.keyed[c.name] },
    { name: `per call ${c.name}: wasm TotpGenerator.value / otpauth generate (paired)`, value: pairedRatios[c.name].value, target: TARGET.keyed[c.name] },
    { name: `per call ${c.name}: wasm totp (decode+key each call) / otpauth (paired)`, value: pairedRatios[c.name].totp, target: TARGET.oneShot[c.name] },
    // The hash alone: a scan step is one HMAC of a keyed state (two compressions, as a keyed code)
    // with nothing crossing the boundary; a one-shot call hashes twice that (keying is two more
    // compressions). otpauth's time per call over that is the most any binding could reach.
    { name: `ceiling ${c.name}: keyed, the HMAC alone (otpauth call / scan step)`, value: pairedRatios[c.name].step, target: null },
    { name: `ceiling ${c.name}: one-shot, the hashing alone (… / 2 scan steps)`, value: pairedRatios[c.name].step / 2, target: null },
    { name: `per call ${c.name}: wasm totp / otpauth fromBase32+generate`, value: get(`wasm totp ${c.name}`) / get(`otpauth fromBase32+generate ${c.name}`), target: null },
    { name: `scan ${c.name}: wasm findDrift / otpauth validate`, value: get(`wasm findDrift ±${SCAN_STEPS} ${c.name}`) / get(`otpauth TOTP.validate ±${OTPAUTH_WINDOW} ${c.name}`), target: TARGET.scan },
    { name: `scan ${c.name}: wasm TokenSet.drift / findDrift (kept)`, value: get(`wasm TokenSet.drift ±${SCAN_STEPS} ${c.name}`) / get(`wasm findDrift ±${SCAN_STEPS} ${c.name}`), target: null },
    { name: `scan ${c.name}: wasm findDrift / native drift`, value: get(`wasm findDrift ±${SCAN_STEPS} ${c.name}`) / get(`native drift ${c.name}`), target: null },
    { name: `chromium ±2 y scan ${c.name} (ms, warm median)`, value: get(`chromium findDrift ±2 y ${c.name}`), target: TARGET.chromiumMs, lowerIsBetter: true },
  );
  const par = chrome.parallel.find((r) => r.hash === c.name);
  ratios.push(
    { name: `chromium ±2 y page scan ×${par.workers} workers ${c.name} (ms, median)`, value: par.median, target: TARGET.chromiumMs, lowerIsBetter: true },
    { name: `page scan speed-up ${c.name}: single findDrift / ×${par.workers} workers`, value: get(`chromium findDrift ±2 y ${c.name}`) / par.median, target: null },
  );
}
for (const r of ratios) {
  if (r.target !== null) r.pass = r.lowerIsBetter ? r.value < r.target : r.value >= r.target;
}

// Output.
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`\n${pad('measurement', 44)} ${lpad('median', 12)} ${pad('unit', 8)} ${lpad('min', 12)} ${lpad('max', 12)}  ±2 y scan`);
for (const r of rows) {
  let twoYears = '';
  if (r.unit === 'steps/s') twoYears = `≈ ${fmt((TWO_YEARS_STEPS / r.median) * 1000)} ms`;
  if (r.cold !== undefined) twoYears = `first call ${fmt(r.cold)} ms`;
  console.log(`${pad(r.name, 44)} ${lpad(fmt(r.median), 12)} ${pad(r.unit, 8)} ${lpad(fmt(r.min), 12)} ${lpad(fmt(r.max), 12)}  ${twoYears}`);
}
console.log('');
for (const r of ratios) {
  const target = r.target === null ? '' : `target ${r.lowerIsBetter ? '<' : '≥'} ${r.target}${r.lowerIsBetter ? '' : '×'}  ${r.pass ? 'PASS' : 'MISS'}`;
  console.log(`${pad(r.name, 58)} ${lpad(r.lowerIsBetter ? fmt(r.value) : `${r.value.toFixed(2)}×`, 10)}  ${target}`);
}
console.log(`\n(±2 y scan = ${TWO_YEARS_STEPS.toLocaleString('en-US')} steps at ${PERIOD} s; wasm scan ±${SCAN_STEPS.toLocaleString('en-US')}, otpauth window ±${OTPAUTH_WINDOW.toLocaleString('en-US')}; Chromium page status ${chrome.pageStatus}; sink ${sink % 10})`);
const load = [loadAtStart[0], os.loadavg()[0]];
const cores = os.cpus().length;
console.log(`load average ${load.map((x) => x.toFixed(2)).join(' → ')} on ${cores} cores (this benchmark itself adds about 1)${Math.max(...load) > cores ? ': the machine was busy, expect low and noisy numbers; rerun when it is idle' : ''}`);

const gitCommit = (() => {
  try { return execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { return null; }
})();
const report = {
  date: new Date().toISOString(),
  commit: gitCommit,
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavgStart: loadAtStart, loadavgEnd: os.loadavg(), node: process.version, chromium: chrome.version },
  settings: { time: TIME, period: PERIOD, scanSteps: SCAN_STEPS, otpauthWindow: OTPAUTH_WINDOW, twoYearSteps: TWO_YEARS_STEPS, otpauth: OTPAuth.version, runs: 5, runMs: 500, warmUpMs: 200 },
  chromiumPageStatus: chrome.pageStatus,
  rows,
  ratios,
};
fs.mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench', 'out', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('written bench/out/latest.json');
