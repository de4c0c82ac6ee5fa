// Node 20+, plain ESM, nothing but the installed package: validates a token file and computes a
// code (tests/release/npm.test.mjs runs it in a fresh project and compares with the CLI).
//   node smoke.mjs TOKEN-FILE SECRET TIME
// `fetch` is removed first: the package's Node entry must read its wasm from its own files.
import { readFileSync } from 'node:fs';

delete globalThis.fetch;
const { validate, totp } = await import('hwoath');
const [file, secret, time] = process.argv.slice(2);
const report = validate(readFileSync(file, 'utf8'), {});
console.log(JSON.stringify({
  records: report.records,
  valid: report.valid,
  invalid: report.invalid,
  diagnostics: report.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`),
  code: totp(secret, { time: Number(time), digits: 8 }),
}));
