import { BAG, RECORDS_DIR } from '../bag';
import { canonicalDigest } from '../canonical';
import type { BundleStatement } from '../statement';
import { errorText, type VerifyContext } from './context';
import { CheckBuilder, type CheckResult } from './report';
import { readSignerProof, summarizeSignerProofs, type SignedRecordKind, type SignerProofReading } from './signer-proof';

const EVIDENCE_DIR = `${BAG}/data/evidence/`;
const recordFile = (name: string) => `${BAG}/${RECORDS_DIR}/${name}.json`;

interface EvidenceRecord {
  id: string;
  kind: string;
  sha256: string;
  size?: number | null;
  path: string | null;
}
interface DigestRecord {
  id: string;
  countermeasureId?: string;
  payload: unknown;
  digest: string;
}

async function readList<T>(ctx: VerifyContext, name: string): Promise<{ list: T[] | null; error: string | null }> {
  try {
    const json = await ctx.json(recordFile(name));
    if (json === null) return { list: null, error: `${name}.json is missing` };
    if (!Array.isArray(json)) throw new Error(`${name}.json is not a list`);
    return { list: json as T[], error: null };
  } catch (e) {
    return { list: null, error: errorText(e) };
  }
}

/** The SHA-256 directory names of the evidence files the zip holds. */
function heldEvidence(ctx: VerifyContext): Set<string> {
  const held = new Set<string>();
  for (const p of ctx.paths) if (p.startsWith(EVIDENCE_DIR)) held.add(p.slice(EVIDENCE_DIR.length).split('/')[0]);
  return held;
}

export interface RecordsRead {
  evidence: EvidenceRecord[] | null;
  evidenceError: string | null;
}

export async function readEvidenceRecords(ctx: VerifyContext): Promise<RecordsRead> {
  const r = await readList<EvidenceRecord>(ctx, 'evidence');
  return { evidence: r.list, evidenceError: r.error };
}

