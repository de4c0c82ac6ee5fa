// The npm package of the release (dist/release/hwoath-VERSION.tgz), installed offline into a
// fresh project the way a user would, then used from Node, TypeScript, a bundler and Chromium.
//   node --test tests/release/npm.test.mjs        (after bash scripts/release.sh)
//
// Entry points: every "exports" entry with "types" (wasm-pack.toml [npm-package] modules). The
// TypeScript files are tests/release/npm/*.ts: usage*.ts must compile, run, and use every export
// of every entry point (checked with the compiler's API, so a new export fails this test until
// it is called there); wrong.ts must fail with exactly its marked errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { artefact, nativeCli, root, run, tempDir, tools, version } from './common.mjs';

const here = path.join(root, 'tests', 'release', 'npm');
const ts = tools('typescript');
const tscBin = path.join(path.dirname(tools.resolve('typescript/package.json')), 'bin', 'tsc');
const fixture = path.join(root, 'tests', 'fixtures', 'valid', 'sha256_token2.json');
const invalidFixture = path.join(root, 'tests', 'fixtures', 'valid', 'short_key.json');
const RFC_SHA1 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 6238 appendix B, SHA-1 seed

let project;
let pkgDir;
let pkgJson;
let entries; // [{ subpath, types (absolute .d.ts path) }]

before(() => {
  const tgz = artefact(`hwoath-${version}.tgz`);
  project = tempDir('hwoath-npm-');
  fs.writeFileSync(path.join(project.dir, 'package.json'), JSON.stringify({ name: 'npm-user', private: true, type: 'module' }));
  fs.copyFileSync(tgz, path.join(project.dir, path.basename(tgz)));
  const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${path.basename(tgz)}`], { cwd: project.dir });
  assert.equal(r.status, 0, `npm install --offline failed: ${r.stderr}`);
  pkgDir = path.join(project.dir, 'node_modules', 'hwoath');
  pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  entries = Object.entries(pkgJson.exports)
    .filter(([, v]) => typeof v === 'object' && v.types)
    .map(([subpath, v]) => ({ subpath, types: path.join(pkgDir, v.types) }));
  for (const f of fs.readdirSync(here)) fs.copyFileSync(path.join(here, f), path.join(project.dir, f));
});
after(() => project?.remove());

const node = (args, opts = {}) => run(process.execPath, args, { cwd: project.dir, ...opts });
const text = (b) => b.toString('utf8');

test('the package installs offline: named and versioned from Cargo.toml, with licence, types and every file its exports name', () => {
  assert.equal(pkgJson.name, 'hwoath');
  assert.equal(pkgJson.version, version);
  assert.equal(pkgJson.license, 'MIT');
  assert.equal(pkgJson.type, 'module');
  assert.ok(!('repository' in pkgJson) && !('homepage' in pkgJson), 'no made-up repository or homepage');
  assert.ok(!/example\.invalid/.test(JSON.stringify(pkgJson)));
  assert.match(fs.readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8'), /^MIT License/);
  assert.match(fs.readFileSync(path.join(pkgDir, 'CHANGELOG.md'), 'utf8'), new RegExp(`## \\[${version.replaceAll('.', '\\.')}\\]`));
  const targets = Object.values(pkgJson.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
  for (const t of targets) assert.ok(fs.existsSync(path.join(pkgDir, t)), `exports names ${t}, which is not in the package`);
  assert.ok(entries.some((e) => e.subpath === '.'));
  for (const { subpath } of entries) {
    const e = pkgJson.exports[subpath];
    assert.deepEqual(Object.keys(e), ['types', 'node', 'default'], `${subpath}: "types" first, "default" last`);
  }
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  assert.ok(readme.includes(`npm install ./hwoath-${version}.tgz`) && !readme.includes('@VERSION@'));
});

test('Node ESM: validates a token file and computes a code with no fetch and no initSync, as the native CLI does', () => {
  const time = 1111111109;
  const r = node(['smoke.mjs', fixture, RFC_SHA1, String(time)]);
  assert.equal(r.status, 0, text(r.stderr));
  const got = JSON.parse(text(r.stdout));
  const cli = nativeCli();
  const report = JSON.parse(text(run(cli, ['validate', '--json', fixture]).stdout));
  assert.deepEqual(got, {
    records: report.records,
    valid: report.valid,
    invalid: report.invalid,
    diagnostics: report.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`),
    code: text(run(cli, ['totp', '--secret', RFC_SHA1, '--digits', '8', '--time', String(time)]).stdout).trim(),
  });
  assert.equal(got.code, '07081804', 'RFC 6238 appendix B, SHA-1 at T = 1111111109');
  assert.ok(got.records === 2 && got.valid === 2);
  // An invalid file gives the CLI's diagnostics too (not only counts).
  const bad = JSON.parse(text(node(['smoke.mjs', invalidFixture, RFC_SHA1, '59']).stdout));
  const badCli = JSON.parse(text(run(cli, ['validate', '--json', invalidFixture]).stdout));
  assert.ok(badCli.diagnostics.length > 0);
  assert.deepEqual(bad.diagnostics, badCli.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`));
});

test('Node: `await init()` written for the browser runs unchanged (the node entry is already initialised)', () => {
  const r = node(['--input-type=module', '-e', `
    import init, { totp } from 'hwoath';
    const out = await init();
    console.log(out.memory instanceof WebAssembly.Memory, totp('${RFC_SHA1}', { time: 59 }));`]);
  assert.equal(r.status, 0, text(r.stderr));
  assert.equal(text(r.stdout), 'true 287082\n');
});

/** The ```js blocks of the installed README, each as a module file in the project. */
function readmeExamples() {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```js\n([^]*?)^```$/gm)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, 'the README has JavaScript examples');
  return blocks.map((code, i) => {
    const file = `readme-${i + 1}.mjs`;
    fs.writeFileSync(path.join(project.dir, file), code);
    return file;
  });
}

