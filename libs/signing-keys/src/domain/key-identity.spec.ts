import { describe, expect, it } from 'vitest';
import { fingerprintOf, keyName, noteKeyIdHex, verifierKey } from './key-identity';

// The verifier key of the example in golang.org/x/mod/sumdb/note (the C2SP signed-note reference implementation).
const EXAMPLE_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const EXAMPLE_RAW = new Uint8Array(Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64').subarray(1));

describe('key identity (docs/proofs.md, "Keys")', () => {
  it('computes the C2SP note key id and verifier key of the reference example', () => {
    expect(EXAMPLE_RAW).toHaveLength(32);
    expect(noteKeyIdHex('PeterNeumann', EXAMPLE_RAW)).toBe('c74f20a3');
    expect(verifierKey('PeterNeumann', EXAMPLE_RAW)).toBe(EXAMPLE_VKEY);
  });

  it('the key id depends on the name: the trail and the bundle name give different ids for one key', () => {
    expect(noteKeyIdHex('tracker.example.co.jp/trail', EXAMPLE_RAW)).not.toBe(noteKeyIdHex('tracker.example.co.jp/bundles', EXAMPLE_RAW));
  });

  it('fingerprints the raw public key as SHA256:<lowercase hex>', () => {
    // SHA-256 of 32 zero bytes.
    expect(fingerprintOf(new Uint8Array(32))).toBe('SHA256:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
  });

  it('names the keys <origin>/trail and <origin>/bundles', () => {
    expect(keyName('tracker.example.co.jp', 'trail')).toBe('tracker.example.co.jp/trail');
    expect(keyName('tracker.example.co.jp', 'bundle')).toBe('tracker.example.co.jp/bundles');
  });
});
