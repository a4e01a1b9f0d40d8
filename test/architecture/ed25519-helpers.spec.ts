import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Ed25519 key helpers are written once: the SubjectPublicKeyInfo prefix and
 * ed25519PublicKeyPem in libs/proofs/src/keys.ts (isomorphic: the server, the
 * CLI and the browser verifier share them), rawEd25519PublicKey in
 * libs/proofs/src/node (it needs node:crypto). A second copy could drift from
 * the first (a PEM the verifier does not read back, a key id computed over
 * other bytes) without any spec of either noticing.
 */
const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...sources(rel));
    } else if (/\.tsx?$/.test(e.name) && !/\.(e2e-)?spec\.ts$/.test(e.name)) out.push(rel);
  }
  return out;
}

const files = ['apps', 'libs']
  .flatMap(sources)
  .map((f) => ({ file: f.split(path.sep).join('/'), text: fs.readFileSync(path.join(root, f), 'utf8') }));
const where = (pattern: RegExp) => files.filter((f) => pattern.test(f.text)).map((f) => f.file);

describe('the Ed25519 key helpers have one definition each', () => {
  it('the SubjectPublicKeyInfo prefix (30 2a 30 05 06 03 2b 65 70 03 21 00) is written only in libs/proofs/src/keys.ts', () => {
    expect(where(/0x2b,\s*0x65,\s*0x70,\s*0x03,\s*0x21,\s*0x00|2b6570032100/i)).toEqual(['libs/proofs/src/keys.ts']);
  });

  it('ed25519PublicKeyPem is defined only in libs/proofs/src/keys.ts', () => {
    expect(where(/(function|const)\s+ed25519PublicKeyPem\b/)).toEqual(['libs/proofs/src/keys.ts']);
  });

  it('rawEd25519PublicKey is defined only in libs/proofs/src/node/index.ts', () => {
    expect(where(/(function|const)\s+rawEd25519PublicKey\b/)).toEqual(['libs/proofs/src/node/index.ts']);
  });
});