test("the README's JavaScript examples run under Node and type-check with tsc --strict --checkJs", () => {
  const files = readmeExamples();
  for (const f of files) {
    const r = node([f]);
    assert.equal(r.status, 0, `${f}: ${text(r.stderr)}`);
    assert.ok(r.stdout.length > 0, `${f} prints its results`);
  }
  tsc(['--allowJs', '--checkJs', ...files]);
});

const LIB = 'es2022,dom,esnext.disposable';
/** tsc --strict --noEmit on FILES (module resolution as in a Node project unless given). */
function tsc(args, { expectFail = false } = {}) {
  const r = run(process.execPath, [tscBin, '--strict', '--noEmit', '--pretty', 'false', '--target', 'es2022', '--lib', LIB,
    '--module', 'nodenext', '--moduleResolution', 'nodenext', ...args], { cwd: project.dir });
  if (!expectFail) assert.equal(r.status, 0, `tsc ${args.join(' ')}:\n${text(r.stdout)}${text(r.stderr)}`);
  return r;
}

const usageFiles = () => fs.readdirSync(here).filter((f) => /^usage.*\.ts$/.test(f));

test('tsc --strict --noEmit compiles the TypeScript usage against the package (nodenext and bundler resolution)', () => {
  tsc(usageFiles());
  tsc(['--module', 'esnext', '--moduleResolution', 'bundler', ...usageFiles()]);
});

test('the TypeScript usage, compiled, runs under Node: every function and method answers as typed', () => {
  const outDir = path.join(project.dir, 'out');
  const r = run(process.execPath, [tscBin, '--strict', '--target', 'es2022', '--lib', LIB, '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--outDir', outDir, ...usageFiles()], { cwd: project.dir });
  assert.equal(r.status, 0, text(r.stdout));
  for (const f of usageFiles()) {
    const run1 = node([path.join(outDir, f.replace(/\.ts$/, '.js'))]);
    assert.equal(run1.status, 0, `${f}: ${text(run1.stderr)}`);
    assert.match(text(run1.stdout), /every export called/);
  }
});

