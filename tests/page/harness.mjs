// Shared set-up for the page tests: a fresh static server on a free port, Debian Chromium through
// playwright-core, the native CLI for reference values, and a recorder that collects every request
// and console message so each test can assert nothing left the page's origin and no secret leaked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { secretsOf as extractSecrets } from './secrets.mjs';
import { launchFirefox, adapt } from './firefox.mjs';

export const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const www = path.join(root, 'www');
const { chromium } = await import(pathToFileURL(path.join(root, 'tools/node_modules/playwright-core/index.mjs')).href);
const serve = await import(pathToFileURL(path.join(root, 'scripts/serve.mjs')).href);
export const { CSP } = serve;

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Fails with a clear message when the wasm package has not been built into www/pkg. */
export function requireBuild() {
  for (const f of ['hwoath.js', 'hwoath_bg.wasm']) {
    if (!fs.existsSync(path.join(www, 'pkg', f))) {
      throw new Error(`www/pkg/${f} is missing: run \`bash scripts/build.sh\` first (scripts/test.sh does it)`);
    }
  }
}

let cliPath = null;
/** Runs the native CLI (target/debug/hwoath; `cargo build` first, a no-op when it is up to date)
 *  and returns stdout. */
export function cli(args, { input, allowFail = false } = {}) {
  if (!cliPath) {
    execFileSync('cargo', ['build', '-q', '--bin', 'hwoath'], { cwd: root, stdio: 'inherit' });
    cliPath = path.join(root, 'target', 'debug', 'hwoath');
  }
  try {
    return execFileSync(cliPath, args, { cwd: root, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    if (allowFail) return err.stdout;
    throw new Error(`hwoath ${args.join(' ')} failed (${err.status}): ${err.stderr}`);
  }
}

/** The browsers the page tests run in: Debian's Chromium (Playwright) and Firefox ESR (puppeteer
 *  over WebDriver BiDi, tests/page/firefox.mjs). HWOATH_BROWSERS=chromium runs one only. */
export const BROWSERS = (process.env.HWOATH_BROWSERS || 'chromium,firefox').split(',');

/** Starts a server and a browser (`chromium` or `firefox`); `open()` gives a recorded page with
 *  the Playwright Page methods the tests use. Call `close()` in after(). */
export async function start({ browser: kind = 'chromium' } = {}) {
  requireBuild();
  const server = await serve.startServer({ dir: www, port: 0 });
  const browser = kind === 'firefox' ? await launchFirefox(root) : await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const origin = new URL(server.url).origin;
  const contexts = [];

  /** A fresh page: a new context in Chromium (clipboard as `permissions` ask), a new tab in Firefox. */
  async function newPage({ colorScheme = 'light', viewport = { width: 1280, height: 900 }, permissions = [] } = {}) {
    if (kind === 'firefox') {
      const raw = await browser.newPage();
      await raw.setViewport(viewport);
      contexts.push({ close: () => raw.close() });
      return adapt(raw);
    }
    const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
    if (permissions.length) await context.grantPermissions(permissions, { origin });
    contexts.push(context);
    return context.newPage();
  }

  async function open(options = {}) {
    const { hash = '' } = options;
    const page = await newPage(options);
    const requests = [];
    const console = [];
    const errors = [];
    const record = (r) => requests.push(r.url());
    page.on('request', (r) => record(r)); // in Chromium also the module workers' requests
    page.on('console', (m) => { console.push({ type: m.type(), text: m.text() }); if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(server.url + hash);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

    /** Asserts: only same-origin (or local blob:/data:) requests, no console error, and no secret in the console. */
    function assertClean(secrets = []) {
      const foreign = requests.filter((u) => {
        if (u.startsWith('blob:') || u.startsWith('data:')) return false;
        return new URL(u).origin !== origin;
      });
      assert.deepEqual(foreign, [], `requests left the page's origin ${origin}`);
      assert.deepEqual(errors, [], 'console errors');
      for (const s of secrets) {
        for (const m of console) assert.ok(!m.text.includes(s), `a secret appeared in the console: ${m.type}`);
      }
    }
    return { page, context: page.context?.(), requests, console, errors, assertClean, origin };
  }

  async function close() {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close();
    await server.close();
  }
  return { server, browser, open, newPage, close, origin, kind };
}

/** Screenshot (full page) into test-results/screenshots/NAME.png, a test artifact. With
 *  `docs: true` and HWOATH_SCREENSHOTS=1 in the environment, also the visible screen into
 *  docs/screenshots/ (the copies the README shows), so a normal test run does not change the tree. */
export async function screenshot(page, name, { docs = false } = {}) {
  const dir = path.join(root, 'test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (docs && process.env.HWOATH_SCREENSHOTS === '1') {
    const out = path.join(root, 'docs', 'screenshots');
    fs.mkdirSync(out, { recursive: true });
    // The README's copies show the first screen (smaller files, what an admin sees first).
    await page.screenshot({ path: path.join(out, `${name}.png`) });
  }
}

/** Opens a step through the stepper (as a user clicking it) and waits until it shows. */
export async function goStep(page, step) {
  await page.click(`#step-link-${step}`);
  await page.waitForSelector(`#step-${step}:not([hidden])`);
}

/** The secrets of a token file, in every form a leak could show (as written, canonical, lower
 *  case; ≥ 8 characters), for "no secret leaked" checks: the leak scanner's extraction
 *  (tests/page/secrets.mjs). */
export function secretsOf(file) {
  return extractSecrets(fs.readFileSync(file)).forms;
}

/** Waits (in the page's own clock) until at least `margin` seconds remain in the current step. */
export async function awayFromStepEdge(page, period = 30, margin = 4) {
  for (;;) {
    const left = await page.evaluate((p) => p - ((Date.now() / 1000) % p), period);
    if (left >= margin) return;
    await page.waitForTimeout(left * 1000 + 150);
  }
}

/** Every diagnostic the page shows, as {record, code, line, column, severity}. */
export const shownDiagnostics = (page) => page.$$eval('#token-table tr.diag-row li.diag', (lis) => lis.map((li) => ({
  record: Number(li.closest('tr').dataset.record),
  code: li.dataset.code,
  line: Number(li.dataset.line),
  column: Number(li.dataset.column),
  severity: li.querySelector('.sev').textContent,
  pos: li.querySelector('.diag__pos').textContent,
})));

/** Drops a file (its exact bytes) on the drop zone, as a user dragging it from the desktop. */
export async function dropFile(page, selector, name, content) {
  const bytes = [...Buffer.from(content)];
  await page.evaluate(([sel, n, b]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], n));
    const zone = document.querySelector(sel);
    for (const type of ['dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [selector, name, bytes]);
}
