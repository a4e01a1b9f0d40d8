import { BAG, PROOFS_PATH, TRAIL_ENTRIES_PATH } from '../bag';
import { fromBase64, fromHex } from '../encoding';
import { verifyConsistency, verifyInclusion } from '../merkle';
import { parseCheckpointBody, parseNote, type Checkpoint } from '../note';
import { TRAIL_GENESIS_HASH, trailEntryHash, type TrailEntryRecord } from '../trail-entry';
import type { TrustedKey } from '../keys';
import { errorText, type VerifyContext } from './context';
import { CheckBuilder, type CheckResult } from './report';
import { trailSigner } from './signature-checks';

const ENTRIES_FILE = `${BAG}/${TRAIL_ENTRIES_PATH}`;
const PROOFS_FILE = `${BAG}/${PROOFS_PATH}`;

interface InclusionProofRecord {
  seq: number | string;
  leafIndex: number;
  hashes: string[];
}
interface ConsistencyProofRecord {
  fromSize: number;
  fromRootHash: string;
  hashes: string[];
}
export interface ProofsRecord {
  treeSize: number;
  rootHash: string;
  inclusion: InclusionProofRecord[];
  consistency: ConsistencyProofRecord[];
}

/** Reads entries.jsonl (null and the reason when unreadable). */
export async function readTrailEntries(ctx: VerifyContext): Promise<{ entries: TrailEntryRecord[] | null; error: string | null }> {
  try {
    const text = await ctx.text(ENTRIES_FILE);
    if (text === null) return { entries: null, error: 'entries.jsonl is missing' };
    if (text !== '' && !text.endsWith('\n')) throw new Error('entries.jsonl does not end with a newline');
    return {
      entries: text
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as TrailEntryRecord),
      error: null,
    };
  } catch (e) {
    return { entries: null, error: errorText(e) };
  }
}

/** TRAIL_CHAIN: each entry hashes to its `hash`; entries with consecutive seqs link by prevHash. */
export function checkTrailChain(ctx: VerifyContext, read: { entries: TrailEntryRecord[] | null; error: string | null }): CheckResult {
  const c = new CheckBuilder('TRAIL_CHAIN');
  if (!read.entries)
    return c
      .problem(`監査証跡を読めません: ${read.error}`, `The trail entries cannot be read: ${read.error}`, { file: ENTRIES_FILE })
      .result();
  let previous: TrailEntryRecord | null = null;
  for (const e of read.entries) {
    const seq = String(e?.seq);
    if (!/^[1-9][0-9]*$/.test(seq)) {
      c.problem(`seq が正しくないエントリがあります: ${seq}`, `An entry has an invalid seq: ${seq}`, { seq, file: ENTRIES_FILE });
      continue;
    }
    let expected: string | null;
    try {
      expected = trailEntryHash(ctx.platform.sha256, e);
    } catch {
      expected = null;
    }
    if (expected !== e.hash) {
      c.problem(
        `seq ${seq}: ハッシュが正規化した内容の SHA-256 と一致しません。`,
        `seq ${seq}: the hash is not the SHA-256 of its canonical payload.`,
        { seq, file: ENTRIES_FILE },
      );
    }
    if (seq === '1' && e.prevHash !== TRAIL_GENESIS_HASH) {
      c.problem('seq 1: prevHash が起点のハッシュではありません。', 'seq 1: prevHash is not the genesis hash.', {
        seq,
        file: ENTRIES_FILE,
      });
    }
    if (previous) {
      const gap = BigInt(seq) - BigInt(String(previous.seq));
      if (gap <= 0n)
        c.problem(`seq ${seq}: 順序が正しくないか重複しています。`, `seq ${seq}: out of order or repeated.`, { seq, file: ENTRIES_FILE });
      else if (gap === 1n && e.prevHash !== previous.hash) {
        c.problem(
          `seq ${seq}: prevHash が seq ${previous.seq} のハッシュと一致しません。`,
          `seq ${seq}: prevHash does not link to seq ${previous.seq}.`,
          {
            seq,
            file: ENTRIES_FILE,
          },
        );
      }
    }
    previous = e;
  }
  if (!c.failed)
    c.info(
      `${read.entries.length} 件のエントリのハッシュと連結を確認しました。`,
      `${read.entries.length} entries hash and link correctly.`,
    );
  return c.result();
}

