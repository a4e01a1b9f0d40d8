import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The verifier core's platform in the browser: a synchronous SHA-256 for the
 * Merkle hashing (@noble/hashes: WebCrypto's digest is asynchronous only) and
 * Ed25519 verification with WebCrypto (Chromium 137+, Firefox 129+, Safari 17+).
 */
export interface BrowserPlatform {
  sha256: (data: Uint8Array) => Uint8Array;
  verifyEd25519: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
}

const buf = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

export const browserPlatform: BrowserPlatform = {
  sha256: (data) => sha256(data),
  async verifyEd25519(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const key = await crypto.subtle.importKey('raw', buf(publicKey), { name: 'Ed25519' }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'Ed25519' }, key, buf(signature), buf(message));
    } catch {
      // A point that is not on the curve is refused at import: not a valid signature either.
      return false;
    }
  },
};

/** Whether this browser's WebCrypto verifies Ed25519 (checked before a bundle is read, to say so plainly). */
export async function supportsEd25519(): Promise<boolean> {
  if (!globalThis.crypto?.subtle) return false;
  try {
    // RFC 8032 test 1: the empty message.
    const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = fromHex(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    return await browserPlatform.verifyEd25519(pub, new Uint8Array(0), sig);
  } catch {
    return false;
  }
}

function fromHex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
}
