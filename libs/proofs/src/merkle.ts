import { bytesEqual, concatBytes } from './encoding';

/**
 * The RFC 9162 §2.1 Merkle tree (the same as RFC 6962's), with SHA-256 passed
 * in (node:crypto on the server, @noble/hashes in the browser).
 */
export type Sha256 = (data: Uint8Array) => Uint8Array;

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

export function leafHash(sha: Sha256, leafInput: Uint8Array): Uint8Array {
  return sha(concatBytes(LEAF_PREFIX, leafInput));
}

export function nodeHash(sha: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha(concatBytes(NODE_PREFIX, left, right));
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The hash of the subtree over leaves [start, end) (MTH of RFC 9162). */
export type SubtreeHash = (start: number, end: number) => Uint8Array;

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
}

/** PATH(m, D[start:end]) of RFC 9162 §2.1.3.1, leaf to root. */
function path(mth: SubtreeHash, m: number, start: number, end: number): Uint8Array[] {
  const n = end - start;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(mth, m, start, start + k), mth(start + k, end)];
  return [...path(mth, m - k, start + k, end), mth(start, start + k)];
}

/** SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1. */
function subproof(mth: SubtreeHash, m: number, start: number, end: number, whole: boolean): Uint8Array[] {
  const n = end - start;
  if (m === n) return whole ? [] : [mth(start, end)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(mth, m, start, start + k, whole), mth(start + k, end)];
  return [...subproof(mth, m - k, start + k, end, false), mth(start, start + k)];
}

/** Inclusion proof of leaf `index` in a tree of `size` leaves, from any subtree-hash source. */
export function inclusionProofFrom(mth: SubtreeHash, index: number, size: number): Uint8Array[] {
  assertSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new Error('leaf index out of range');
  return path(mth, index, 0, size);
}

/** Consistency proof from size m to size n (empty when m is 0 or m = n). */
export function consistencyProofFrom(mth: SubtreeHash, m: number, n: number): Uint8Array[] {
  assertSize('m', m);
  assertSize('n', n);
  if (m > n) throw new Error('the older tree is larger than the newer one');
  if (m === 0 || m === n) return [];
  return subproof(mth, m, 0, n, true);
}

/** MTH over leaf inputs, straightforward recursion (for small trees and tests). */
function naiveMth(sha: Sha256, leafInputs: readonly Uint8Array[]): SubtreeHash {
  const mth: SubtreeHash = (start, end) => {
    const n = end - start;
    if (n === 0) return sha(new Uint8Array(0));
    if (n === 1) return leafHash(sha, leafInputs[start]);
    const k = splitPoint(n);
    return nodeHash(sha, mth(start, start + k), mth(start + k, end));
  };
  return mth;
}

export function rootHash(sha: Sha256, leafInputs: readonly Uint8Array[]): Uint8Array {
  return naiveMth(sha, leafInputs)(0, leafInputs.length);
}

export function inclusionProof(sha: Sha256, leafInputs: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionProofFrom(naiveMth(sha, leafInputs), index, leafInputs.length);
}

export function consistencyProof(sha: Sha256, leafInputs: readonly Uint8Array[], m: number): Uint8Array[] {
  return consistencyProofFrom(naiveMth(sha, leafInputs), m, leafInputs.length);
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show the leaf with input `leafInput` at
 * `index` in the tree of `size` leaves whose root is `root`?
 */
export function verifyInclusion(
  sha: Sha256,
  leafInput: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  return verifyInclusionOfLeafHash(sha, leafHash(sha, leafInput), index, size, proof, root);
}

/** The same as verifyInclusion, given the leaf hash instead of the leaf input. */
export function verifyInclusionOfLeafHash(
  sha: Sha256,
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  const hashLength = leaf.length;
  if (root.length !== hashLength || proof.some((p) => p.length !== hashLength)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sha, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(sha, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

/**
 * RFC 9162 §2.1.4.2: is the tree of size m with root rootM a prefix of the
 * tree of size n with root rootN? Size 0 is consistent with anything (with an
 * empty proof); m = n needs an empty proof and equal roots.
 */
export function verifyConsistency(
  sha: Sha256,
  m: number,
  n: number,
  rootM: Uint8Array,
  rootN: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && bytesEqual(rootM, rootN);
  if (proof.length === 0) return false;
  const hashLength = rootN.length;
  if (rootM.length !== hashLength || proof.some((p) => p.length !== hashLength)) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(sha, c, fr);
      sr = nodeHash(sha, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sha, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, rootM) && bytesEqual(sr, rootN);
}
