import { describe, expect, it } from 'vitest';
import { bagInfoTxt, bagitTxt, manifestTxt, parseBagInfo, parseManifest, payloadOxum } from './bag';
import { canonicalDigest, canonicalJson } from './canonical';
import { fromBase64, toHex, utf8 } from './encoding';
import {
  ed25519PublicKeyPem,
  keyPinFromText,
  keysDocument,
  keysDocumentKey,
  parseKeysDocument,
  rawPublicKeyFromPem,
  resolveKeyPin,
} from './keys';
import { generateEd25519, sha256 } from './node';
import { bundleStatement, parseBundleStatement, parseSigstoreBundle, readableJson, sigstoreBundle } from './statement';

describe('RFC 8785 canonical JSON', () => {
  it('sorts keys by UTF-16 code units and writes numbers as ECMAScript does (RFC 8785 §3.2.3, appendix B)', () => {
    const sorted = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(Object.values(JSON.parse(canonicalJson(sorted)) as object)).toEqual([
      'One',
      'Carriage Return',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.3333333, 1e23, 2 ** 53 + 1])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,1e+23,9007199254740992]',
    );
    expect(canonicalJson({ b: '退職者アカウント棚卸し', a: [null, true, '\u2028\n"'] })).toBe(
      '{"a":[null,true,"\u2028\\n\\""],"b":"退職者アカウント棚卸し"}',
    );
    expect(canonicalDigest(sha256, { 承認: '済' })).toBe(toHex(sha256(utf8('{"承認":"済"}'))));
  });
});

describe('bag layout', () => {
  it('writes and reads back the manifests and bag-info.txt', () => {
    expect(bagitTxt()).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const entries = [
      { path: 'data/records/incident.json', sha256: 'a'.repeat(64) },
      { path: 'data/evidence/' + 'b'.repeat(64) + '/退職者アカウント棚卸し.csv', sha256: 'b'.repeat(64) },
      { path: 'data/odd/100%\nname', sha256: 'c'.repeat(64) },
    ];
    const text = manifestTxt(entries);
    expect(text.split('\n')[0]).toBe(`${'b'.repeat(64)}  data/evidence/${'b'.repeat(64)}/退職者アカウント棚卸し.csv`);
    expect(text).toContain('data/odd/100%25%0Aname\n');
    expect(parseManifest(text)).toEqual([...entries].sort((x, y) => (x.path < y.path ? -1 : 1)));
    for (const bad of [
      'x  data/a\n',
      `${'a'.repeat(64)}  ../a\n`,
      `${'a'.repeat(64)}  data/a`,
      `${'a'.repeat(64)}  data/a\n${'b'.repeat(64)}  data/a\n`,
    ]) {
      expect(() => parseManifest(bad), bad).toThrow();
    }
    expect(payloadOxum([{ size: 3 }, { size: 4 }])).toBe('7.2');
    const info = bagInfoTxt({
      sourceOrganization: '株式会社サンプル\n情報セキュリティ室',
      scope: 'INCIDENT',
      scopeId: 'i-1',
      incidentId: 'i-1',
      baggingDate: '2026-12-01',
      asOf: '2026-11-30T15:00:00.000Z',
      generator: 'remediation-tracker 0.1.0',
      checkpointSize: 12,
      payloadOxum: '7.2',
    });
    expect(parseBagInfo(info)).toContainEqual(['Source-Organization', '株式会社サンプル 情報セキュリティ室']);
    expect(parseBagInfo(info)).toContainEqual(['Payload-Oxum', '7.2']);
    expect(parseBagInfo(info)).toContainEqual(['External-Identifier', 'INCIDENT:i-1']);
  });

  it('builds the statement and the Sigstore bundle and reads them back', () => {
    const predicate = {
      scope: 'INCIDENT',
      scopeId: 'i',
      incidentId: 'i',
      asOf: '2026-11-30T15:00:00.000Z',
      generator: 'remediation-tracker 0.1.0',
      checkpoint: { origin: 'o/trail', size: 3, rootHash: 'x' },
      signOffs: [],
      clearances: [],
    };
    const statement = bundleStatement('d'.repeat(64), predicate);
    expect(parseBundleStatement(canonicalJson(statement))).toEqual(statement);
    const payload = utf8(canonicalJson(statement));
    const bundle = parseSigstoreBundle(readableJson(sigstoreBundle(payload, new Uint8Array(64).fill(7), 'SHA256:' + 'e'.repeat(64))));
    expect(bundle.payloadType).toBe('application/vnd.in-toto+json');
    expect(bundle.payload).toEqual(payload);
    expect(bundle.signatures[0].keyid).toBe('SHA256:' + 'e'.repeat(64));
    expect(bundle.signatures[0].sig).toEqual(new Uint8Array(64).fill(7));
  });
});

