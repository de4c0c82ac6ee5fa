// scripts/serve.mjs (issue 10, 9): a request cannot leave the served directory, not even for a
// sibling whose name starts with the root's (`/..%2fwww-old/…` once passed a prefix check), and a
// malformed URL gets 400 instead of ending the server. Needs no browser and no build.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const { startServer, resolveRequest } = await import(pathToFileURL(path.join(root, 'scripts/serve.mjs')).href);

let base;
let server;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwoath-serve-'));
  fs.mkdirSync(path.join(dir, 'www', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'www', 'index.html'), '<!doctype html><title>page</title>');
  fs.writeFileSync(path.join(dir, 'www', 'sub', 'a.txt'), 'inside');
  fs.mkdirSync(path.join(dir, 'www-old'));
  fs.writeFileSync(path.join(dir, 'www-old', 'secret.txt'), 'SIBLING-SECRET');
  fs.writeFileSync(path.join(dir, 'outside.txt'), 'PARENT-SECRET');
  server = await startServer({ dir: path.join(dir, 'www'), port: 0 });
  base = new URL(server.url);
});

after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** GET with the path sent exactly as written (no client-side normalisation). */
function get(rawPath) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('files inside the root are served', async () => {
  assert.equal((await get('/')).status, 200);
  const r = await get('/sub/a.txt');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'inside');
  assert.equal((await get('/sub/%61.txt')).body, 'inside');
});

test('no request path gets out of the root', async () => {
  for (const p of [
    '/..%2fwww-old/secret.txt',
    '/..%2Fwww-old%2Fsecret.txt',
    '/%2e%2e%2fwww-old/secret.txt',
    '/../www-old/secret.txt',
    '/sub/..%2f..%2fwww-old/secret.txt',
    '/..%2foutside.txt',
    '/..%5cwww-old%5csecret.txt',
    '/%2e%2e/outside.txt',
  ]) {
    const r = await get(p);
    assert.notEqual(r.status, 200, p);
    assert.ok(!r.body.includes('SECRET'), `${p}: ${r.body}`);
  }
});

test('a malformed URL gets 400 and the server keeps serving', async () => {
  for (const p of ['/%E0%A4%A', '/%', '/%zz', '/a%00b']) {
    assert.equal((await get(p)).status, 400, p);
  }
  assert.equal((await get('/sub/a.txt')).status, 200);
});

test('the check compares whole path segments', () => {
  const r = path.join(dir, 'www');
  assert.equal(resolveRequest(r, '/..%2fwww-old/x'), false);
  assert.equal(resolveRequest(r, '/sub/a.txt'), path.join(r, 'sub', 'a.txt'));
  assert.equal(resolveRequest(r, '/'), r);
  assert.equal(resolveRequest(r, '/%E0%A4%A'), null);
});
