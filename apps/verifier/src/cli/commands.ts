import {
  fromBase64,
  keysDocument,
  noteKeyId,
  parseCheckpointBody,
  parseNote,
  resolveKeyPin,
  signatureLine,
  utf8,
  verifyConsistency,
  vkey,
  type Checkpoint,
  type Lang,
  type Note,
  type TrustedKey,
} from '@app/proofs';
import { ed25519PrivateKeyFromPem, ed25519Sign, nodePlatform, rawEd25519PublicKey, sha256 } from '@app/proofs/node';
import { many, one, UsageError, type ParsedArgs } from './args';
import { keyPinArgument, readTextFile } from './keys-input';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

function readCheckpoint(path: string): { note: Note; checkpoint: Checkpoint } {
  const text = readTextFile(path, 'the checkpoint');
  try {
    const note = parseNote(text);
    return { note, checkpoint: parseCheckpointBody(note.body) };
  } catch (e) {
    throw new UsageError(`${path} is not a signed checkpoint: ${(e as Error).message}`);
  }
}

/** The trail keys a `--key`/`--trail-key` value pins: a keys document's trail keys, or a PEM's key. */
function trailKeysOf(value: string, flag: string): TrustedKey[] {
  const pin = keyPinArgument(value, flag);
  if (pin.kind === 'fingerprint') {
    throw new UsageError(
      `${flag}: 指紋だけでは署名を確かめる鍵がありません。keys.json か PEM 公開鍵を渡してください / ` +
        'a fingerprint alone has no key to check with: give keys.json or a PEM public key',
    );
  }
  const keys = resolveKeyPin(sha256, pin, 'trail', keysDocument('', [])).filter((k) => k.purpose === 'trail');
  if (keys.length === 0) throw new UsageError(`${flag} ${value}: 証跡鍵がありません / holds no trail key`);
  return keys;
}

/** The trail key whose valid signature the note carries, or null. */
async function trailSigner(keys: TrustedKey[], note: Note): Promise<TrustedKey | null> {
  for (const k of keys) {
    for (const s of note.signatures) {
      if (k.name !== null && s.name !== k.name) continue;
      if (s.keyId !== noteKeyId(sha256, s.name, k.publicKey)) continue;
      if (await nodePlatform.verifyEd25519(k.publicKey, utf8(note.body), s.signature)) return k;
    }
  }
  return null;
}

/**
 * `cosign <checkpoint.txt> --trail-key <keys.json|pem> --key <auditor's Ed25519 PKCS#8 PEM> --name <e-mail>`:
 * checks the tracker's signature on the checkpoint with the trail key the auditor pins, then prints
 * the co-signature line to paste into cosignTrailCheckpoint (and the auditor's verifier key on
 * stderr). A checkpoint without a valid trail signature is not co-signed (exit 1): an auditor
 * must never witness a tree the tracker did not sign.
 */
export async function cosignCommand(args: ParsedArgs, io: Output): Promise<number> {
  const [file] = args.positional;
  const keyFile = one(args, 'key');
  const name = one(args, 'name');
  const trailKey = one(args, 'trail-key');
  if (!file || !keyFile || !name || args.positional.length !== 1)
    throw new UsageError('cosign needs <checkpoint.txt> --trail-key <keys.json|PEM> --key <PEM> --name <e-mail>');
  if (!trailKey) {
    throw new UsageError(
      'cosign は --trail-key <keys.json|PEM> が必要です。トラッカーの署名を確かめずに連署すると、偽のチェックポイントを証明しかねません / ' +
        'cosign needs --trail-key <keys.json|PEM>: co-signing a checkpoint without checking the tracker’s signature could vouch for a forged one',
    );
  }
  const keys = trailKeysOf(trailKey, '--trail-key');
  const { note } = readCheckpoint(file);
  let privateKey;
  try {
    privateKey = ed25519PrivateKeyFromPem(readTextFile(keyFile, 'the --key file'));
  } catch (e) {
    throw new UsageError(`--key ${keyFile}: ${(e as Error).message}`);
  }
  const signer = await trailSigner(keys, note);
  if (!signer) {
    io.err(
      `${file}: 証跡鍵の有効な署名がないため連署しません（偽造または別の証跡のチェックポイントかもしれません）
` +
        `${file}: not co-signed: no valid signature by the trail key (the checkpoint may be forged, or of another trail)
`,
    );
    return 1;
  }
  const publicKey = rawEd25519PublicKey(privateKey);
  let line: string;
  try {
    line = signatureLine(name, noteKeyId(sha256, name, publicKey), ed25519Sign(privateKey, utf8(note.body)));
  } catch (e) {
    throw new UsageError(`--name ${name}: ${(e as Error).message}`);
  }
  io.out(line);
  io.err(`trail signature / 証跡鍵の署名: valid / 有効 (${signer.fingerprint})
`);
  io.err(`verifier key / 検証鍵: ${vkey(sha256, name, publicKey)}
`);
  return 0;
}

