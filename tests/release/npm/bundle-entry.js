// The package through a bundler (esbuild, for the browser): tests/release/npm.test.mjs bundles
// this file in the fresh project and loads the bundle, with the wasm copied next to it, in Chromium.
import init, * as hwoath from 'hwoath';

try {
  await init();
  window.hwoath = hwoath;
  window.ready = 'ok';
} catch (e) {
  window.ready = `error: ${e}`;
}
