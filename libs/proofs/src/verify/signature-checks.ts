import { CHECKPOINT_PATH, BAG, KEYS_PATH, SIGSTORE_BUNDLE_PATH, TAG_MANIFEST_PATH } from '../bag';
import { pae } from '../dsse';
import { fromBase64, fromUtf8, utf8 } from '../encoding';
import { parseKeysDocument, resolveKeyPin, type KeyPin, type KeysDocument, type TrustedKey } from '../keys';
import {
  checkNoteSignature,
  checkpointBody,
  noteKeyId,
  parseCheckpointBody,
  parseNote,
  parseVkey,
  type Checkpoint,
  type Note,
} from '../note';
import { DSSE_PAYLOAD_TYPE, parseBundleStatement, parseSigstoreBundle, type BundleStatement, type ParsedEnvelope } from '../statement';
import { errorText, type VerifyContext } from './context';
import { CheckBuilder, type CheckResult } from './report';

export interface SignedParts {
  envelope: ParsedEnvelope | null;
  statement: BundleStatement | null;
  keys: KeysDocument | null;
  keysError: string | null;
}

/** Reads bundle.sigstore.json, its statement, and keys.json (each null when absent or malformed). */
export async function readSignedParts(ctx: VerifyContext): Promise<SignedParts & { envelopeError: string | null }> {
  let envelope: ParsedEnvelope | null = null;
  let statement: BundleStatement | null = null;
  let envelopeError: string | null = null;
  try {
    const text = await ctx.text(SIGSTORE_BUNDLE_PATH);
    if (text === null) throw new Error(`${SIGSTORE_BUNDLE_PATH} is missing`);
    envelope = parseSigstoreBundle(text);
    statement = parseBundleStatement(fromUtf8(envelope.payload));
  } catch (e) {
    envelopeError = errorText(e);
  }
  let keys: KeysDocument | null = null;
  let keysError: string | null = null;
  try {
    const text = await ctx.text(KEYS_PATH);
    if (text !== null) keys = parseKeysDocument(ctx.platform.sha256, text);
  } catch (e) {
    keysError = errorText(e);
  }
  return { envelope, statement, keys, keysError, envelopeError };
}

/** SIGNED_SUBJECT: the SHA-256 of the tag manifest is the statement's subject. */
export async function checkSignedSubject(ctx: VerifyContext, parts: SignedParts & { envelopeError: string | null }): Promise<CheckResult> {
  const c = new CheckBuilder('SIGNED_SUBJECT');
  if (!parts.statement) {
    return c
      .problem(
        `署名済みステートメントを読めません: ${parts.envelopeError}`,
        `The signed statement cannot be read: ${parts.envelopeError}`,
        {
          file: SIGSTORE_BUNDLE_PATH,
        },
      )
      .result();
  }
  if (!ctx.has(TAG_MANIFEST_PATH))
    return c.problem('タグマニフェストがありません。', 'The tag manifest is missing.', { file: TAG_MANIFEST_PATH }).result();
  const actual = (await ctx.digest(TAG_MANIFEST_PATH)).sha256;
  const subject = parts.statement.subject.find((s) => s?.name === TAG_MANIFEST_PATH);
  if (!subject || subject.digest?.sha256 !== actual) {
    c.problem(
      `タグマニフェストの SHA-256（${actual}）が署名対象ではありません。`,
      `The tag manifest's SHA-256 (${actual}) is not the signed subject.`,
      { file: TAG_MANIFEST_PATH },
    );
  } else {
    c.info(`署名対象 ${TAG_MANIFEST_PATH} sha256:${actual}`, `Signed subject ${TAG_MANIFEST_PATH} sha256:${actual}`);
  }
  return c.result();
}

export interface PinnedKeys {
  bundle: TrustedKey[];
  trail: TrustedKey[];
  problems: { ja: string; en: string }[];
}

