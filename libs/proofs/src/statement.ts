import { TAG_MANIFEST_PATH } from './bag';
import { fromBase64, toBase64 } from './encoding';

/** The in-toto Statement v1 over the bag and the Sigstore bundle v0.3 that carries its DSSE envelope. */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://remediation-tracker.dev/evidence-bundle/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface BundlePredicate {
  scope: string;
  scopeId: string;
  incidentId: string;
  asOf: string;
  generator: string;
  /** `keyFingerprint`: the trail key that signed the bundled checkpoint (so keys.json, unsigned, cannot swap it). */
  checkpoint: { origin: string; size: number; rootHash: string; keyFingerprint?: string };
  signOffs: { id: string; countermeasureId: string; digest: string }[];
  clearances: { id: string; digest: string }[];
}

export interface BundleStatement {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: BundlePredicate;
}

/** The in-toto Statement v1 whose subject is the tag manifest. Its DSSE payload is its canonical JSON. */
export function bundleStatement(tagManifestSha256: string, predicate: BundlePredicate): BundleStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: TAG_MANIFEST_PATH, digest: { sha256: tagManifestSha256 } }],
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

export interface SigstoreBundle {
  mediaType: string;
  verificationMaterial: {
    publicKey: { hint: string };
    tlogEntries: unknown[];
    timestampVerificationData: { rfc3161Timestamps: unknown[] };
  };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid: string }[] };
}

/** `bundle.sigstore.json`: the Sigstore bundle v0.3 holding the DSSE envelope (signature over pae(type, payload)). */
export function sigstoreBundle(payload: Uint8Array, signature: Uint8Array, fingerprint: string): SigstoreBundle {
  return {
    mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint: fingerprint },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: toBase64(payload),
      payloadType: DSSE_PAYLOAD_TYPE,
      signatures: [{ sig: toBase64(signature), keyid: fingerprint }],
    },
  };
}

/** A JSON file of the bundle that people read (keys.json, bundle.sigstore.json): indented, with a final newline. */
export function readableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface ParsedEnvelope {
  hint: string | null;
  payloadType: string;
  payload: Uint8Array;
  signatures: { sig: Uint8Array; keyid: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads bundle.sigstore.json: the media type, the envelope's payload and signatures (throws when malformed). */
export function parseSigstoreBundle(text: string): ParsedEnvelope {
  const json: unknown = JSON.parse(text);
  if (!isObject(json) || json.mediaType !== SIGSTORE_BUNDLE_MEDIA_TYPE) throw new Error('not a Sigstore bundle v0.3');
  const env = json.dsseEnvelope;
  if (!isObject(env) || typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !Array.isArray(env.signatures)) {
    throw new Error('the Sigstore bundle has no DSSE envelope');
  }
  const material = json.verificationMaterial;
  const hint =
    isObject(material) && isObject(material.publicKey) && typeof material.publicKey.hint === 'string' ? material.publicKey.hint : null;
  const signatures = env.signatures.map((s: unknown) => {
    if (!isObject(s) || typeof s.sig !== 'string') throw new Error('a DSSE signature has no sig');
    return { sig: fromBase64(s.sig), keyid: typeof s.keyid === 'string' ? s.keyid : '' };
  });
  return { hint, payloadType: env.payloadType, payload: fromBase64(env.payload), signatures };
}

/** Checks the shape of a statement parsed from the envelope's payload (throws when it is not ours). */
export function parseBundleStatement(text: string): BundleStatement {
  const s: unknown = JSON.parse(text);
  if (!isObject(s) || s._type !== STATEMENT_TYPE) throw new Error('not an in-toto Statement v1');
  if (s.predicateType !== PREDICATE_TYPE) throw new Error(`unknown predicate type ${String(s.predicateType)}`);
  if (!Array.isArray(s.subject)) throw new Error('the statement has no subject');
  const p = s.predicate;
  if (!isObject(p) || !isObject(p.checkpoint) || !Array.isArray(p.signOffs) || !Array.isArray(p.clearances)) {
    throw new Error('the statement has no evidence-bundle predicate');
  }
  const c = p.checkpoint;
  if (typeof c.origin !== 'string' || typeof c.size !== 'number' || typeof c.rootHash !== 'string') {
    throw new Error('the predicate has no checkpoint');
  }
  if (c.keyFingerprint !== undefined && (typeof c.keyFingerprint !== 'string' || !/^SHA256:[0-9a-f]{64}$/.test(c.keyFingerprint))) {
    throw new Error("the predicate's checkpoint keyFingerprint is not a SHA256:<hex> fingerprint");
  }
  return s as unknown as BundleStatement;
}
