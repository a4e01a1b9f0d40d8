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

/**
 * `cosign <checkpoint.txt> --key <auditor's Ed25519 PKCS#8 PEM> --name <e-mail>`: prints the
 * co-signature line to paste into cosignTrailCheckpoint (and the auditor's verifier key on stderr).
 */
export function cosignCommand(args: ParsedArgs, io: Output): number {
  const [file] = args.positional;
  const keyFile = one(args, 'key');
  const name = one(args, 'name');
  if (!file || !keyFile || !name || args.positional.length !== 1)
    throw new UsageError('cosign needs <checkpoint.txt> --key <PEM> --name <e-mail>');
  const text = readTextFile(file, 'the checkpoint');
  let body: string;
  try {
    body = text.includes('\n\n') ? parseNote(text).body : text;
    parseCheckpointBody(body);
  } catch (e) {
    throw new UsageError(`${file} is not a checkpoint: ${(e as Error).message}`);
  }
  let privateKey;
  try {
    privateKey = ed25519PrivateKeyFromPem(readTextFile(keyFile, 'the --key file'));
  } catch (e) {
    throw new UsageError(`--key ${keyFile}: ${(e as Error).message}`);
  }
  const publicKey = rawEd25519PublicKey(privateKey);
  let line: string;
  try {
    line = signatureLine(name, noteKeyId(sha256, name, publicKey), ed25519Sign(privateKey, utf8(body)));
  } catch (e) {
    throw new UsageError(`--name ${name}: ${(e as Error).message}`);
  }
  io.out(line);
  io.err(`verifier key / 検証鍵: ${vkey(sha256, name, publicKey)}\n`);
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
  const pin = keyPinArgument(key, '--key');
  if (pin.kind === 'fingerprint') throw new UsageError('a fingerprint alone has no key to check with: give keys.json or a PEM public key');
  const keys = resolveKeyPin(sha256, pin, 'trail', keysDocument('', [])).filter((k) => k.purpose === 'trail');
  const signedBy = async (note: Note) => {
    for (const k of keys) {
      for (const s of note.signatures) {
        if (k.name !== null && s.name !== k.name) continue;
        if (s.keyId !== noteKeyId(sha256, s.name, k.publicKey)) continue;
        if (await nodePlatform.verifyEd25519(k.publicKey, utf8(note.body), s.signature)) return k;
      }
    }
    return null;
  };
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