/** Resolves --key (bundle; a keys document also gives trail keys) and --trail-key. */
export function resolvePins(ctx: VerifyContext, key: KeyPin, trailKey: KeyPin | undefined, keys: KeysDocument | null): PinnedKeys {
  const out: PinnedKeys = { bundle: [], trail: [], problems: [] };
  const add = (pin: KeyPin, purpose: 'bundle' | 'trail', flag: string) => {
    try {
      const found = resolveKeyPin(ctx.platform.sha256, pin, purpose, keys);
      if (found.length === 0 && pin.kind === 'fingerprint') {
        out.problems.push({
          ja: `${flag} の指紋 ${pin.fingerprint} の鍵が keys.json にありません（鍵ファイルか PEM を指定してください）。`,
          en: `No key with fingerprint ${pin.fingerprint} (${flag}) is in keys.json (give a keys file or a PEM).`,
        });
      }
      for (const k of found) (k.purpose === 'trail' ? out.trail : out.bundle).push(k);
    } catch (e) {
      out.problems.push({ ja: `${flag} の鍵を読めません: ${errorText(e)}`, en: `The ${flag} key cannot be read: ${errorText(e)}` });
    }
  };
  add(key, 'bundle', '--key');
  if (trailKey) add(trailKey, 'trail', '--trail-key');
  return out;
}

/** BUNDLE_SIGNATURE: a DSSE signature over PAE(type, payload) verifies under a pinned bundle key. */
export async function checkBundleSignature(ctx: VerifyContext, parts: SignedParts, pins: PinnedKeys): Promise<CheckResult> {
  const c = new CheckBuilder('BUNDLE_SIGNATURE');
  for (const p of pins.problems) c.problem(p.ja, p.en);
  if (!parts.envelope)
    return c.problem('DSSE エンベロープがありません。', 'There is no DSSE envelope.', { file: SIGSTORE_BUNDLE_PATH }).result();
  if (parts.envelope.payloadType !== DSSE_PAYLOAD_TYPE) {
    c.problem(`payloadType が ${DSSE_PAYLOAD_TYPE} ではありません。`, `The payloadType is not ${DSSE_PAYLOAD_TYPE}.`, {
      file: SIGSTORE_BUNDLE_PATH,
    });
  }
  if (pins.bundle.length === 0) {
    if (pins.problems.length === 0) c.problem('バンドル署名用の鍵が指定されていません。', 'No bundle key is pinned.');
    return c.result();
  }
  const message = pae(parts.envelope.payloadType, parts.envelope.payload);
  for (const key of pins.bundle) {
    for (const s of parts.envelope.signatures) {
      if (s.sig.length === 64 && (await ctx.platform.verifyEd25519(key.publicKey, message, s.sig))) {
        return c.info(`${key.fingerprint} の署名を確認しました。`, `Signed by ${key.fingerprint}.`, { signer: key.fingerprint }).result();
      }
    }
  }
  const keyids = parts.envelope.signatures.map((s) => s.keyid || '?').join(', ');
  return c
    .problem(
      `署名（${keyids}）は指定した鍵（${pins.bundle.map((k) => k.fingerprint).join(', ')}）で検証できません。`,
      `The signature (${keyids}) does not verify under the pinned key (${pins.bundle.map((k) => k.fingerprint).join(', ')}).`,
      { file: SIGSTORE_BUNDLE_PATH, signer: keyids },
    )
    .result();
}

export interface CheckpointParts {
  note: Note | null;
  checkpoint: Checkpoint | null;
}

/** Why no trail key is trusted (for the report), when none is. */
export type NoTrailKeyReason = 'NONE_PINNED' | 'BUNDLE_NOT_SIGNED' | 'NOT_NAMED' | 'NOT_IN_KEYS';

export interface TrailKeys {
  keys: TrustedKey[];
  /** Taken from keys.json: the one trail key whose fingerprint the signed statement names. */
  fromBundle: boolean;
  why?: NoTrailKeyReason;
}

/**
 * Which trail keys to check checkpoints with: the pinned ones; otherwise, only when the
 * bundle signature held, the trail key of keys.json whose fingerprint the signed
 * statement names (`predicate.checkpoint.keyFingerprint`). keys.json is outside the
 * signed tag manifest: a key it lists is never trusted for being listed.
 */