/** Reads proofs.json (null and the reason when unreadable). */
export async function readProofs(ctx: VerifyContext): Promise<{ proofs: ProofsRecord | null; error: string | null }> {
  try {
    const json = (await ctx.json(PROOFS_FILE)) as ProofsRecord | null;
    if (!json) return { proofs: null, error: 'proofs.json is missing' };
    if (!Array.isArray(json.inclusion) || !Array.isArray(json.consistency))
      throw new Error('proofs.json has no inclusion or consistency list');
    return { proofs: json, error: null };
  } catch (e) {
    return { proofs: null, error: errorText(e) };
  }
}

const decodeAll = (hashes: unknown): Uint8Array[] => {
  if (!Array.isArray(hashes)) throw new Error('hashes is not a list');
  return hashes.map((h) => fromBase64(String(h)));
};

/** TRAIL_INCLUSION: every bundled entry has an inclusion proof to the checkpoint's root, every proof an entry. */
export function checkTrailInclusion(
  ctx: VerifyContext,
  entries: TrailEntryRecord[] | null,
  read: { proofs: ProofsRecord | null; error: string | null },
  checkpoint: Checkpoint | null,
): CheckResult {
  const c = new CheckBuilder('TRAIL_INCLUSION');
  if (!read.proofs)
    return c.problem(`証明を読めません: ${read.error}`, `The proofs cannot be read: ${read.error}`, { file: PROOFS_FILE }).result();
  if (!checkpoint) return c.problem('チェックポイントがないため確認できません。', 'No checkpoint to prove against.').result();
  if (!entries) return c.problem('監査証跡を読めません。', 'The trail entries cannot be read.', { file: ENTRIES_FILE }).result();
  const p = read.proofs;
  if (p.treeSize !== checkpoint.size || p.rootHash !== checkpoint.rootHash) {
    c.problem(
      'proofs.json の treeSize / rootHash がチェックポイントと一致しません。',
      'treeSize / rootHash of proofs.json are not the checkpoint’s.',
      { file: PROOFS_FILE },
    );
  }
  const root = fromBase64(checkpoint.rootHash);
  const bySeq = new Map<string, InclusionProofRecord>();
  for (const proof of p.inclusion) if (proof && typeof proof === 'object') bySeq.set(String(proof.seq), proof);
  const entrySeqs = new Set(entries.map((e) => String(e.seq)));
  for (const e of entries) {
    const seq = String(e.seq);
    const proof = bySeq.get(seq);
    if (!proof) {
      c.problem(`seq ${seq}: 包含証明がありません。`, `seq ${seq}: no inclusion proof.`, { seq, file: PROOFS_FILE });
      continue;
    }
    let ok: boolean;
    try {
      ok =
        proof.leafIndex === Number(seq) - 1 &&
        verifyInclusion(ctx.platform.sha256, fromHex(e.hash), proof.leafIndex, checkpoint.size, decodeAll(proof.hashes), root);
    } catch {
      ok = false;
    }
    if (!ok) {
      c.problem(
        `seq ${seq}: 包含証明がチェックポイントのルートに至りません。`,
        `seq ${seq}: the inclusion proof does not lead to the checkpoint's root.`,
        { seq, file: PROOFS_FILE },
      );
    }
  }
  for (const seq of bySeq.keys()) {
    if (!entrySeqs.has(seq))
      c.problem(`seq ${seq}: 包含証明に対応するエントリがありません。`, `seq ${seq}: an inclusion proof has no entry.`, {
        seq,
        file: ENTRIES_FILE,
      });
  }
  if (!c.failed) {
    c.info(
      `${entries.length} 件のエントリがサイズ ${checkpoint.size} の木に含まれます。`,
      `${entries.length} entries are in the tree of size ${checkpoint.size}.`,
    );
  }
  return c.result();
}

/**
 * CHECKPOINT_CONSISTENCY: the auditor's older checkpoint (signed by the trail
 * key) is a prefix of the bundle's tree. Without one, the bundled proofs from
 * the tracker's earlier checkpoints are still checked, and the check is SKIPPED.
 */
