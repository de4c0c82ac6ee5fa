// A tiny static file server for www/ (no dependencies). Sends the same Content-Security-Policy
// as the page's <meta> tag: no connect-src at all (default-src 'none' covers it), so the page
// cannot fetch anything, not even from this origin; scripts, styles and the worker come from here.
// Usage: node scripts/serve.mjs --dir www [--host 127.0.0.1] [--port 8080]
// Also importable: `startServer({dir, host, port})` resolves to {url, close}.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` that a request path names, or null when the path is malformed (400) and
 *  false when it leads outside the root (403). The path is decoded first, then resolved, and the
 *  result must be the root or inside it by whole path segments: `/..%2fwww-old/x` resolves to a
 *  sibling `…/www-old/x`, which starts with the characters of `…/www` but is not inside it. */
export function resolveRequest(root, reqUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(reqUrl, 'http://x').pathname);
  } catch {
    return null; // `/%E0%A4%A`: not UTF-8 percent-encoding
  }
  if (pathname.includes('\0')) return null;
  const file = path.resolve(root, `.${path.sep}${pathname}`);
  return file === root || file.startsWith(root + path.sep) ? file : false;
}

export function startServer({ dir, host = '127.0.0.1', port = 8080 }) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let file = resolveRequest(root, req.url);
    if (file === null) { res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request'); return; }
    if (file === false) { res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden'); return; }
    try {
      if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = path.join(file, 'index.html');
    } catch {
      // ENAMETOOLONG and the like: reading it below fails with 404.
    }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ url: `http://${host}:${p}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const { url } = await startServer({
    dir: arg('dir', 'www'), host: arg('host', '127.0.0.1'), port: Number(arg('port', 8080)),
  });
  console.log(`hwoath is served at ${url} (Ctrl-C to stop)`);
}