export function trailKeysFor(
  pins: PinnedKeys,
  keys: KeysDocument | null,
  bundleSigned: boolean,
  statement: BundleStatement | null,
): TrailKeys {
  if (pins.trail.length > 0) return { keys: pins.trail, fromBundle: false };
  if (!bundleSigned) return { keys: [], fromBundle: false, why: 'BUNDLE_NOT_SIGNED' };
  const named = statement?.predicate.checkpoint.keyFingerprint;
  if (!named) return { keys: [], fromBundle: false, why: 'NOT_NAMED' };
  const fromBundle = (keys?.keys ?? [])
    .filter((k) => k.purpose === 'trail' && k.fingerprint === named)
    .map((k) => ({
      purpose: 'trail' as const,
      name: k.name,
      publicKey: fromBase64(k.publicKey),
      fingerprint: k.fingerprint,
      via: 'bundle-keys' as const,
    }));
  if (fromBundle.length === 0) return { keys: [], fromBundle: false, why: 'NOT_IN_KEYS' };
  return { keys: fromBundle, fromBundle: true };
}

/** The report's words for each reason no trail key is trusted. */
function noTrailKeyText(why: NoTrailKeyReason | undefined, named: string | undefined): { ja: string; en: string } {
  const pin = { ja: '--trail-key か鍵ファイルを指定してください', en: 'give --trail-key or a keys file' };
  switch (why) {
    case 'BUNDLE_NOT_SIGNED':
      return {
        ja: `証跡鍵を確かめられません: バンドル署名を検証できないため keys.json の鍵は信頼しません（${pin.ja}）。`,
        en: `The trail key cannot be established: the bundle signature did not verify, so no key of keys.json is trusted (${pin.en}).`,
      };
    case 'NOT_NAMED':
      return {
        ja: `証跡鍵を確かめられません: 署名済みステートメントが証跡鍵の指紋を示していません（${pin.ja}）。`,
        en: `The trail key cannot be established: the signed statement does not name the trail key's fingerprint (${pin.en}).`,
      };
    case 'NOT_IN_KEYS':
      return {
        ja: `署名済みステートメントが示す証跡鍵 ${named} が keys.json にありません（${pin.ja}）。`,
        en: `The trail key the signed statement names (${named}) is not in keys.json (${pin.en}).`,
      };
    default:
      return { ja: `証跡の署名鍵が指定されていません（${pin.ja}）。`, en: `No trail key is pinned (${pin.en}).` };
  }
}

/** The trusted trail key that signed the note (a line by its name, or any name for a PEM key, whose key id and signature match). */
export async function trailSigner(ctx: VerifyContext, note: Note, keys: TrustedKey[]): Promise<(TrustedKey & { name: string }) | null> {
  const body = utf8(note.body);
  for (const key of keys) {
    for (const s of note.signatures) {
      if (key.name !== null && s.name !== key.name) continue;
      if (s.keyId !== noteKeyId(ctx.platform.sha256, s.name, key.publicKey) || s.signature.length !== 64) continue;
      if (await ctx.platform.verifyEd25519(key.publicKey, body, s.signature)) return { ...key, name: s.name };
    }
  }
  return null;
}

