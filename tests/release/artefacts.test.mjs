// What dist/release/ holds besides the npm package and the binaries' behaviour (npm.test.mjs,
// cli.test.mjs): the list of artefacts and their checksums, the single page, BUILDINFO, the SBOMs
// (every crate compiled into each artefact, target by target), the shell completions and man
// pages (every subcommand and option of the CLI), and the one version number.
//   node --test tests/release/artefacts.test.mjs        (after bash scripts/release.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { artefact, nativeCli, release, root, run, version } from './common.mjs';

const targets = JSON.parse(execFileSync('python3', [path.join(root, 'scripts/toolcfg.py'), '--json', 'release', 'targets'], { encoding: 'utf8' }));
const exe = (triple) => (triple.includes('windows') ? '.exe' : '');
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
const files = () => sh('find', ['.', '-type', 'f', '-printf', '%P\\n'], { cwd: release }).trim().split('\n').sort();

test('dist/release holds the page, the package, a binary and an SBOM per target, completions, man pages, BUILDINFO and SHA256SUMS covering all of them', () => {
  artefact('SHA256SUMS');
  const have = files();
  const want = ['hwoath.html', 'hwoath.html.sha256', `hwoath-${version}.tgz`, 'BUILDINFO.txt', 'SHA256SUMS',
    ...wasmPackages.map((p) => `${p}-${version}-wasm32.cdx.json`),
    'completions/hwoath.bash', 'completions/_hwoath', 'completions/hwoath.fish', 'completions/_hwoath.ps1', 'man/hwoath.1',
    ...Object.entries(targets).flatMap(([triple, name]) => [`hwoath-${version}-${name}${exe(triple)}`, `hwoath-${version}-${name}.cdx.json`])];
  for (const f of want) assert.ok(have.includes(f), `dist/release/${f}`);
  const sums = fs.readFileSync(path.join(release, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split('  ')[1]);
  assert.deepEqual(sums, have.filter((f) => f !== 'SHA256SUMS'), 'SHA256SUMS lists every other file, sorted');
  const check = run('sha256sum', ['--check', '--strict', 'SHA256SUMS'], { cwd: release });
  assert.equal(check.status, 0, check.stdout.toString() + check.stderr.toString());
  assert.equal(check.stdout.toString().trim().split('\n').length, sums.length);
});

test('hwoath.html is the single file scripts/build.sh --single writes, with its checksum', () => {
  assert.ok(fs.readFileSync(artefact('hwoath.html')).equals(fs.readFileSync(path.join(root, 'dist', 'hwoath.html'))));
  assert.equal(run('sha256sum', ['-c', 'hwoath.html.sha256'], { cwd: release }).stdout.toString(), 'hwoath.html: OK\n');
});

test('BUILDINFO names the version, the commit of this checkout and the tools', () => {
  const info = fs.readFileSync(artefact('BUILDINFO.txt'), 'utf8').split('\n');
  assert.equal(info[0], `hwoath ${version}`);
  assert.equal(info[1], `commit ${sh('git', ['rev-parse', 'HEAD']).trim()}`);
  assert.equal(info[2], `SOURCE_DATE_EPOCH ${sh('git', ['log', '-1', '--format=%ct']).trim()}`);
  for (const tool of ['rustc ', 'cargo ', 'wasm-pack ', 'wasm-bindgen ', 'wasm-opt ', 'esbuild ', 'zopfli ', 'node ']) {
    assert.ok(info.some((l) => l.startsWith(tool)), tool);
  }
});

/** name@version of every component of an SBOM. */
const components = (file) => JSON.parse(fs.readFileSync(artefact(file), 'utf8')).components.map((c) => `${c.name}@${c.version}`).sort();
/** What cargo resolves for a package on a target: normal dependencies, the package itself left out. */
function cargoTree(triple, pkg = 'hwoath') {
  const out = sh('cargo', ['tree', '--locked', '-p', pkg, '-e', 'normal', '--target', triple, '--prefix', 'none', '-f', '{p}']);
  return [...new Set(out.trim().split('\n').map((l) => l.split(' ')).filter(([n]) => n !== pkg).map(([n, v]) => `${n}@${v.slice(1)}`))].sort();
}
/** The workspace's packages that build a wasm (a cdylib): each has its own SBOM. */
const metadata = JSON.parse(sh('cargo', ['metadata', '--no-deps', '--format-version', '1']));
const wasmPackages = metadata.packages
  .filter((p) => p.targets.some((t) => t.crate_types.includes('cdylib'))).map((p) => p.name);

for (const pkg of wasmPackages) {
  test(`the ${pkg} wasm SBOM names exactly the crates cargo resolves for wasm32: wasm-bindgen in, clap out`, () => {
    const file = `${pkg}-${version}-wasm32.cdx.json`;
    const sbom = components(file);
    assert.deepEqual(sbom, cargoTree('wasm32-unknown-unknown', pkg));
    assert.ok(sbom.some((c) => c.startsWith('wasm-bindgen@')), 'wasm-bindgen in the wasm');
    assert.ok(!sbom.some((c) => c.startsWith('clap')), 'no clap in the wasm');
    const bom = JSON.parse(fs.readFileSync(artefact(file), 'utf8'));
    assert.equal(bom.bomFormat, 'CycloneDX');
    // The component is the cdylib target, named after the crate (hwoath_pgp for hwoath-pgp).
    assert.ok([pkg, pkg.replaceAll('-', '_')].includes(bom.metadata.component.name), bom.metadata.component.name);
    assert.ok(!('serialNumber' in bom));
    assert.equal(bom.metadata.timestamp, new Date(Number(sh('git', ['log', '-1', '--format=%ct']).trim()) * 1000).toISOString().replace('.000Z', '.000000000Z'));
    assert.ok(!JSON.stringify(bom).includes(root), 'no path of this checkout');
  });
}

for (const [triple, name] of Object.entries(targets)) {
  test(`the ${name} SBOM names every crate compiled into that binary (cargo's own build log), and clap, not wasm-bindgen`, () => {
    const file = `hwoath-${version}-${name}.cdx.json`;
    const bom = JSON.parse(fs.readFileSync(artefact(file), 'utf8'));
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    const sbom = components(file);
    assert.deepEqual(sbom, cargoTree(triple));
    assert.ok(sbom.some((c) => c.startsWith('clap@')));
    assert.ok(!sbom.some((c) => /^(wasm-bindgen|js-sys|serde-wasm-bindgen|clap_complete|clap_mangen)@/.test(c)), 'no wasm crate, no release-only generator');
    // Every library cargo compiled for this target during the release build (not the host's
    // build scripts and proc macros, which run at build time) is a component.
    const log = path.join(root, 'target', 'release-work', `${triple}.cargo.json`);
    // A workspace member's id names this checkout's path (spelt `#0.1.0` or `#name@0.1.0` by the
    // directory's name); the SBOM's names /hwoath (sbom.py): members are compared by name@version.
    const member = new Map(metadata.packages.map((p) => [p.id, `${p.name}@${p.version}`]));
    const compiled = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((m) => m.reason === 'compiler-artifact' && m.filenames.some((f) => f.includes(`/${triple}/`)) && m.package_id !== undefined)
      .map((m) => m.package_id).filter((id) => member.get(id) !== `hwoath@${version}`);
    assert.ok(compiled.length > 10, `${log}: compiled crates`);
    const missing = compiled.filter((id) => (member.has(id) ? !sbom.includes(member.get(id)) : !refs.has(id)));
    assert.deepEqual(missing, [], 'compiled but missing from the SBOM');
    const binary = fs.readFileSync(artefact(`hwoath-${version}-${name}${exe(triple)}`));
    assert.equal(bom.metadata.component.hashes[0].content, execFileSync('sha256sum', { input: binary, encoding: 'utf8' }).slice(0, 64));
    assert.deepEqual(bom.metadata.properties.filter((p) => p.name === 'hwoath:artefact').map((p) => p.value), [`hwoath-${version}-${name}${exe(triple)}`]);
  });
}

/** Every subcommand of the CLI, nested ones too (e.g. ['key', 'new']), each with its long
 *  options, from the CLI's own --help. */
function cli() {
  const help = (args) => run(nativeCli(), [...args, '--help']).stdout.toString();
  const subcommands = (args) => (help(args).split('Commands:\n')[1] ?? '').split('\n\n')[0].split('\n')
    .map((l) => l.trim().split(/\s+/)[0]).filter((s) => s && s !== 'help');
  const walk = (args) => subcommands(args).flatMap((s) => {
    const sub = [...args, s];
    // The options are the lines of the Options list (the prose may name another tool's flags).
    return [[sub, [...new Set([...help(sub).matchAll(/^ +(?:-[A-Za-z0-9], )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]))]], ...walk(sub)];
  });
  const all = walk([]);
  assert.ok(all.length >= 9, 'subcommands found in --help');
  return all;
}

test('bash completion completes every subcommand and every option of each (from the CLI\'s --help)', () => {
  const script = artefact('completions/hwoath.bash');
  const complete = (words) => {
    const w = words.map((x) => `'${x}'`).join(' ');
    return run('bash', ['--norc', '-c', `source '${script}'; COMP_WORDS=(${w}); COMP_CWORD=${words.length - 1}; _hwoath hwoath '${words.at(-1)}' '${words.at(-2)}'; printf '%s\\n' "\${COMPREPLY[@]}"`]).stdout.toString().trim().split(/\s+/);
  };
  for (const [sub, options] of cli()) {
    assert.ok(complete(['hwoath', ...sub.slice(0, -1), '']).includes(sub.at(-1)), `hwoath ${sub.slice(0, -1).join(' ')} <TAB> offers ${sub.at(-1)}`);
    const offered = complete(['hwoath', ...sub, '--']);
    for (const o of options) assert.ok(offered.includes(o), `hwoath ${sub.join(' ')} --<TAB> offers ${o}`);
  }
});

test('fish completion completes every subcommand and option; zsh parses its completion; the PowerShell one names them all', () => {
  const spec = cli();
  const fish = artefact('completions/hwoath.fish');
  const fishComplete = (line) => run('fish', ['--no-config', '-c', `source '${fish}'; complete -C '${line}'`]).stdout.toString().split('\n').map((l) => l.split('\t')[0]);
  const zsh = artefact('completions/_hwoath');
  const zshParse = run('zsh', ['-n', zsh]);
  assert.equal(zshParse.status, 0, zshParse.stderr.toString());
  const zshText = fs.readFileSync(zsh, 'utf8');
  // No PowerShell in Debian: the script is checked for content only (it is clap_complete's own
  // output for the same command definition as the others).
  const ps = fs.readFileSync(artefact('completions/_hwoath.ps1'), 'utf8');
  assert.match(ps, /Register-ArgumentCompleter -Native -CommandName 'hwoath'/);
  for (const [sub, options] of spec) {
    const words = sub.join(' ');
    assert.ok(fishComplete(`hwoath ${sub.slice(0, -1).map((w) => `${w} `).join('')}`).includes(sub.at(-1)), `fish: offers ${words}`);
    const offered = fishComplete(`hwoath ${words} --`);
    for (const o of options) {
      assert.ok(offered.includes(o), `fish: hwoath ${words} --<TAB> offers ${o}`);
      // zsh's spec may open with the options it excludes: '(--passphrase-fd)--passphrase-file=[…]'.
      assert.match(zshText, new RegExp(`'(\\([^)']*\\))?\\*?${o}[=\\[]`), `zsh: ${words} ${o}`);
      assert.ok(ps.includes(`'${o}'`), `PowerShell: ${words} ${o}`);
    }
    assert.ok(ps.includes(`'hwoath;${sub.join(';')}'`), `PowerShell: ${words}`);
  }
});

test('man pages: one per subcommand, each rendering without a warning and naming every option, the version and the commit date', () => {
  const date = sh('git', ['log', '-1', '--format=%cd', '--date=format-local:%Y-%m-%d'], { env: { ...process.env, TZ: 'UTC' } }).trim();
  const versionText = run(nativeCli(), ['--version']).stdout.toString().trim();
  const pages = [['hwoath', []], ...cli().map(([s, o]) => [`hwoath-${s.join('-')}`, o])];
  for (const [page, options] of pages) {
    const file = artefact(`man/${page}.1`);
    const src = fs.readFileSync(file, 'utf8');
    assert.ok(src.includes(`.TH ${page} 1 ${date} "${versionText}" "hwoath manual"`), `${page}.1 title line`);
    const r = run('groff', ['-k', '-man', '-Tutf8', '-ww', '-z', file]);
    assert.equal(r.stderr.toString(), '', `${page}.1 renders without warnings`);
    const shown = run('groff', ['-k', '-man', '-Tutf8', '-P', '-cbou', file]).stdout.toString();
    for (const o of options) assert.ok(shown.includes(o), `${page}(1) documents ${o}`);
  }
  assert.equal(files().filter((f) => f.startsWith('man/')).length, pages.length, 'no other page');
});

test('the completions and man pages generator is not in the released binaries', () => {
  const bin = artefact(`hwoath-${version}-x86_64-linux-musl`);
  const r = run(bin, ['dist-files', '/nonexistent'], { env: {} });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /unrecognized subcommand 'dist-files'/);
  for (const f of files().filter((f) => /^(completions|man)\//.test(f))) {
    assert.ok(!fs.readFileSync(path.join(release, f), 'utf8').includes('dist-files'), f);
  }
});

test('one version number: Cargo.toml\'s, in the package, the file names, --version and a CHANGELOG section', () => {
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, /^# Changelog\n/);
  assert.match(changelog, new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'), 'a Keep a Changelog section for the version');
  const pkg = JSON.parse(sh('tar', ['-xzOf', artefact(`hwoath-${version}.tgz`), 'package/package.json']));
  assert.equal(pkg.version, version);
  assert.match(run(nativeCli(), ['--version']).stdout.toString(), new RegExp(`^hwoath ${version.replaceAll('.', '\\.')} \\(`));
  // And no made-up repository address left in the manifest.
  assert.doesNotMatch(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'), /example\.invalid/);
});

test("the README's Install section names every artefact an admin downloads", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const install = readme.split('\n## Install\n')[1]?.split('\n## ')[0];
  assert.ok(install, 'README has an Install section');
  assert.ok(readme.indexOf('\n## Install\n') < readme.indexOf('\n## Set-up'), 'Install comes first after the summary');
  const names = ['hwoath.html', 'SHA256SUMS', 'hwoath-<version>.tgz', 'completions/hwoath.bash', 'completions/_hwoath', 'completions/hwoath.fish',
    'completions/_hwoath.ps1', 'man/hwoath.1', ...Object.entries(targets).map(([triple, name]) => `hwoath-<version>-${name}${exe(triple)}`)];
  for (const n of names) assert.ok(install.includes(n), `Install names ${n}`);
});
