import { describe, expect, it } from 'vitest';
import { toHex } from './encoding';
import { consistencyProof, inclusionProof, leafHash, rootHash, verifyConsistency, verifyInclusion } from './merkle';
import { MerkleTree } from './merkle-tree';
import { sha256 } from './node';

const N = 64;
const inputs = Array.from({ length: N }, (_, i) => new TextEncoder().encode(`監査証跡エントリ ${i}`));
const roots = Array.from({ length: N + 1 }, (_, n) => rootHash(sha256, inputs.slice(0, n)));
const tree = MerkleTree.fromLeafHashes(
  sha256,
  inputs.map((i) => leafHash(sha256, i)),
);

function flipped(proof: Uint8Array[], p: number, byte: number): Uint8Array[] {
  const copy = proof.map((h) => h.slice());
  copy[p][byte] ^= 1;
  return copy;
}

describe('Merkle proofs, every size 1..64', () => {
  it('the in-memory tree gives the same roots and proofs as the recursive definition', () => {
    for (let n = 0; n <= N; n++) expect(toHex(tree.root(n))).toBe(toHex(roots[n]));
    for (let n = 1; n <= N; n += 7) {
      for (let i = 0; i < n; i++)
        expect(tree.inclusionProof(i, n).map(toHex)).toEqual(inclusionProof(sha256, inputs.slice(0, n), i).map(toHex));
      for (let m = 0; m <= n; m++)
        expect(tree.consistencyProof(m, n).map(toHex)).toEqual(consistencyProof(sha256, inputs.slice(0, n), m).map(toHex));
    }
  });

  it('every inclusion proof verifies, and fails with any byte of it flipped', () => {
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        expect(verifyInclusion(sha256, inputs[i], i, n, proof, roots[n]), `${i} in ${n}`).toBe(true);
        expect(verifyInclusion(sha256, inputs[(i + 1) % N], i, n, proof, roots[n])).toBe(false);
        for (let p = 0; p < proof.length; p++) {
          const byte = (i * 7 + p * 13) % 32;
          expect(verifyInclusion(sha256, inputs[i], i, n, flipped(proof, p, byte), roots[n]), `${i} in ${n}, node ${p}`).toBe(false);
        }
      }
    }
  });

  it('every consistency proof verifies, and fails with any byte of it flipped or another root', () => {
    for (let n = 1; n <= N; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(verifyConsistency(sha256, m, n, roots[m], roots[n], proof), `${m}→${n}`).toBe(true);
        if (m === n) continue;
        const otherRoot = roots[m].slice();
        otherRoot[m % 32] ^= 0x80;
        expect(verifyConsistency(sha256, m, n, otherRoot, roots[n], proof)).toBe(false);
        for (let p = 0; p < proof.length; p++) {
          expect(verifyConsistency(sha256, m, n, roots[m], roots[n], flipped(proof, p, (m + p) % 32)), `${m}→${n}, node ${p}`).toBe(false);
        }
      }
    }
  });

  it('builds a tree of a million leaves without quadratic work', () => {
    const big = new MerkleTree(sha256);
    const leaf = new Uint8Array(32);
    for (let i = 0; i < 1_000_000; i++) {
      leaf[0] = i & 0xff;
      leaf[1] = (i >> 8) & 0xff;
      leaf[2] = (i >> 16) & 0xff;
      big.appendLeafHash(leaf);
    }
    const root = big.root();
    const proof = big.inclusionProof(765_432);
    const l = new Uint8Array(32);
    l[0] = 765_432 & 0xff;
    l[1] = (765_432 >> 8) & 0xff;
    l[2] = (765_432 >> 16) & 0xff;
    expect(toHex(big.leafHashAt(765_432))).toBe(toHex(l));
    const c = big.consistencyProof(654_321);
    expect(verifyConsistency(sha256, 654_321, 1_000_000, big.root(654_321), root, c)).toBe(true);
    expect(proof.length).toBe(20);
  });
});