/** CHECKPOINT_SIGNATURE: checkpoint.txt is signed by a trusted trail key and its body is the predicate's checkpoint. */
export async function checkCheckpointSignature(
  ctx: VerifyContext,
  statement: BundleStatement | null,
  trail: TrailKeys,
): Promise<{ result: CheckResult } & CheckpointParts> {
  const c = new CheckBuilder('CHECKPOINT_SIGNATURE');
  const file = `${BAG}/${CHECKPOINT_PATH}`;
  let note: Note | null = null;
  let checkpoint: Checkpoint | null = null;
  try {
    const text = await ctx.text(file);
    if (text === null) throw new Error('checkpoint.txt is missing');
    note = parseNote(text);
    checkpoint = parseCheckpointBody(note.body);
  } catch (e) {
    c.problem(`チェックポイントを読めません: ${errorText(e)}`, `The checkpoint cannot be read: ${errorText(e)}`, { file });
    return { result: c.result(), note, checkpoint };
  }
  if (statement) {
    let expected: string | null;
    try {
      expected = checkpointBody(statement.predicate.checkpoint);
    } catch {
      expected = null;
    }
    if (expected !== note.body) {
      c.problem(
        'チェックポイントの本文が署名済みステートメントの checkpoint と一致しません。',
        "The checkpoint's body is not the signed statement's checkpoint.",
        { file },
      );
    }
  }
  if (trail.keys.length === 0) {
    const text = noTrailKeyText(trail.why, statement?.predicate.checkpoint.keyFingerprint);
    c.problem(text.ja, text.en, { file });
    return { result: c.result(), note, checkpoint };
  }
  const signer = await trailSigner(ctx, note, trail.keys);
  if (!signer) {
    c.problem(
      `チェックポイントに証跡鍵（${trail.keys.map((k) => k.fingerprint).join(', ')}）の有効な署名がありません。`,
      `The checkpoint has no valid signature by the trail key (${trail.keys.map((k) => k.fingerprint).join(', ')}).`,
      { file },
    );
  } else {
    c.info(
      `サイズ ${checkpoint.size}、${signer.name} の署名を確認しました（${signer.fingerprint}）。`,
      `Size ${checkpoint.size}, signed by ${signer.name} (${signer.fingerprint}).`,
      {
        signer: signer.name,
      },
    );
    if (trail.fromBundle) {
      c.info(
        `証跡鍵は keys.json から、署名済みステートメントが指紋（${signer.fingerprint}）で示すものを取りました。独立に確かめるには --trail-key を指定してください。`,
        `The trail key was taken from keys.json: the one whose fingerprint (${signer.fingerprint}) the signed statement names; pin it with --trail-key for an independent check.`,
      );
    }
  }
  return { result: c.result(), note, checkpoint };
}

/** COSIGNATURES: each co-signer the auditor named has a valid line; other names are listed as not checked. */
export async function checkCosignatures(
  ctx: VerifyContext,
  note: Note | null,
  cosigners: readonly string[],
  trailNames: Set<string>,
): Promise<CheckResult> {
  const c = new CheckBuilder('COSIGNATURES');
  if (!note) return c.skip('チェックポイントがないため未実施です。', 'Not checked: there is no checkpoint.').result();
  const named = new Set<string>();
  for (const text of cosigners) {
    let key;
    try {
      key = parseVkey(ctx.platform.sha256, text.trim());
    } catch (e) {
      c.problem(`共同署名者の鍵を読めません: ${errorText(e)}`, `A co-signer key cannot be read: ${errorText(e)}`, { signer: text });
      continue;
    }
    named.add(key.name);
    const status = await checkNoteSignature(ctx.platform.verifyEd25519, ctx.platform.sha256, note, key);
    if (status === 'VALID') c.info(`${key.name} の共同署名を確認しました。`, `Co-signed by ${key.name}.`, { signer: key.name });
    else if (status === 'ABSENT')
      c.problem(`${key.name} の共同署名がありません。`, `There is no co-signature by ${key.name}.`, { signer: key.name });
    else c.problem(`${key.name} の共同署名を検証できません。`, `The co-signature by ${key.name} does not verify.`, { signer: key.name });
  }
  const unchecked = [...new Set(note.signatures.map((s) => s.name))].filter((n) => !named.has(n) && !trailNames.has(n));
  for (const n of unchecked)
    c.info(`${n} の署名行は未検証です（鍵が指定されていません）。`, `The line by ${n} was not checked (no key given).`, { signer: n });
  if (cosigners.length === 0) {
    c.skip(
      unchecked.length ? '共同署名者の鍵（--cosigner）が指定されていません。' : '共同署名はありません。',
      unchecked.length ? 'No co-signer key (--cosigner) was given.' : 'There are no co-signatures.',
    );
  }
  return c.result();
}
