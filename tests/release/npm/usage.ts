// Calls every function and method the package exports, and names every exported type, with the
// types a user would write (tests/release/npm.test.mjs compiles it with `tsc --strict --noEmit`
// against the installed tarball, then compiles and runs it under Node). The test fails when the
// package exports a name this file does not use: a new export is added here, with a real call.
import init, {
  initSync, totp, verifyCode, findDrift, defaultDriftSteps, inspectSecret, assessDrift, TotpGenerator,
  validate, normalize, parseTokens, parseListing, variants, graphRequests, reconcile,
} from 'hwoath';
import type {
  InitInput, InitOutput, SyncInitInput,
  HashFunction, CodeOptions, GeneratorOptions, VerifyOptions, VerifyResult, DriftOptions, DriftCandidate,
  DriftResult, SecretIssueKind, SecretIssue, SecretInspection, EntraFit,
  GraphHashFunction, InputFormat, TokenFileOptions, NormalizeOptions, FileDiagnostic, ValidationReport,
  SkippedRecord, NormalizeResult, DetectedFormat, TokenRow, ParsedTokens, ListedDevice,
  VariantsOptions, VariantInfo, VariantRefusalCode, VariantRefusal, VariantsResult, GraphDeltaItem,
  GraphDeltaBody, GraphRequestKind, GraphRequestOptions, GraphRequest, ReconcileOptions,
  TokenReconciliation, UnmatchedResponseItem, Reconciliation,
} from 'hwoath';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`usage.ts: ${what}`);
}

// Loading: in Node the module is ready on import; init() and initSync() return the instance.
const output: InitOutput = await init();
const input: InitInput | undefined = undefined;
const sync: SyncInitInput | undefined = undefined;
check(initSync({ module: new Uint8Array(0) }) === output, 'initSync after init returns the same instance');
check(input === undefined && sync === undefined && output.memory instanceof WebAssembly.Memory, 'InitOutput.memory');

// RFC 6238's test key (ASCII "12345678901234567890") and its SHA-1 vector at T = 59.
const RFC = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const hash: HashFunction = 'hmacsha1';
const codeOptions: CodeOptions = { hashFunction: hash, period: 30, digits: 8, time: 59 };
check(totp(RFC, codeOptions) === '94287082', 'totp RFC 6238 vector');

const verify: VerifyOptions = { code: totp(RFC, { time: 1_000_000 - 30 }), time: 1_000_000, behind: 1, ahead: 1 };
const verified: VerifyResult = verifyCode(RFC, verify);
check(verified.matched && verified.offsetSteps === -1 && verified.offsetSeconds === -30, 'verifyCode one step behind');

const driftOptions: DriftOptions = { codes: [totp(RFC, { time: 1_000_000 + 90 })], time: 1_000_000, maxSteps: 10 };
const drift: DriftResult = findDrift(RFC, driftOptions);
const nearest: DriftCandidate | undefined = drift.candidates[0];
check(nearest?.offsetSteps === 3 && drift.scannedSteps === 21, 'findDrift finds +3 steps in ±10');
check(defaultDriftSteps(30) === defaultDriftSteps() && defaultDriftSteps(60) * 2 === defaultDriftSteps(30), 'defaultDriftSteps');
const fit: EntraFit = assessDrift(nearest?.offsetSeconds ?? 0, 30);
check(!fit.signIn && fit.activation && fit.message.length > 0, 'assessDrift 90 s');

const inspection: SecretInspection = inspectSecret('gezd-gnbv gy3t qojq');
const issue: SecretIssue | undefined = inspection.issues[0];
const kinds: SecretIssueKind[] = inspection.issues.map((i) => i.kind);
check(inspection.valid && issue !== undefined && kinds.includes('lower-case') && kinds.includes('hyphen'), 'inspectSecret');

const generatorOptions: GeneratorOptions = { hashFunction: 'hmacsha256', period: 60, digits: 6 };
const gen = new TotpGenerator(RFC, generatorOptions);
check(gen.code(120) === totp(RFC, { ...generatorOptions, time: 120 }), 'TotpGenerator.code');
check(gen.value(120) === Number(gen.code(120)) && gen.secondsLeft(100) === 20, 'TotpGenerator.value, secondsLeft');
const values: Uint32Array = gen.values(120, 3);
check(values.length === 3 && values[0] === gen.value(120), 'TotpGenerator.values');
gen.free();
const disposed = new TotpGenerator(RFC, {});
disposed[Symbol.dispose]();