test('tsc --strict rejects wrong.ts with exactly its marked errors, on the marked lines', () => {
  const source = fs.readFileSync(path.join(here, 'wrong.ts'), 'utf8').split('\n');
  const expected = source.flatMap((l, i) => [...l.matchAll(/\/\/ error (TS\d+)$/g)].map((m) => `${i + 1} ${m[1]}`));
  assert.ok(expected.length >= 10);
  const r = tsc(['wrong.ts'], { expectFail: true });
  assert.notEqual(r.status, 0, 'wrong.ts compiled');
  const got = [...text(r.stdout).matchAll(/^wrong\.ts\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual([...new Set(got)].sort(), [...new Set(expected)].sort(), text(r.stdout));
});

/** A TypeScript program over the usage files and every entry point's declarations. */
function program() {
  const files = [...usageFiles().map((f) => path.join(project.dir, f)), ...entries.map((e) => e.types)];
  return ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'], types: [],
  });
}

test('every export of every entry point (and every method of every class) is used by the TypeScript usage files', () => {
  const prog = program();
  const checker = prog.getTypeChecker();
  const aliased = (s) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const used = new Set();
  const constructed = new Set();
  const markDispose = (type, name) => {
    for (const p of type.getProperties()) if (String(p.escapedName).startsWith(`__@${name}@`)) used.add(p);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return; // naming is not using
    if (ts.isIdentifier(node)) {
      const s = aliased(checker.getSymbolAtLocation(node));
      if (s) used.add(s);
    }
    if (ts.isNewExpression(node)) constructed.add(aliased(checker.getSymbolAtLocation(node.expression)));
    if (ts.isElementAccessExpression(node) && ts.isPropertyAccessExpression(node.argumentExpression)
      && node.argumentExpression.expression.getText() === 'Symbol') {
      markDispose(checker.getTypeAtLocation(node.expression), node.argumentExpression.name.text);
    }
    if (ts.isVariableDeclarationList(node) && node.flags & ts.NodeFlags.Using) {
      for (const d of node.declarations) if (d.initializer) markDispose(checker.getTypeAtLocation(d.initializer), 'dispose');
    }
    ts.forEachChild(node, visit);
  };
  for (const f of usageFiles()) visit(prog.getSourceFile(path.join(project.dir, f)));

  const missing = [];
  for (const { subpath, types } of entries) {
    const sf = prog.getSourceFile(types);
    assert.ok(sf, `${types} is not in the program`);
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf));
    assert.ok(exports.length > 0);
    for (const exp of exports) {
      const name = `${subpath === '.' ? 'hwoath' : `hwoath/${subpath.slice(2)}`} ${exp.name}`;
      const target = aliased(exp);
      if (!used.has(target)) missing.push(name);
      if (!(target.flags & ts.SymbolFlags.Class)) continue;
      const decl = target.declarations.find(ts.isClassDeclaration);
      const ctor = decl.members.find(ts.isConstructorDeclaration);
      const isPrivate = ctor && ts.getCombinedModifierFlags(ctor) & ts.ModifierFlags.Private;
      if (!isPrivate && !constructed.has(target)) missing.push(`${name}: new ${exp.name}(…)`);
      const members = [
        ...checker.getDeclaredTypeOfSymbol(target).getProperties().map((p) => [p, `#${p.name}`]),
        ...checker.getTypeOfSymbolAtLocation(target, decl).getProperties().filter((p) => p.name !== 'prototype').map((p) => [p, `.${p.name}`]),
      ];
      for (const [m, label] of members) if (!used.has(m)) missing.push(`${name}${label.replace(/__@(\w+)@\d+/, '[Symbol.$1]')}`);
    }
  }
  assert.deepEqual(missing, [], `exported but never used in tests/release/npm/usage*.ts:\n  ${missing.join('\n  ')}`);
});

