// The TokenSet handle and the engine's facts, used as a program holding a vendor file would
// (tests/release/npm.test.mjs compiles it with `tsc --strict`, runs it under Node, and fails when
// an export of the package is used by no usage*.ts file). Every call checks what it answered.
import { TokenSet, engineFacts, inputSizeProblem, totp } from 'hwoath';
import type {
  TokenFields, RecordPatch, TokenSetRow, MixEntry, TokenSetSummary, TokenSetReport, TokenSetVariantsOptions,
  TokenSetVariants, TokenSetRequestOptions, UserState, ResolvedUser, TokenUser, UserResolution, RequestWarning,
  TokenSetRequest, RequestsDocument, RequestsFormat, TokenSetReconcileOptions, RowCodes, VerifyOutcome, DriftRange,
  DriftVerdict, SheetEntry, EngineFacts, RequestKindFacts, KindNeeds, Need, NormalizeResult, DriftResult, Reconciliation,
  TokenSetVariation, PreparedRequests, PreparedRequest, RequestTextName, RequestHead, NormalizedStatus,
  TokenSetVariationOptions,
} from 'hwoath';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`usage-tokenset.ts: ${what}`);
}

const RFC = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const T = 1_700_000_000;
const file = JSON.stringify({
  '@context': '#$delta',
  value: [
    { '@contentId': '1', serialNumber: '2300000000001', manufacturer: 'Token2', model: 'C202',
      secretKey: RFC, timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', assignTo: { id: 'amy@contoso.example' } },
    { '@contentId': '2', serialNumber: '2300000000002', manufacturer: 'Token2', model: 'C203',
      secretKey: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', timeIntervalInSeconds: 45, hashFunction: 'hmacsha1' },
  ],
});

// The engine's constants and its request catalogue.
const facts: EngineFacts = engineFacts();
const bulk: RequestKindFacts | undefined = facts.requestKinds.find((k) => k.kind === facts.defaultKind);
check(facts.digits === 6 && facts.defaultChunk === 100 && bulk?.method === 'PATCH' && bulk.chunked, 'engineFacts');
const needs: KindNeeds | undefined = bulk?.needs;
const serialNeed: Need | undefined = needs?.serial;
check(serialNeed === 'no' && needs?.deviceId === 'no', 'a bulk upload takes no serial and no device id');
check(inputSizeProblem(1024) === undefined && typeof inputSizeProblem(1e12) === 'string', 'inputSizeProblem');

// Open once; the report has masked rows only.
const set = TokenSet.open(new TextEncoder().encode(file));
let report: TokenSetReport = set.report();
const summary: TokenSetSummary = report.summary;
const second: TokenSetRow | undefined = report.rows[1];
const periods: MixEntry<number | null>[] = report.mix.period;
check(summary.records === 2 && summary.invalid === 1 && second?.valid === false, 'open: one invalid record');
check(second?.errorFields.includes('timeIntervalInSeconds') === true, 'errorFields names the period');
check(periods.some((p) => p.value === 45 && !p.accepted), 'the mix shows the refused period');
check(report.rows.every((r) => !JSON.stringify(r).includes(RFC)), 'no key in the rows');
check(JSON.parse(set.reportJson()).summary.records === 2, 'reportJson');

// Fix in place, remove, restore.
const patch: RecordPatch = { timeIntervalInSeconds: 30 };
report = set.edit(1, patch);
check(report.summary.valid === 2 && report.rows[1]?.edited === true, 'edit fixes the record');
report = set.remove(1);
check(report.summary.removed === 1, 'remove');
report = set.restore(1);
check(report.summary.removed === 0 && report.summary.valid === 2, 'restore');
report = set.setOptions({ hashFunction: 'hmacsha1' });
check(report.summary.valid === 2, 'setOptions');

const normalized: NormalizeResult = set.normalized({ skipInvalid: false });
check(normalized.json !== null && normalized.json.includes(RFC), 'normalized writes the keys (SECRET)');
const status: NormalizedStatus = set.normalizedStatus({ skipInvalid: false });
check(status.written === (normalized.json !== null) && status.skipped.length === normalized.skipped.length
  && !JSON.stringify(status).includes(RFC), 'normalizedStatus: what normalized would write, no key');

// Codes, verify, drift.
const codes: RowCodes = set.codes(T);
check(codes.codes[0] === totp(RFC, { time: T }) && codes.secondsLeft[0] === 30 - (T % 30), 'codes');
const outcome: VerifyOutcome = set.verify(0, totp(RFC, { time: T - 30 }), T);
check(outcome.kind === 'matched' && outcome.offsetSteps === -1, 'verify one step behind');
const far = totp(RFC, { time: T + 300 });
const range: DriftRange = { fromSteps: 0, toSteps: 20 };
const part: DriftResult = set.drift(0, far, T, range);
const other: DriftResult = set.drift(0, far, T, { fromSteps: -20, toSteps: -1 });
const verdict: DriftVerdict = TokenSet.mergeDrift([part, other], 30);
check(verdict.nearest?.offsetSteps === 10 && verdict.scannedSteps === 41, 'drift split in two and merged');
check(set.reveal(0) === RFC, 'reveal');
const record: Uint8Array = set.exportRecord(0);
check(new TextDecoder().decode(record).includes(RFC), 'exportRecord');
record.fill(0);

// Variants, requests, users, the sheet.
const variantOptions: TokenSetVariantsOptions = { copies: 2, record: 0 };
const variants: TokenSetVariants = set.variants(variantOptions);
check(variants.variants.length === 2 && variants.json !== null && variants.bodyMasked?.includes(RFC) === false, 'variants');
const varied = set.variantSet(variantOptions);
check(varied.report().summary.valid === 2, 'variantSet');
varied.free();
// The variants and their set in one call (what the page does), the first one listed.
const variationOptions: TokenSetVariationOptions = { ...variantOptions, list: 1 };
const variation: TokenSetVariation = set.vary(variationOptions);
check(variation.count === 2 && variation.variants.length === 1
  && JSON.stringify(variation.variants[0]) === JSON.stringify(variants.variants[0]) && variation.set !== null, 'vary');
check(variation.set?.normalized().json === variants.json, 'vary: the set of the variants');
variation.set?.free();

const requestOptions: TokenSetRequestOptions = { request: 'create-bulk' };
const requests: TokenSetRequest[] = set.requests(requestOptions);
const first: TokenSetRequest | undefined = requests[0];
const warnings: RequestWarning[] = first?.warnings ?? [];
check(first?.method === 'PATCH' && first.body?.includes(RFC) === true && !first.bodyMasked?.includes(RFC) && warnings.length >= 0, 'requests');
const format: RequestsFormat = 'curl';
const doc: RequestsDocument = set.requestsDocument(requestOptions, format);
check(doc.text.includes('curl') && doc.fileName.length > 0, 'requestsDocument');
// Kept requests: shown without a key, each text rendered when it is copied.
const prepared: PreparedRequests = set.prepare(requestOptions);
const shownFirst: PreparedRequest | undefined = prepared.requests[0];
check(shownFirst?.hasBody === true && shownFirst.bodyMasked === first?.bodyMasked && !JSON.stringify(prepared).includes(RFC), 'prepare');
const heads: RequestHead[] = [...requests, ...prepared.requests];
check(heads.length === 2 * requests.length && heads.every((h) => h.url.startsWith('https://graph.microsoft.com/')), 'RequestHead');
const what: RequestTextName = 'curl';
check(set.requestText(prepared.build, 0, what) === first?.curl, 'requestText');
check(set.preparedDocument(prepared.build, format).text === doc.text, 'preparedDocument');

const answer = JSON.stringify({ responses: [{ id: '1', status: 200, body: { id: '0cadbf92-1111-4222-8333-444455556666',
  userPrincipalName: 'amy@contoso.example', userType: 'Member', accountEnabled: true } }] });
const resolution: UserResolution = set.resolveUsers([answer]);
const resolved: ResolvedUser | undefined = resolution.users[0];
const tokenUser: TokenUser | undefined = resolution.tokens.find((t) => t.record === 0);
const state: UserState | undefined = tokenUser?.state;
check(resolution.found === 1 && resolved?.objectId === '0cadbf92-1111-4222-8333-444455556666' && state === 'found', 'resolveUsers');

const response = JSON.stringify({ value: [
  { '@contentId': '1', id: 'd-1', device: { id: 'd-1', serialNumber: '2300000000001', status: 'available' } },
  { '@contentId': '2', id: 'd-2', device: { id: 'd-2', serialNumber: '2300000000002', status: 'available' } },
] });
const reconcileOptions: TokenSetReconcileOptions = { chunk: 100 };
const reconciled: Reconciliation = set.reconcile(response, reconcileOptions);
check(reconciled.created === 2, 'reconcile');
const sheet: SheetEntry[] = set.sheet();
check(sheet.length === 2 && sheet[0]?.serialNumber === '2300000000001', 'sheet');

// A one-token set from typed fields.
const fields: TokenFields = { serialNumber: '2300000000003', manufacturer: 'Token2', model: 'C202', secret: 'gezd gnbv gy3t qojq',
  timeIntervalInSeconds: 60, hashFunction: 'hmacsha256', displayName: 'Spare' };
const typed = TokenSet.fromFields(fields);
check(typed.report().summary.valid === 1 && typed.reveal(0) === 'GEZDGNBVGY3TQOJQ', 'fromFields');
typed[Symbol.dispose]();

set.free();
check(set.freed && typed.freed, 'freed');
let refused = false;
try { set.report(); } catch (e) { refused = e instanceof Error && e.message.includes('freed'); }
check(refused, 'a freed set says so');

console.log('usage-tokenset.ts: every export called');
