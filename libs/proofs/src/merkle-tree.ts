import { consistencyProofFrom, inclusionProofFrom, leafHash, nodeHash, type Sha256, type SubtreeHash } from './merkle';

const HASH = 32;

/** A growable flat array of 32-byte hashes. */
class HashLevel {
  private buf = new Uint8Array(HASH * 16);
  length = 0;

  push(hash: Uint8Array): void {
    if (hash.length !== HASH) throw new Error('a hash must be 32 bytes');
    if ((this.length + 1) * HASH > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf.set(hash, this.length * HASH);
    this.length++;
  }

  at(i: number): Uint8Array {
    return this.buf.slice(i * HASH, (i + 1) * HASH);
  }
}

/**
 * An RFC 9162 tree kept in memory as its complete subtrees: level k holds the
 * hash of every aligned block of 2^k leaves. Building (or appending) costs one
 * node hash per node, i.e. under 2n hashes for n leaves, 64 bytes a leaf
 * (~64 MB for a million leaves); the root of any size ≤ n and every inclusion
 * or consistency proof then take O(log² n) lookups and hashes, never a pass
 * over the leaves.
 */
export class MerkleTree {
  private readonly levels: HashLevel[] = [new HashLevel()];

  constructor(private readonly sha: Sha256) {}

  /** A tree over leaf hashes (not leaf inputs): for the trail, leafHash(sha, chain hash bytes). */
  static fromLeafHashes(sha: Sha256, leafHashes: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree(sha);
    for (const h of leafHashes) tree.appendLeafHash(h);
    return tree;
  }

  /** A tree over leaf inputs (each is hashed with the 0x00 prefix). */
  static fromLeafInputs(sha: Sha256, leafInputs: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree(sha);
    for (const input of leafInputs) tree.appendLeafHash(leafHash(sha, input));
    return tree;
  }

  get size(): number {
    return this.levels[0].length;
  }

  appendLeafInput(input: Uint8Array): void {
    this.appendLeafHash(leafHash(this.sha, input));
  }

  appendLeafHash(hash: Uint8Array): void {
    this.levels[0].push(hash);
    // Every completed block of 2^(k+1) leaves gets its node at level k+1.
    let level = 0;
    while (this.levels[level].length % 2 === 0) {
      const lower = this.levels[level];
      const n = lower.length;
      if (!this.levels[level + 1]) this.levels.push(new HashLevel());
      this.levels[level + 1].push(nodeHash(this.sha, lower.at(n - 2), lower.at(n - 1)));
      level++;
    }
  }

  /** The leaf hash at index i. */
  leafHashAt(i: number): Uint8Array {
    if (i < 0 || i >= this.size) throw new Error('leaf index out of range');
    return this.levels[0].at(i);
  }

  private readonly mth: SubtreeHash = (start, end) => {
    const n = end - start;
    if (end > this.size || start < 0 || n < 0) throw new Error('range beyond the tree');
    if (n === 0) return this.sha(new Uint8Array(0));
    // A complete aligned block is stored.
    const level = Math.log2(n);
    if (Number.isInteger(level) && start % n === 0) {
      return this.levels[level].at(start / n);
    }
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(this.sha, this.mth(start, start + k), this.mth(start + k, end));
  };

  /** The root hash of the first `size` leaves (default: all). */
  root(size = this.size): Uint8Array {
    return this.mth(0, size);
  }

  inclusionProof(index: number, size = this.size): Uint8Array[] {
    if (size > this.size) throw new Error('size beyond the tree');
    return inclusionProofFrom(this.mth, index, size);
  }

  consistencyProof(m: number, n = this.size): Uint8Array[] {
    if (n > this.size) throw new Error('size beyond the tree');
    return consistencyProofFrom(this.mth, m, n);
  }
}
