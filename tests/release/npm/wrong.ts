// Deliberately wrong uses of the package: `tsc --strict --noEmit` must reject this file with
// exactly the errors marked `// error TSnnnn` at the end of a line, on those lines and no others
// (tests/release/npm.test.mjs). Each line is a mistake the types exist to catch.
import { totp, validate, graphRequests, TotpGenerator, verifyCode, normalize, parseTokens } from 'hwoath';
import type { CodeOptions, GraphRequest } from 'hwoath';

totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', { time: '59' });               // error TS2322
totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');                              // error TS2554
totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', { period: 30 });              // error TS2345
const options: CodeOptions = { time: 59, hashFunction: 'sha1' };      // error TS2322
validate(42, {});                                                     // error TS2345
graphRequests('{}', { request: 'create-all' });                       // error TS2322
new TotpGenerator('GEZDGNBVGY3TQOJQ', { hashFunction: 'md5' });       // error TS2322
const code: number = totp('GEZDGNBVGY3TQOJQ', { time: 1 });           // error TS2322
const report = validate('{}', {});
report.errors;                                                        // error TS2339
const matched: string = verifyCode('GEZDGNBVGY3TQOJQ', { code: '123456', time: 1 }).matched; // error TS2322
const json: string = normalize('{}', {}).json;                        // error TS2322
const rows = parseTokens('{}', {}).records;
rows[0]?.secret.length;                                               // error TS2531
const request: GraphRequest = { method: 'PUT' };                      // error TS2322
export { options, code, matched, json, request };
