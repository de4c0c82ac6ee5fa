// Assembles the npm package from the wasm-pack output(s) and packs it (npm pack format):
//   node scripts/npm-package.mjs --stage DIR --pack DEST    (scripts/release.sh, after scripts/build.sh)
//
// One package, every environment, through conditional "exports" (per entry point):
//   "types"   the wasm-bindgen declarations (InitOutput's raw wasm exports typed `unknown`
//             instead of `any`: no `any` in the public API);
//   "node"    node.js: instantiates the wasm synchronously from the package's own file (no fetch,
//             no initSync to call) and re-exports everything, `init` included (already done, so
//             `await init()` resolves at once: the same code runs in a browser and in Node);
//   "default" the wasm-bindgen `--target web` glue: browsers and bundlers, `await init()` loads
//             the .wasm next to it (new URL(…, import.meta.url)).
// The entry points are wasm-pack.toml [npm-package] modules ("." at the package root, any other
// subpath in a folder of that name, e.g. "./pgp" → pgp/). The version, description and licence
// are the "." module's (wasm-pack copies them from Cargo.toml: one version number, in Cargo.toml).
// The README is npm/README.md (@VERSION@ replaced by the version), with npm/README-tokenset.md inserted before "## One-shot
// functions" when the "." module exports the TokenSet class. LICENSE and CHANGELOG.md come from
// the repository root.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: node scripts/npm-package.mjs --stage DIR --pack DEST (missing --${name})`);
  return path.resolve(process.argv[i + 1]);
};
const stage = arg('stage');
const dest = arg('pack');
const modules = JSON.parse(execFileSync('python3', [path.join(root, 'scripts/toolcfg.py'), '--json', 'npm-package', 'modules'], { encoding: 'utf8' }));
if (!modules['.']) throw new Error('wasm-pack.toml [npm-package] modules has no "." entry');

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

/** The raw wasm exports wasm-bindgen lists in InitOutput take `any` for JS values: `unknown`. */
function typedDeclarations(dts) {
  return dts.replace(/^export interface InitOutput \{\n[^]*?^\}\n/m, (block) => block.replace(/\bany\b/g, 'unknown'));
}

const nodeEntry = (glue, wasm) => `// Node entry of this module (package.json "exports" → "node"): the wasm is instantiated here,
// synchronously, from the package's own file; nothing is fetched and there is no initSync to call.
// \`init\` (the default export) is re-exported and resolves at once, so code written for the
// browser (\`await init()\`) runs unchanged.
import { readFileSync } from 'node:fs';
import { initSync } from './${glue}';

initSync({ module: readFileSync(new URL('./${wasm}', import.meta.url)) });

export * from './${glue}';
export { default } from './${glue}';
`;

const exportsMap = {};
const files = [];
const sideEffects = [];
let main;
for (const [subpath, dir] of Object.entries(modules)) {
  if (subpath !== '.' && !/^\.\/[a-z0-9-]+$/.test(subpath)) throw new Error(`npm-package module ${subpath}: a subpath is "./name"`);
  const src = path.resolve(root, dir);
  const wp = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
  const glue = wp.module ?? wp.main;
  const types = wp.types;
  const wasm = (wp.files ?? []).find((f) => f.endsWith('_bg.wasm'));
  if (!glue || !types || !wasm) throw new Error(`${dir}/package.json: no glue, types or wasm (is it a wasm-pack --target web build?)`);
  if (subpath === '.') main = wp;
  const folder = subpath === '.' ? '' : `${subpath.slice(2)}/`;
  fs.mkdirSync(path.join(stage, folder), { recursive: true });
  fs.copyFileSync(path.join(src, glue), path.join(stage, folder, glue));
  fs.copyFileSync(path.join(src, wasm), path.join(stage, folder, wasm));
  const dts = typedDeclarations(fs.readFileSync(path.join(src, types), 'utf8'));
  fs.writeFileSync(path.join(stage, folder, types), dts);
  fs.writeFileSync(path.join(stage, folder, 'node.js'), nodeEntry(glue, wasm));
  exportsMap[subpath] = { types: `./${folder}${types}`, node: `./${folder}node.js`, default: `./${folder}${glue}` };
  exportsMap[`${subpath}/${wasm}`] = `./${folder}${wasm}`;
  files.push(`${folder}${glue}`, `${folder}${wasm}`, `${folder}${types}`, `${folder}node.js`);
  sideEffects.push(`./${folder}node.js`);
}
exportsMap['./package.json'] = './package.json';

let readme = fs.readFileSync(path.join(root, 'npm/README.md'), 'utf8').replaceAll('@VERSION@', main.version);
const rootTypes = fs.readFileSync(path.join(stage, main.types), 'utf8');
if (/^export class TokenSet\b/m.test(rootTypes)) {
  const section = fs.readFileSync(path.join(root, 'npm/README-tokenset.md'), 'utf8');
  const at = readme.indexOf('\n## One-shot functions');
  if (at < 0) throw new Error('npm/README.md has no "## One-shot functions" heading to put the TokenSet section before');
  readme = `${readme.slice(0, at + 1)}${section.trimEnd()}\n\n${readme.slice(at + 1)}`;
}
fs.writeFileSync(path.join(stage, 'README.md'), readme);
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
fs.copyFileSync(path.join(root, 'CHANGELOG.md'), path.join(stage, 'CHANGELOG.md'));

// No repository or homepage: the project has no public address yet (and npm must not get a made-up one).
const pkg = {
  name: 'hwoath',
  version: main.version,
  description: main.description,
  license: main.license,
  keywords: ['totp', 'oath', 'hotp', 'entra', 'microsoft-graph', 'hardware-token', 'webassembly'],
  type: 'module',
  exports: exportsMap,
  // For tools that ignore "exports" (TypeScript's node10 resolution, old bundlers).
  main: exportsMap['.'].default,
  module: exportsMap['.'].default,
  types: exportsMap['.'].types,
  files: [...files, 'CHANGELOG.md'],
  sideEffects,
  engines: { node: '>=20' },
};
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

// The same bytes whatever the checkout's umask: npm pack keeps the files' modes.
for (const f of fs.readdirSync(stage, { recursive: true })) {
  const p = path.join(stage, f);
  fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
}
fs.mkdirSync(dest, { recursive: true });
const name = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dest], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
console.log(path.join(dest, name));
