/**
 * The signer's second-factor proof inside a sign-off's or a clearance's hashed payload (docs/proofs.md,
 * "Signed records"): the formats this verifier knows, and what a proof must look like. Pure, isomorphic.
 *
 * - `sign-off/v1`, `clearance/v1`: made before the proof was recorded; no `signerProof`.
 * - `sign-off/v2`, `clearance/v2`: `signerProof` is `{ method, at, amr, acr }` (method TOTP, RECOVERY_CODE,
 *   PASSKEY or SSO; `at` UTC ISO-8601 with milliseconds, not after the record's own time by more than a minute of
 *   clock skew; `amr` a list of strings or null, `acr` a string or null, one of them set for SSO), or null where
 *   the operator waived step-up (the demo without DEMO_MFA), which the report states.
 */

export type SignedRecordKind = 'sign-off' | 'clearance';

/** Each known format: whether it carries `signerProof`, and the payload field holding the record's own time. */
const FORMATS: Record<string, { kind: SignedRecordKind; withProof: boolean; timeField: string }> = {
  'sign-off/v1': { kind: 'sign-off', withProof: false, timeField: 'signedAt' },
  'sign-off/v2': { kind: 'sign-off', withProof: true, timeField: 'signedAt' },
  'clearance/v1': { kind: 'clearance', withProof: false, timeField: 'clearedAt' },
  'clearance/v2': { kind: 'clearance', withProof: true, timeField: 'clearedAt' },
};

export const SIGNER_PROOF_METHODS: readonly string[] = ['TOTP', 'RECOVERY_CODE', 'PASSKEY', 'SSO'];

/** The clock skew a proof's time may be ahead of the record's (the server allows the same). */
const SKEW_MS = 60_000;

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type SignerProofReading =
  /** A proof that passes the shape rules: its method. */
  | { status: 'PROVED'; method: string }
  /** v2 with `signerProof: null`: step-up was waived. */
  | { status: 'WAIVED' }
  /** A v1 payload: made before the proof was recorded. */
  | { status: 'BEFORE' }
  | { status: 'INVALID'; ja: string; en: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (ja: string, en: string): SignerProofReading => ({ status: 'INVALID', ja, en });

/** Reads the format and the signer's proof of a sign-off's or a clearance's payload. */
export function readSignerProof(kind: SignedRecordKind, payload: unknown): SignerProofReading {
  const format = isObject(payload) ? payload.format : undefined;
  const known = typeof format === 'string' ? FORMATS[format] : undefined;
  if (!known || known.kind !== kind) {
    const names = Object.keys(FORMATS).filter((f) => FORMATS[f]!.kind === kind);
    return invalid(
      `形式 ${JSON.stringify(format ?? null)} はこの検証ツールの知らない形式です（${names.join('、')} のいずれか）。検証ツールを更新してください。`,
      `the format ${JSON.stringify(format ?? null)} is not one this verifier knows (${names.join(', ')}); update the verifier.`,
    );
  }
  const p = payload as Record<string, unknown>;
  if (!known.withProof)
    return 'signerProof' in p
      ? invalid(`${String(format)} に signerProof があります。`, `${String(format)} has a signerProof.`)
      : { status: 'BEFORE' };
  if (!('signerProof' in p))
    return invalid('署名者の二要素認証の証明（signerProof）がありません。', 'the signer’s second-factor proof (signerProof) is missing.');
  const proof = p.signerProof;
  if (proof === null) return { status: 'WAIVED' };
  if (!isObject(proof)) return invalid('signerProof がオブジェクトではありません。', 'signerProof is not an object.');
  const extra = Object.keys(proof).filter((k) => !['method', 'at', 'amr', 'acr'].includes(k));
  if (extra.length)
    return invalid(`signerProof に不明な項目があります: ${extra.join(', ')}`, `signerProof has unknown fields: ${extra.join(', ')}`);
  const { method, at, amr, acr } = proof;
  if (typeof method !== 'string' || !SIGNER_PROOF_METHODS.includes(method)) {
    return invalid(
      `signerProof.method ${JSON.stringify(method ?? null)} は不明な方式です。`,
      `signerProof.method ${JSON.stringify(method ?? null)} is not a known method.`,
    );
  }
  if (typeof at !== 'string' || !ISO_MS.test(at) || Number.isNaN(Date.parse(at))) {
    return invalid(
      'signerProof.at が UTC ISO-8601（ミリ秒付き）の時刻ではありません。',
      'signerProof.at is not a UTC ISO-8601 time with milliseconds.',
    );
  }
  if (!(amr === null || (Array.isArray(amr) && amr.every((m) => typeof m === 'string')))) {
    return invalid('signerProof.amr が文字列の配列でも null でもありません。', 'signerProof.amr is neither a list of strings nor null.');
  }
  if (!(acr === null || typeof acr === 'string'))
    return invalid('signerProof.acr が文字列でも null でもありません。', 'signerProof.acr is neither a string nor null.');
  if (amr === undefined || acr === undefined)
    return invalid('signerProof に amr または acr がありません。', 'signerProof lacks amr or acr.');
  if (method === 'SSO' && amr === null && acr === null) {
    return invalid('SSO の証明に IdP の amr も acr もありません。', 'an SSO proof states neither the IdP’s amr nor its acr.');
  }
  const own = p[known.timeField];
  if (typeof own === 'string' && Date.parse(at) > Date.parse(own) + SKEW_MS) {
    return invalid(
      `二要素認証の時刻 ${at} が記録の時刻 ${own} より後です。`,
      `the second factor was proved at ${at}, after the record's own time ${own}.`,
    );
  }
  return { status: 'PROVED', method };
}

/** Counts of a list's readings, for the report's summary line. */
export function summarizeSignerProofs(readings: readonly SignerProofReading[]): { ja: string; en: string } | null {
  const methods = new Map<string, number>();
  let waived = 0;
  let before = 0;
  for (const r of readings) {
    if (r.status === 'PROVED') methods.set(r.method, (methods.get(r.method) ?? 0) + 1);
    else if (r.status === 'WAIVED') waived++;
    else if (r.status === 'BEFORE') before++;
  }
  if (readings.length === 0) return null;
  const proved = [...methods.values()].reduce((a, b) => a + b, 0);
  const byMethod = [...methods.entries()].map(([m, n]) => `${m} ${n}`).join(', ');
  return {
    ja: `署名者の二要素認証の証明: ${proved} 件${byMethod ? `（${byMethod}）` : ''}、省略（デモ）${waived} 件、記録開始前（v1）${before} 件。`,
    en: `Signer's second-factor proof: ${proved}${byMethod ? ` (${byMethod})` : ''}; waived (demo) ${waived}; made before it was recorded (v1) ${before}.`,
  };
}