export async function checkCheckpointConsistency(
  ctx: VerifyContext,
  older: string | undefined,
  read: { proofs: ProofsRecord | null },
  checkpoint: Checkpoint | null,
  trailKeys: TrustedKey[],
): Promise<CheckResult> {
  const c = new CheckBuilder('CHECKPOINT_CONSISTENCY');
  const sha = ctx.platform.sha256;
  const proofs = read.proofs;
  if (!checkpoint || !proofs)
    return c.problem('バンドルのチェックポイントか証明を読めません。', "The bundle's checkpoint or proofs cannot be read.").result();
  const root = fromBase64(checkpoint.rootHash);
  const find = (size: number) => proofs.consistency.find((x) => x.fromSize === size);
  const verifyBundled = (x: ConsistencyProofRecord): boolean => {
    try {
      return verifyConsistency(sha, x.fromSize, checkpoint.size, fromBase64(x.fromRootHash), root, decodeAll(x.hashes));
    } catch {
      return false;
    }
  };
  if (older === undefined) {
    for (const x of proofs.consistency) {
      if (!verifyBundled(x)) {
        c.problem(
          `サイズ ${x.fromSize} からの整合性証明が成り立ちません。`,
          `The consistency proof from size ${x.fromSize} does not hold.`,
          { code: 'INCONSISTENT_WITH_CHECKPOINT', file: PROOFS_FILE },
        );
      }
    }
    return c
      .skip(
        `保管済みチェックポイント（--checkpoint）が指定されていません。同梱の整合性証明 ${proofs.consistency.length} 件を確認しました。`,
        `No kept checkpoint (--checkpoint) was given; ${proofs.consistency.length} bundled consistency proofs were checked.`,
      )
      .result();
  }
  let kept: Checkpoint;
  try {
    const note = parseNote(older);
    kept = parseCheckpointBody(note.body);
    if (kept.origin !== checkpoint.origin) {
      return c
        .problem(
          `保管済みチェックポイントの origin（${kept.origin}）が異なります。`,
          `The kept checkpoint's origin (${kept.origin}) differs.`,
        )
        .result();
    }
    if (!(await trailSigner(ctx, note, trailKeys))) {
      return c
        .problem('保管済みチェックポイントは証跡鍵で署名されていません。', 'The kept checkpoint is not signed by the trail key.')
        .result();
    }
  } catch (e) {
    return c
      .problem(`保管済みチェックポイントを読めません: ${errorText(e)}`, `The kept checkpoint cannot be read: ${errorText(e)}`)
      .result();
  }
  const sizes = `${kept.size} → ${checkpoint.size}`;
  if (kept.size > checkpoint.size) {
    c.problem(
      `バンドルのチェックポイント（サイズ ${checkpoint.size}）が保管済みのもの（サイズ ${kept.size}）より古いです。`,
      `The bundle's checkpoint (size ${checkpoint.size}) is older than the kept one (size ${kept.size}).`,
      { code: 'BUNDLE_OLDER_THAN_CHECKPOINT' },
    );
  } else if (kept.size === checkpoint.size) {
    if (kept.rootHash !== checkpoint.rootHash) {
      c.problem(
        `同じサイズ ${kept.size} で異なるルートのチェックポイントが署名されています（分岐）。`,
        `Two signed checkpoints of size ${kept.size} have different roots (a fork).`,
        {
          code: 'FORK',
        },
      );
    } else c.info(`保管済みチェックポイントと同一です（サイズ ${kept.size}）。`, `The same as the kept checkpoint (size ${kept.size}).`);
  } else {
    const proof = find(kept.size);
    if (!proof) {
      c.problem(`サイズ ${sizes} の整合性証明が同梱されていません。`, `The bundle has no consistency proof for ${sizes}.`, {
        code: 'INCONSISTENT_WITH_CHECKPOINT',
        file: PROOFS_FILE,
      });
    } else if (proof.fromRootHash !== kept.rootHash) {
      c.problem(
        `サイズ ${kept.size} のチェックポイントが別のルートで署名されています（分岐）。`,
        `A checkpoint of size ${kept.size} was signed with another root (a fork).`,
        { code: 'FORK', file: PROOFS_FILE },
      );
    } else if (!verifyBundled(proof)) {
      c.problem(`整合性証明（${sizes}）が成り立ちません。`, `The consistency proof (${sizes}) does not hold.`, {
        code: 'INCONSISTENT_WITH_CHECKPOINT',
        file: PROOFS_FILE,
      });
    } else c.info(`保管済みチェックポイントから整合しています（${sizes}）。`, `Consistent with the kept checkpoint (${sizes}).`);
  }
  return c.result();
}