describe('keys document and pins', () => {
  const trail = generateEd25519();
  const bundle = generateEd25519();
  const doc = keysDocument('tracker.example.jp', [
    keysDocumentKey(sha256, {
      purpose: 'trail',
      name: 'tracker.example.jp/trail',
      publicKey: trail.publicKey,
      status: 'ACTIVE',
      activatedAt: '2026-12-01T00:00:00.000Z',
      retiredAt: null,
    }),
    keysDocumentKey(sha256, {
      purpose: 'bundle',
      name: 'tracker.example.jp/bundles',
      publicKey: bundle.publicKey,
      status: 'ACTIVE',
      activatedAt: '2026-12-01T00:00:00.000Z',
      retiredAt: null,
    }),
  ]);

  it('writes the same PEM as node:crypto and reads it back', () => {
    expect(ed25519PublicKeyPem(trail.publicKey)).toBe(trail.publicKeyPem);
    expect(rawPublicKeyFromPem(trail.publicKeyPem)).toEqual(trail.publicKey);
  });

  it('refuses a keys document whose derived fields lie', () => {
    const text = JSON.stringify(doc);
    expect(parseKeysDocument(sha256, text).keys).toHaveLength(2);
    const lying = JSON.parse(text) as typeof doc;
    lying.keys[1].fingerprint = lying.keys[0].fingerprint;
    expect(() => parseKeysDocument(sha256, JSON.stringify(lying))).toThrow(/fingerprint/);
  });

  it('resolves a fingerprint through the bundle keys, a keys file and a PEM', () => {
    const fp = doc.keys[1].fingerprint;
    expect(keyPinFromText(fp.toUpperCase().replace('SHA256', 'SHA256'))).toEqual({ kind: 'fingerprint', fingerprint: fp });
    const byFp = resolveKeyPin(sha256, { kind: 'fingerprint', fingerprint: fp }, 'bundle', doc);
    expect(byFp.map((k) => [k.purpose, k.name])).toEqual([['bundle', 'tracker.example.jp/bundles']]);
    expect(resolveKeyPin(sha256, { kind: 'fingerprint', fingerprint: 'SHA256:' + '0'.repeat(64) }, 'bundle', doc)).toEqual([]);
    expect(resolveKeyPin(sha256, keyPinFromText(JSON.stringify(doc)), 'bundle', null)).toHaveLength(2);
    // A PEM or a fingerprint is for what its flag says (--key: bundle, --trail-key: trail), whatever keys.json (unsigned) says.
    const byPem = resolveKeyPin(sha256, keyPinFromText(trail.publicKeyPem), 'bundle', doc);
    expect(byPem.map((k) => [k.purpose, k.name])).toEqual([['bundle', null]]);
    expect(byPem[0].publicKey).toEqual(fromBase64(doc.keys[0].publicKey));
    expect(resolveKeyPin(sha256, keyPinFromText(trail.publicKeyPem), 'trail', doc)[0].purpose).toBe('trail');
    expect(resolveKeyPin(sha256, { kind: 'fingerprint', fingerprint: fp }, 'trail', doc)[0].purpose).toBe('trail');
    expect(() => keyPinFromText('not a key')).toThrow();
  });
});
