// Shared by the release tests (tests/release/*.test.mjs): where the artefacts are, the version,
// the native CLI to compare with, and a process runner that keeps bytes as bytes.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const release = path.join(root, 'dist', 'release');
/** Packages pinned in wasm-pack.toml [npm] (typescript, esbuild, playwright-core). */
export const tools = createRequire(path.join(root, 'tools', 'package.json'));

/** Cargo.toml's package version: the one version every artefact is named after. */
export const version = JSON.parse(execFileSync('cargo', ['metadata', '--no-deps', '--format-version', '1'], { cwd: root, encoding: 'utf8' }))
  .packages.find((p) => p.name === 'hwoath').version;

/** The path of a release artefact; fails clearly when scripts/release.sh has not been run. */
export function artefact(name) {
  const p = path.join(release, name);
  if (!fs.existsSync(p)) throw new Error(`dist/release/${name} is missing: run \`bash scripts/release.sh\` first (scripts/test.sh does it)`);
  return p;
}

let native = null;
/** The native CLI of this checkout (target/debug/hwoath; `cargo build` first, a no-op when fresh). */
export function nativeCli() {
  if (!native) {
    execFileSync('cargo', ['build', '-q', '--bin', 'hwoath'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    native = path.join(root, 'target', 'debug', 'hwoath');
  }
  return native;
}

/** Runs a program; stdout and stderr as Buffers, with the exit status. */
export function run(cmd, args, { cwd = root, env = process.env, input } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
