import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './encoding';
import { consistencyProof, inclusionProof, leafHash, nodeHash, rootHash, verifyConsistency, verifyInclusion } from './merkle';
import { MerkleTree } from './merkle-tree';
import { sha256 } from './node';

// Test vectors of transparency-dev/merkle (testonly/constants.go, proof/verify_test.go,
// rfc6962/rfc6962_test.go): the RFC 6962 reference tree over these eight leaf inputs.
const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const roots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// { leaf (1-based), size, proof }
const inclusionVectors: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
// { size1, size2, proof }
const consistencyVectors: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const hex = (list: Uint8Array[]) => list.map(toHex);
const flip = (b: Uint8Array, i = 0) => {
  const c = b.slice();
  c[i] ^= 8;
  return c;
};

describe('RFC 9162 Merkle tree (transparency-dev/merkle vectors)', () => {
  it('hashes leaves and nodes as RFC 6962 says', () => {
    expect(toHex(leafHash(sha256, new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(leafHash(sha256, new TextEncoder().encode('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    const enc = new TextEncoder();
    expect(toHex(nodeHash(sha256, enc.encode('N123'), enc.encode('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('computes the reference root of every size 0..8', () => {
    for (let n = 0; n <= 8; n++) {
      expect(toHex(rootHash(sha256, leaves.slice(0, n))), `size ${n}`).toBe(roots[n]);
      expect(toHex(MerkleTree.fromLeafInputs(sha256, leaves.slice(0, n)).root()), `tree size ${n}`).toBe(roots[n]);
    }
  });

  it('produces and verifies the reference inclusion proofs', () => {
    for (const [leaf, size, proof] of inclusionVectors) {
      const tree = leaves.slice(0, size);
      expect(hex(inclusionProof(sha256, tree, leaf - 1)), `${leaf}/${size}`).toEqual(proof);
      expect(hex(MerkleTree.fromLeafInputs(sha256, leaves).inclusionProof(leaf - 1, size))).toEqual(proof);
      expect(verifyInclusion(sha256, leaves[leaf - 1], leaf - 1, size, proof.map(fromHex), fromHex(roots[size]))).toBe(true);
    }
  });

  it('refuses the corrupted inclusion probes of verify_test.go', () => {
    const [leaf, size, proofHex] = inclusionVectors[2];
    const proof = proofHex.map(fromHex);
    const root = fromHex(roots[size]);
    const i = leaf - 1;
    const input = leaves[i];
    const some = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');
    expect(verifyInclusion(sha256, input, i - 1, size, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, input, i + 1, size, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, input, i ^ 2, size, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size * 2, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size / 2, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, new TextEncoder().encode('WrongLeaf'), i, size, proof, root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, proof, fromHex(roots[0]))).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, proof, some)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, [...proof, new Uint8Array(0)], root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, [...proof, root], root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, [new Uint8Array(0), ...proof], root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, [root, ...proof], root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, proof.slice(0, -1), root)).toBe(false);
    expect(verifyInclusion(sha256, input, i, size, [proof[0], some, ...proof.slice(1)], root)).toBe(false);
    for (let p = 0; p < proof.length; p++) {
      const wrong = proof.slice();
      wrong[p] = flip(wrong[p]);
      expect(verifyInclusion(sha256, input, i, size, wrong, root)).toBe(false);
    }
    for (const [index, n] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ]) {
      expect(verifyInclusion(sha256, input, index, n, [], fromHex(roots[0]))).toBe(false);
    }
  });

  it('produces and verifies the reference consistency proofs', () => {
    for (const [m, n, proof] of consistencyVectors) {
      expect(hex(consistencyProof(sha256, leaves.slice(0, n), m)), `${m}→${n}`).toEqual(proof);
      expect(hex(MerkleTree.fromLeafInputs(sha256, leaves).consistencyProof(m, n))).toEqual(proof);
      expect(verifyConsistency(sha256, m, n, fromHex(roots[m]), fromHex(roots[n]), proof.map(fromHex))).toBe(true);
    }
  });

  it('follows verify_test.go on the edge cases of consistency', () => {
    const enc = new TextEncoder();
    const r1 = enc.encode("don't care 1");
    const r2 = enc.encode("don't care 2");
    const empty = fromHex(roots[0]);
    expect(verifyConsistency(sha256, 0, 0, r1, r2, [])).toBe(true);
    expect(verifyConsistency(sha256, 0, 1, r1, r2, [])).toBe(true);
    expect(verifyConsistency(sha256, 1, 1, r2, r2, [])).toBe(true);
    expect(verifyConsistency(sha256, 1, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(sha256, 1, 0, r1, r2, [])).toBe(false);
    expect(verifyConsistency(sha256, 2, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(sha256, 1, 2, r1, r2, [])).toBe(false);
    expect(verifyConsistency(sha256, 0, 0, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(sha256, 0, 1, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(sha256, 1, 1, empty, empty, [empty])).toBe(false);
  });

  it('refuses the corrupted consistency probes of verify_test.go', () => {
    for (const [m, n, proofHex] of consistencyVectors.filter((v) => v[2].length > 0)) {
      const proof = proofHex.map(fromHex);
      const r1 = fromHex(roots[m]);
      const r2 = fromHex(roots[n]);
      const bad = (mm: number, nn: number, a: Uint8Array, b: Uint8Array, p: Uint8Array[]) =>
        expect(verifyConsistency(sha256, mm, nn, a, b, p), `${m}→${n}`).toBe(false);
      bad(m - 1, n, r1, r2, proof);
      bad(m + 1, n, r1, r2, proof);
      bad(m ^ 2, n, r1, r2, proof);
      bad(m, n * 2, r1, r2, proof);
      bad(m, Math.floor(n / 2), r1, r2, proof);
      bad(m, n, new TextEncoder().encode('WrongRoot'), r2, proof);
      bad(m, n, r1, new TextEncoder().encode('WrongRoot'), proof);
      bad(m, n, r2, r1, proof);
      bad(m, n, r1, r2, []);
      bad(m, n, r1, r2, [...proof, new Uint8Array(0)]);
      bad(m, n, r1, r2, [...proof, r1]);
      bad(m, n, r1, r2, [...proof, r2]);
      bad(m, n, r1, r2, [new Uint8Array(0), ...proof]);
      bad(m, n, r1, r2, [r1, ...proof]);
      bad(m, n, r1, r2, [r2, ...proof]);
      bad(m, n, r1, r2, [proof[0], ...proof]);
      bad(m, n, r1, r2, proof.slice(0, -1));
      for (let p = 0; p < proof.length; p++) {
        const wrong = proof.slice();
        wrong[p] = flip(wrong[p]);
        bad(m, n, r1, r2, wrong);
      }
    }
  });
});