/** The digest of a payload, or null when it cannot be canonicalized (a missing payload). */
function digestOf(ctx: VerifyContext, payload: unknown): string | null {
  try {
    return canonicalDigest(ctx.platform.sha256, payload);
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The format and the signer's proof of one record: a problem when either is not as its format says. */
function checkSignerProof(
  c: CheckBuilder,
  file: string,
  kind: SignedRecordKind,
  record: DigestRecord,
  ja: string,
  en: string,
): SignerProofReading {
  const reading = readSignerProof(kind, record.payload);
  if (reading.status === 'INVALID') c.problem(`${ja} ${record.id}: ${reading.ja}`, `${en} ${record.id}: ${reading.en}`, { file });
  return reading;
}

function summarize(c: CheckBuilder, readings: SignerProofReading[]): void {
  const line = summarizeSignerProofs(readings);
  if (line) c.info(line.ja, line.en);
}

/** Compares the records' digests with the signed predicate's list (both directions). */
function matchPredicate(
  c: CheckBuilder,
  file: string,
  records: DigestRecord[],
  signed: { id: string; digest: string }[] | undefined,
  ja: string,
  en: string,
) {
  if (!signed) return;
  const byId = new Map(signed.map((s) => [s.id, s.digest]));
  for (const r of records) {
    const d = byId.get(r.id);
    if (d === undefined)
      c.problem(`${ja} ${r.id} は署名済みステートメントにありません。`, `${en} ${r.id} is not in the signed statement.`, { file });
    else if (d !== r.digest)
      c.problem(
        `${ja} ${r.id} のダイジェストが署名済みステートメントと異なります。`,
        `${en} ${r.id}: the digest differs from the signed statement.`,
        { file },
      );
    byId.delete(r.id);
  }
  for (const id of byId.keys())
    c.problem(`署名済みステートメントの${ja} ${id} の記録がありません。`, `${en} ${id} of the signed statement has no record.`, { file });
}

/** SIGN_OFF_DIGESTS: digest = SHA-256 of the canonical payload; every FILE hash it names is in the bag. */
export async function checkSignOffDigests(
  ctx: VerifyContext,
  statement: BundleStatement | null,
): Promise<{ result: CheckResult; digests: Map<string, string> }> {
  const c = new CheckBuilder('SIGN_OFF_DIGESTS');
  const file = recordFile('sign-offs');
  const digests = new Map<string, string>();
  const { list, error } = await readList<DigestRecord>(ctx, 'sign-offs');
  if (!list)
    return {
      result: c.problem(`承認の記録を読めません: ${error}`, `The sign-off records cannot be read: ${error}`, { file }).result(),
      digests,
    };
  const held = heldEvidence(ctx);
  const readings: SignerProofReading[] = [];
  for (const s of list) {
    digests.set(s.id, s.digest);
    readings.push(checkSignerProof(c, file, 'sign-off', s, '承認', 'Sign-off'));
    if (digestOf(ctx, s.payload) !== s.digest) {
      c.problem(
        `承認 ${s.id}: ダイジェストが内容（正規化 JSON）の SHA-256 と一致しません。`,
        `Sign-off ${s.id}: the digest is not the SHA-256 of its canonical payload.`,
        { file },
      );
    }
    const evidence = isObject(s.payload) && Array.isArray(s.payload.evidence) ? (s.payload.evidence as unknown[]) : [];
    for (const e of evidence) {
      if (isObject(e) && e.kind === 'FILE' && !held.has(String(e.sha256))) {
        c.problem(
          `承認 ${s.id}: 証跡ファイル ${String(e.sha256)} がバンドルにありません。`,
          `Sign-off ${s.id}: the evidence file ${String(e.sha256)} is not in the bundle.`,
          {
            file: `${EVIDENCE_DIR}${String(e.sha256)}/`,
          },
        );
      }
    }
  }
  matchPredicate(c, file, list, statement?.predicate.signOffs, '承認', 'Sign-off');
  if (!c.failed) c.info(`${list.length} 件の承認のダイジェストを再計算しました。`, `${list.length} sign-off digests recomputed.`);
  summarize(c, readings);
  return { result: c.result(), digests };
}

/** CLEARANCE_DIGESTS: the same for clearances (their evidence kinds come from the evidence records). */
export async function checkClearanceDigests(
  ctx: VerifyContext,
  statement: BundleStatement | null,
  records: RecordsRead,
  signOffDigests: Map<string, string>,
): Promise<CheckResult> {
  const c = new CheckBuilder('CLEARANCE_DIGESTS');
  const file = recordFile('clearances');
  const { list, error } = await readList<DigestRecord>(ctx, 'clearances');
  if (!list) return c.problem(`監査完了の記録を読めません: ${error}`, `The clearance records cannot be read: ${error}`, { file }).result();
  const held = heldEvidence(ctx);
  const kinds = new Map((records.evidence ?? []).map((e) => [e.id, e.kind]));
  const readings: SignerProofReading[] = [];
  for (const r of list) {
    readings.push(checkSignerProof(c, file, 'clearance', r, '監査完了', 'Clearance'));
    if (digestOf(ctx, r.payload) !== r.digest) {
      c.problem(
        `監査完了 ${r.id}: ダイジェストが内容（正規化 JSON）の SHA-256 と一致しません。`,
        `Clearance ${r.id}: the digest is not the SHA-256 of its canonical payload.`,
        { file },
      );
    }
    const cms = isObject(r.payload) && Array.isArray(r.payload.countermeasures) ? (r.payload.countermeasures as unknown[]) : [];
    for (const cm of cms) {
      if (!isObject(cm)) continue;
      const signOff = cm.signOff;
      if (isObject(signOff) && signOffDigests.has(String(signOff.id)) && signOffDigests.get(String(signOff.id)) !== signOff.digest) {
        c.problem(
          `監査完了 ${r.id}: 承認 ${String(signOff.id)} のダイジェストが承認の記録と異なります。`,
          `Clearance ${r.id}: sign-off ${String(signOff.id)}'s digest differs from its record.`,
          { file },
        );
      }
      for (const e of Array.isArray(cm.evidence) ? (cm.evidence as unknown[]) : []) {
        if (!isObject(e)) continue;
        const sha = String(e.sha256);
        const kind = kinds.get(String(e.id));
        if (kind === 'FILE' && !held.has(sha)) {
          c.problem(
            `監査完了 ${r.id}: 証跡ファイル ${sha} がバンドルにありません。`,
            `Clearance ${r.id}: the evidence file ${sha} is not in the bundle.`,
            { file: `${EVIDENCE_DIR}${sha}/` },
          );
        } else if (kind === undefined && !held.has(sha)) {
          c.info(
            `監査完了 ${r.id}: 証跡 ${String(e.id)} はこのバンドルの範囲外です。`,
            `Clearance ${r.id}: evidence ${String(e.id)} is outside this bundle's scope.`,
          );
        }
      }
    }
  }
  matchPredicate(c, file, list, statement?.predicate.clearances, '監査完了', 'Clearance');
  if (!c.failed) c.info(`${list.length} 件の監査完了のダイジェストを再計算しました。`, `${list.length} clearance digests recomputed.`);
  summarize(c, readings);
  return c.result();
}

/** EVIDENCE_BYTES: each evidence file hashes to its record's sha256 and to its directory name. */
export async function checkEvidenceBytes(ctx: VerifyContext, records: RecordsRead): Promise<CheckResult> {
  const c = new CheckBuilder('EVIDENCE_BYTES');
  if (!records.evidence) {
    return c
      .problem(`証跡の記録を読めません: ${records.evidenceError}`, `The evidence records cannot be read: ${records.evidenceError}`, {
        file: recordFile('evidence'),
      })
      .result();
  }
  let files = 0;
  for (const e of records.evidence) {
    if (e.kind !== 'FILE') continue;
    if (!e.path) {
      c.problem(`証跡 ${e.id}: ファイルがバンドルに含まれていません。`, `Evidence ${e.id}: the file is not in the bundle.`, {
        file: recordFile('evidence'),
      });
      continue;
    }
    const file = `${BAG}/${e.path}`;
    if (!e.path.startsWith(`data/evidence/${e.sha256}/`)) {
      c.problem(
        `証跡 ${e.id}: パスがハッシュのディレクトリにありません: ${e.path}`,
        `Evidence ${e.id}: the path is not under its hash: ${e.path}`,
        { file },
      );
    }
    if (!ctx.has(file)) {
      c.problem(`証跡 ${e.id}: ファイルがありません: ${file}`, `Evidence ${e.id}: the file is missing: ${file}`, { file });
      continue;
    }
    const d = await ctx.digest(file);
    files++;
    if (d.sha256 !== e.sha256)
      c.problem(
        `証跡 ${e.id}: 内容が記録のハッシュと一致しません: ${file}`,
        `Evidence ${e.id}: the bytes do not hash to the record's sha256: ${file}`,
        { file },
      );
    else if (typeof e.size === 'number' && d.size !== e.size)
      c.problem(`証跡 ${e.id}: サイズが記録と異なります: ${file}`, `Evidence ${e.id}: the size differs from the record: ${file}`, { file });
  }
  for (const p of ctx.paths) {
    if (!p.startsWith(EVIDENCE_DIR)) continue;
    const dir = p.slice(EVIDENCE_DIR.length).split('/')[0];
    if ((await ctx.digest(p)).sha256 !== dir) {
      c.problem(`内容がディレクトリ名のハッシュと一致しません: ${p}`, `The bytes do not hash to the directory name: ${p}`, { file: p });
    }
  }
  if (!c.failed) c.info(`${files} 個の証跡ファイルが記録のハッシュと一致します。`, `${files} evidence files match their recorded hashes.`);
  return c.result();
}
