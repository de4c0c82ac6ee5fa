// The OpenPGP worker in the single offline file (used by scripts/build-single.mjs, and by
// tests/page/pgp-worker.test.mjs to bundle js/pgp.js the same way):
// - pgpWorkerPayload(): js/pgp-worker.js with the OpenPGP module, bundled by esbuild as one
//   classic script, gzip-compressed and base64-encoded, for an inert
//   <script type="application/octet-stream" id="hwoath-pgp-worker"> block: never executed (the
//   CSP's script hashes need not cover it) and not parsed as JavaScript with the page.
// - pgpWorkerUrlPlugin(): an esbuild plugin replacing www/pkg/pgp-worker-url.js by a module that,
//   on the first call only, decodes that block (DecompressionStream) into a blob: URL of a
//   classic worker. The page's first run never touches it.
import path from 'node:path';
import zlib from 'node:zlib';

export const PGP_PAYLOAD_ID = 'hwoath-pgp-worker';

export async function pgpWorkerPayload(esbuild, common, www) {
  const code = (await esbuild.build({
    ...common, format: 'iife', entryPoints: [path.join(www, 'js', 'pgp-worker.js')], define: { 'import.meta.url': 'self.location.href' },
  })).outputFiles[0].text;
  return zlib.gzipSync(Buffer.from(code), { level: 9 }).toString('base64');
}

export function pgpWorkerUrlPlugin() {
  return {
    name: 'blob-pgp-worker',
    setup(build) {
      build.onResolve({ filter: /(^|\/)pkg\/pgp-worker-url\.js$/ }, () => ({ path: 'pgp-worker-url', namespace: 'single-pgp' }));
      build.onLoad({ filter: /.*/, namespace: 'single-pgp' }, () => ({
        loader: 'js',
        contents: `let url = null;
export async function pgpWorkerUrl() {
  if (!url) {
    const el = document.getElementById(${JSON.stringify(PGP_PAYLOAD_ID)});
    if (!el) throw new Error('the OpenPGP module is missing from this file');
    const bin = atob(el.textContent.trim());
    const gz = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) gz[i] = bin.charCodeAt(i);
    const text = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  }
  return { url, type: 'classic' };
}`,
      }));
    },
  };
}
