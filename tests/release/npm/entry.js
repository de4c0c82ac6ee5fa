// The package as a page uses it: tests/release/npm.test.mjs loads this module unbundled in
// Chromium (page.html's import map names 'hwoath') and bundled by esbuild for the browser (with
// the wasm copied next to the bundle). init() loads the wasm; the page's checks then call the API.
import init, * as hwoath from 'hwoath';

try {
  await init();
  window.hwoath = hwoath;
  window.ready = 'ok';
} catch (e) {
  window.ready = `error: ${e}`;
}