// Token files.
const text = JSON.stringify({
  '@context': '#$delta',
  value: [
    { '@contentId': '1', serialNumber: '2300000000001', manufacturer: 'Token2', model: 'C202',
      secretKey: RFC, timeIntervalInSeconds: 30, hashFunction: 'hmacsha1' },
    { '@contentId': '2', serialNumber: '2300000000042', manufacturer: 'Token2', model: 'C202',
      secretKey: 'jbsw y3dp ehpk 3pxp', timeIntervalInSeconds: 45 },
  ],
});
const listing = JSON.stringify({ value: [{ id: 'aad49556-9f3c-4a6e-b2c8-7d7e6f5a4b3c', serialNumber: '2300000000042',
  manufacturer: 'Token2', model: 'C202', status: 'available', assignedTo: null }] });
const graphHash: GraphHashFunction = 'hmacsha1';
const format: InputFormat = 'auto';
const fileOptions: TokenFileOptions = { listing: [listing], hashFunction: graphHash, format };
const report: ValidationReport = validate(text, fileOptions);
const diagnostics: FileDiagnostic[] = report.diagnostics;
check(report.records === 2 && report.valid === 1 && report.invalid === 1, 'validate counts');
check(diagnostics.every((d) => d.code.startsWith('HW')) && diagnostics.some((d) => d.record === 1 && d.severity === 'error'), 'validate diagnostics');

const normalizeOptions: NormalizeOptions = { skipInvalid: true };
const normalized: NormalizeResult = normalize(text, normalizeOptions);
const skipped: SkippedRecord | undefined = normalized.skipped[0];
check(normalized.json !== null && skipped?.record === 1 && skipped.reasons.length > 0, 'normalize skipInvalid');
check(normalize(text, {}).json === null, 'normalize refuses an invalid record');

const parsed: ParsedTokens = parseTokens(text, {});
const detected: DetectedFormat = parsed.format;
const row: TokenRow | undefined = parsed.records[0];
check(detected === 'graphDelta' && row?.secret === RFC && row.secretMasked !== null && parsed.report.records === 2, 'parseTokens');

const devices: ListedDevice[] = parseListing(listing);
check(devices.length === 1 && devices[0]?.serialNumber === '2300000000042', 'parseListing');

// Variants and Graph requests of the valid record only.
const valid = normalized.json ?? '';
const variantsOptions: VariantsOptions = { copies: 2, hashFunction: 'hmacsha1' };
const made: VariantsResult = variants(valid, variantsOptions);
const info: VariantInfo | undefined = made.variants[0];
const body: GraphDeltaBody | null = made.body;
const item: GraphDeltaItem | undefined = body?.value[0];
const refusals: VariantRefusal[] = made.refusals;
const refusalCodes: VariantRefusalCode[] = refusals.map((r) => r.code);
check(made.variants.length === 2 && info?.copy === 1 && item?.serialNumber === info.serialNumber && refusalCodes.length === 0, 'variants');

const kind: GraphRequestKind = 'create-bulk';
const requestOptions: GraphRequestOptions = { request: kind, chunk: 100 };
const requests: GraphRequest[] = graphRequests(valid, requestOptions);
check(requests.length === 1 && requests[0]?.method === 'PATCH' && requests[0].records.length === 1, 'graphRequests');

const response = JSON.stringify({ value: [{ '@contentId': '1', id: 'd-1', device: { id: 'd-1', serialNumber: '2300000000001', status: 'available' } }] });
const reconcileOptions: ReconcileOptions = { chunk: 100 };
const reconciled: Reconciliation = reconcile(valid, response, reconcileOptions);
const token: TokenReconciliation | undefined = reconciled.tokens[0];
const unmatched: UnmatchedResponseItem[] = reconciled.unmatched;
check(reconciled.shape === 'bulk' && reconciled.created === 1 && token?.deviceId === 'd-1' && unmatched.length === 0, 'reconcile');

console.log('usage.ts: every export called');
