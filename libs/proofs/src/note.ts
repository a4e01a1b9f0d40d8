import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from './encoding';
import type { Sha256 } from './merkle';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) and checkpoints
 * (https://c2sp.org/tlog-checkpoint), Ed25519 keys only (signature type 0x01).
 */

/** The signature-line prefix: U+2014 EM DASH and a space. */
export const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_TYPE = 0x01;
const MAX_SIGNATURES = 100;

export interface CheckpointFields {
  origin: string;
  size: number;
  /** The root hash, base64 (or raw bytes). */
  rootHash: string | Uint8Array;
}

export interface Checkpoint {
  origin: string;
  size: number;
  /** Standard base64 of the 32-byte root hash. */
  rootHash: string;
  /** Extension lines after the root hash (none in ours). */
  extensions: string[];
}

export interface NoteSignature {
  name: string;
  /** The 4-byte key id as 8 lowercase hex chars. */
  keyId: string;
  /** The signature bytes after the key id (64 for Ed25519). */
  signature: Uint8Array;
  /** The whole line, with its newline. */
  line: string;
}

export interface Note {
  /** The signed text: every line ends with a newline. */
  body: string;
  signatures: NoteSignature[];
}

/** A key name: non-empty, no whitespace, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/\p{Cc}/u.test(name);
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new Error(`invalid key name ${JSON.stringify(name)}`);
}

/** `<origin>\n<size>\n<base64 root>\n` */
export function checkpointBody(c: CheckpointFields): string {
  if (!c.origin || /[\n\r]/.test(c.origin)) throw new Error('invalid checkpoint origin');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new Error('invalid checkpoint size');
  const root = typeof c.rootHash === 'string' ? c.rootHash : toBase64(c.rootHash);
  if (fromBase64(root).length !== 32) throw new Error('a checkpoint root hash is 32 bytes');
  return `${c.origin}\n${c.size}\n${root}\n`;
}

/** Parses a checkpoint body (the text of the note, without signatures). */
export function parseCheckpointBody(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw new Error('a checkpoint body ends with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('a checkpoint has an origin, a size and a root hash');
  const [origin, sizeText, rootHash, ...extensions] = lines;
  if (!origin) throw new Error('empty checkpoint origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error('invalid checkpoint size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint size too large');
  let root: Uint8Array;
  try {
    root = fromBase64(rootHash);
  } catch {
    throw new Error('invalid checkpoint root hash');
  }
  if (root.length !== 32) throw new Error('a checkpoint root hash is 32 bytes');
  if (extensions.some((e) => e === '')) throw new Error('empty extension line in checkpoint');
  return { origin, size, rootHash, extensions };
}

/**
 * Parses a signed note strictly: valid text (no control characters but
 * newlines), the body ending with a newline, a blank line, then one or more
 * lines `— <name> <base64(4-byte key id || signature)>\n`.
 */
export function parseNote(text: string): Note {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) throw new Error('a note holds no control characters but newlines');
  }
  if (/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) throw new Error('a note is valid Unicode');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new Error('a note has a blank line between its text and its signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (!block.endsWith('\n')) throw new Error('a note ends with a newline');
  const signatures: NoteSignature[] = [];
  for (const raw of block.slice(0, -1).split('\n')) {
    const line = `${raw}\n`;
    if (!raw.startsWith(SIGNATURE_PREFIX)) throw new Error('a signature line starts with an em dash and a space');
    const rest = raw.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw new Error('a signature line has a key name and a signature');
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    if (!isValidKeyName(name)) throw new Error(`invalid key name in signature line: ${JSON.stringify(name)}`);
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(b64);
    } catch {
      throw new Error(`invalid base64 in the signature of ${name}`);
    }
    if (bytes.length < 5) throw new Error(`the signature of ${name} is too short`);
    signatures.push({ name, keyId: toHex(bytes.slice(0, 4)), signature: bytes.slice(4), line });
  }
  if (signatures.length === 0) throw new Error('a note has at least one signature');
  if (signatures.length > MAX_SIGNATURES) throw new Error('too many signatures');
  return { body, signatures };
}

/** Body, a blank line, the signature lines (each ending with a newline). */
export function formatNote(body: string, signatureLines: readonly string[]): string {
  if (!body.endsWith('\n')) throw new Error('a note body ends with a newline');
  return `${body}\n${signatureLines.join('')}`;
}

function keyIdBytes(keyId: string | Uint8Array): Uint8Array {
  const bytes = typeof keyId === 'string' ? fromHex(keyId) : keyId;
  if (bytes.length !== 4) throw new Error('a key id is 4 bytes');
  return bytes;
}

/** First 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), as 8 hex chars. */
export function noteKeyId(sha: Sha256, name: string, rawPublicKey: Uint8Array): string {
  assertKeyName(name);
  if (rawPublicKey.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return toHex(sha(concatBytes(utf8(name), new Uint8Array([0x0a, ED25519_TYPE]), rawPublicKey)).slice(0, 4));
}

/** `— <name> <base64(key id || signature)>\n` */
export function signatureLine(name: string, keyId: string | Uint8Array, signature: Uint8Array): string {
  assertKeyName(name);
  return `${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(keyIdBytes(keyId), signature))}\n`;
}

/** The C2SP verifier key `<name>+<key id hex>+<base64(0x01 || public key)>`. */
export function vkey(sha: Sha256, name: string, rawPublicKey: Uint8Array): string {
  const id = noteKeyId(sha, name, rawPublicKey);
  return `${name}+${id}+${toBase64(concatBytes(new Uint8Array([ED25519_TYPE]), rawPublicKey))}`;
}

export interface VerifierKey {
  name: string;
  keyId: string;
  publicKey: Uint8Array;
}

/** Parses an Ed25519 verifier key and checks that its key id matches its name and key. */
export function parseVkey(sha: Sha256, text: string): VerifierKey {
  const first = text.indexOf('+');
  if (first <= 0) throw new Error('a verifier key is <name>+<key id>+<key>');
  const name = text.slice(0, first);
  const keyId = text.slice(first + 1, first + 9);
  if (text[first + 9] !== '+' || !/^[0-9a-f]{8}$/.test(keyId)) throw new Error('a verifier key has an 8-hex key id');
  let material: Uint8Array;
  try {
    material = fromBase64(text.slice(first + 10));
  } catch {
    throw new Error('invalid base64 in the verifier key');
  }
  if (material.length !== 33 || material[0] !== ED25519_TYPE) throw new Error('only Ed25519 verifier keys are supported');
  const publicKey = material.slice(1);
  if (noteKeyId(sha, name, publicKey) !== keyId) throw new Error('the verifier key id does not match its name and key');
  return { name, keyId, publicKey };
}

/** `SHA256:` + hex SHA-256 of the raw public key: what an auditor pins. */
export function fingerprint(sha: Sha256, rawPublicKey: Uint8Array): string {
  return `SHA256:${toHex(sha(rawPublicKey))}`;
}

export type VerifyEd25519 = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

export type NoteSignatureStatus = 'VALID' | 'INVALID' | 'ABSENT';

/**
 * Whether `key` signed the note: VALID if a line by its name and key id
 * verifies, INVALID if a line by its name and key id does not (or a line by
 * its name has another key id), ABSENT if no line has its name.
 */
export async function checkNoteSignature(
  verifyEd25519: VerifyEd25519,
  sha: Sha256,
  note: Note,
  key: { name: string; publicKey: Uint8Array },
): Promise<NoteSignatureStatus> {
  const id = noteKeyId(sha, key.name, key.publicKey);
  const lines = note.signatures.filter((s) => s.name === key.name);
  if (lines.length === 0) return 'ABSENT';
  const mine = lines.filter((s) => s.keyId === id);
  for (const s of mine) {
    if (s.signature.length === 64 && (await verifyEd25519(key.publicKey, utf8(note.body), s.signature))) return 'VALID';
  }
  return 'INVALID';
}

export function sameRoot(a: string, b: string): boolean {
  return bytesEqual(fromBase64(a), fromBase64(b));
}