const say = (lang: Lang | undefined, ja: string, en: string) => (lang === 'ja' ? `${ja}\n` : lang === 'en' ? `${en}\n` : `${ja}\n${en}\n`);

/**
 * `checkpoint <checkpoint.txt> --key <keys.json|pem> [--older older.txt --proof proof.json]`:
 * the checkpoint's signature by the trail key, and its consistency with an older one.
 */
export async function checkpointCommand(args: ParsedArgs, io: Output, lang: Lang | undefined): Promise<number> {
  const [file] = args.positional;
  const key = one(args, 'key');
  const olderFile = one(args, 'older');
  const proofFile = one(args, 'proof');
  if (!file || !key || args.positional.length !== 1) throw new UsageError('checkpoint needs <checkpoint.txt> --key <keys.json|PEM>');
  if (!!olderFile !== !!proofFile) throw new UsageError('--older and --proof go together');
  const keys = trailKeysOf(key, '--key');
  const signedBy = (note: Note) => trailSigner(keys, note);
  const current = readCheckpoint(file);
  let ok = true;
  const signer = await signedBy(current.note);
  if (signer)
    io.out(
      say(
        lang,
        `署名: 有効（${signer.fingerprint}）、サイズ ${current.checkpoint.size}`,
        `Signature: valid (${signer.fingerprint}), size ${current.checkpoint.size}`,
      ),
    );
  else {
    ok = false;
    io.out(say(lang, '署名: 証跡鍵の有効な署名がありません', 'Signature: no valid signature by the trail key'));
  }
  if (olderFile && proofFile) {
    const older = readCheckpoint(olderFile);
    if (!(await signedBy(older.note))) {
      ok = false;
      io.out(say(lang, '古いチェックポイント: 証跡鍵の署名がありません', 'Older checkpoint: not signed by the trail key'));
    }
    let hashes: Uint8Array[];
    try {
      // The proof's hashes: a list, an object with `hashes`, or the GraphQL answer of trailConsistencyProof.
      type ProofJson = string[] | { hashes?: string[]; data?: { trailConsistencyProof?: { hashes?: string[] } } };
      const json = JSON.parse(readTextFile(proofFile, 'the --proof file')) as ProofJson;
      const list = Array.isArray(json) ? json : (json.hashes ?? json.data?.trailConsistencyProof?.hashes);
      if (!Array.isArray(list)) throw new Error('no "hashes" list');
      hashes = list.map(fromBase64);
    } catch (e) {
      throw new UsageError(`--proof ${proofFile}: ${(e as Error).message}`);
    }
    const a = older.checkpoint;
    const b = current.checkpoint;
    const consistent =
      a.origin === b.origin && verifyConsistency(sha256, a.size, b.size, fromBase64(a.rootHash), fromBase64(b.rootHash), hashes);
    if (consistent) io.out(say(lang, `整合性: ${a.size} → ${b.size} で整合しています`, `Consistency: ${a.size} → ${b.size} is consistent`));
    else {
      ok = false;
      const code = a.size > b.size ? 'BUNDLE_OLDER_THAN_CHECKPOINT' : a.size === b.size ? 'FORK' : 'INCONSISTENT_WITH_CHECKPOINT';
      io.out(say(lang, `整合性: ${code}（${a.size} → ${b.size}）`, `Consistency: ${code} (${a.size} → ${b.size})`));
    }
  }
  for (const v of many(args, 'cosigner')) io.err(`(--cosigner ${v} is ignored by checkpoint)\n`);
  return ok ? 0 : 1;
}