test('the public types have no `any`', () => {
  const prog = program();
  const found = [];
  for (const { types } of entries) {
    const sf = prog.getSourceFile(types);
    const visit = (node) => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) {
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${path.relative(pkgDir, types)}:${line + 1}: ${sf.text.split('\n')[line].trim()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  assert.deepEqual(found, []);
});

const esbuild = tools('esbuild');

test('bundlers: esbuild takes the web build for the browser and the node entry for Node, and the Node bundle runs', async () => {
  const entry = path.join(project.dir, 'entry.js');
  const browser = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
  const nodeEntry = path.join(project.dir, 'node-entry.mjs');
  fs.writeFileSync(nodeEntry, `import { totp } from 'hwoath';\nconsole.log(totp('${RFC_SHA1}', { time: 59 }));\n`);
  const bundleDir = path.join(project.dir, 'node-bundle');
  const nodeOut = await esbuild.build({ entryPoints: [nodeEntry], bundle: true, format: 'esm', platform: 'node', outdir: bundleDir, metafile: true, logLevel: 'silent' });
  const inputs = (m) => Object.keys(m.metafile.inputs).filter((i) => i.includes('node_modules/hwoath/')).map((i) => i.replace(/^.*node_modules\/hwoath\//, '')).sort();
  const rootEntry = pkgJson.exports['.'];
  assert.deepEqual(inputs(browser), [rootEntry.default.slice(2)]);
  assert.deepEqual(inputs(nodeOut), [rootEntry.default.slice(2), rootEntry.node.slice(2)].sort());
  // The Node bundle reads the wasm next to itself, as the package does.
  fs.copyFileSync(path.join(pkgDir, 'hwoath_bg.wasm'), path.join(bundleDir, 'hwoath_bg.wasm'));
  const r = node([path.join(bundleDir, 'node-entry.js')]);
  assert.equal(r.status, 0, text(r.stderr));
  assert.equal(text(r.stdout), '287082\n');
});

test('Chromium: a page importing the package (import map) and an esbuild bundle of it both compute codes and validate as the CLI does', async () => {
  const { ARGS } = await import(pathToFileURL(path.join(root, 'tests', 'page', 'harness.mjs')).href);
  const { chromium } = tools('playwright-core');
  const bundleDir = path.join(project.dir, 'web-bundle');
  await esbuild.build({ entryPoints: [path.join(project.dir, 'entry.js')], bundle: true, format: 'esm', platform: 'browser', outdir: bundleDir, logLevel: 'silent' });
  fs.copyFileSync(path.join(pkgDir, 'hwoath_bg.wasm'), path.join(bundleDir, 'hwoath_bg.wasm'));
  fs.writeFileSync(path.join(bundleDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bundle</title><script type="module" src="entry.js"></script>');
  const fileText = fs.readFileSync(fixture, 'utf8');
  const cliReport = JSON.parse(text(run(nativeCli(), ['validate', '--json', fixture]).stdout));

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const context = await browser.newContext();
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    const served = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const file = path.join(project.dir, decodeURIComponent(url.pathname));
      if (url.origin !== 'http://npm-user.test' || !file.startsWith(project.dir) || !fs.existsSync(file)) return route.abort();
      served.push(url.pathname);
      return route.fulfill({ body: fs.readFileSync(file), contentType: types[path.extname(file)] ?? 'application/octet-stream' });
    });
    for (const url of ['http://npm-user.test/page.html', 'http://npm-user.test/web-bundle/index.html']) {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => window.ready, null, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => window.ready), 'ok', url);
      const got = await page.evaluate(([secret, t]) => ({
        code: window.hwoath.totp(secret, { time: 1111111109, digits: 8 }),
        report: window.hwoath.validate(t, {}),
      }), [RFC_SHA1, fileText]);
      assert.equal(got.code, '07081804', url);
      assert.deepEqual(got.report, cliReport, url);
      assert.deepEqual(errors, [], url);
      await page.close();
    }
    assert.ok(served.includes('/node_modules/hwoath/hwoath_bg.wasm'), 'the unbundled page loaded the wasm from the package');
    assert.ok(served.includes('/web-bundle/hwoath_bg.wasm'), 'the bundle loaded the wasm next to it');
  } finally {
    await browser.close();
  }
});
