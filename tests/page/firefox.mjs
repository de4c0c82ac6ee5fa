// Debian's Firefox ESR for the page tests, driven by puppeteer-core over WebDriver BiDi (never a
// browser download), behind the part of Playwright's Page API the shared flows use — so the
// whole-workflow test, the single offline file and the no-network/no-storage checks run the same
// steps in both browsers. Selectors: CSS, plus Playwright's `text=…` and `:has-text("…")`, which
// become puppeteer's ::-p-text().
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const FIREFOX = '/usr/bin/firefox-esr';

/** Playwright selector → puppeteer selector. */
export function selector(sel) {
  if (sel.startsWith('text=')) return `::-p-text(${sel.slice(5)})`;
  return sel.replace(/:has-text\("([^"]*)"\)/g, '::-p-text($1)');
}

/** Visible as Playwright means it: in the document, not display:none/visibility:hidden, with a box. */
const visibleIn = (sel) => {
  const el = document.querySelector(sel);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
};

/** Wraps a puppeteer Page in the Playwright methods the shared tests call. */
export function adapt(page) {
  const P = (sel) => selector(sel);
  const wrapper = {
    raw: page,
    goto: (url) => page.goto(url),
    on: (type, fn) => page.on(type, fn),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    evaluateHandle: (fn, arg) => page.evaluateHandle(fn, arg),
    $eval: (sel, fn, arg) => page.$eval(P(sel), fn, arg),
    $$eval: (sel, fn, arg) => page.$$eval(P(sel), fn, arg),
    async waitForSelector(sel, { timeout = 30000, state = 'visible' } = {}) {
      return page.waitForSelector(P(sel), { timeout, visible: state === 'visible', hidden: state === 'hidden' });
    },
    waitForFunction: (fn, arg, { timeout = 30000 } = {}) => page.waitForFunction(fn, { timeout, polling: 100 }, arg),
    waitForTimeout: (ms) => sleep(ms),
    click: (sel) => page.locator(P(sel)).click(),
    fill: (sel, value) => page.locator(P(sel)).fill(value),
    focus: (sel) => page.focus(P(sel)),
    selectOption: (sel, value) => page.select(P(sel), value),
    textContent: (sel) => page.locator(P(sel)).map((el) => el.textContent).wait(),
    getAttribute: (sel, name) => page.$eval(P(sel), (el, n) => el.getAttribute(n), name),
    inputValue: (sel) => page.$eval(P(sel), (el) => el.value),
    isVisible: (sel) => page.evaluate(visibleIn, sel),
    screenshot: (o) => page.screenshot(o),
    keyboard: {
      type: (text) => page.keyboard.type(text),
      press: (key) => page.keyboard.press(key),
    },
  };
  return wrapper;
}

/** Starts Firefox ESR. `clipboard: true` lets the page read the clipboard in tests (a testing pref). */
export async function launchFirefox(root) {
  const { default: puppeteer } = await import(pathToFileURL(path.join(root, 'tools/node_modules/puppeteer-core/lib/puppeteer/puppeteer-core.js')).href);
  return puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true,
    extraPrefsFirefox: { 'dom.events.testing.asyncClipboard': true, 'dom.events.asyncClipboard.readText': true },
  });
}
