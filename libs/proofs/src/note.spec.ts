import { describe, expect, it } from 'vitest';
import { fromBase64, toHex, utf8 } from './encoding';
import { pae } from './dsse';
import {
  checkNoteSignature,
  checkpointBody,
  fingerprint,
  formatNote,
  noteKeyId,
  parseCheckpointBody,
  parseNote,
  parseVkey,
  signatureLine,
  vkey,
} from './note';
import { ed25519PrivateKeyFromSeed, ed25519Sign, generateEd25519, nodePlatform, rawEd25519PublicKey, sha256 } from './node';

// The example of golang.org/x/mod/sumdb/note (note.go's package doc and note_test.go).
const peterVkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const peterSkey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const peterText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterNote = `${peterText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const enochVkey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';

const peterSeed = fromBase64(peterSkey.split('+').slice(4).join('+')).slice(1);
const peterPrivate = ed25519PrivateKeyFromSeed(peterSeed);
const peterPublic = rawEd25519PublicKey(peterPrivate);

describe('C2SP signed notes (golang.org/x/mod/sumdb/note vectors)', () => {
  it('derives the key id and verifier key of the Go example', () => {
    expect(noteKeyId(sha256, 'PeterNeumann', peterPublic)).toBe('c74f20a3');
    expect(vkey(sha256, 'PeterNeumann', peterPublic)).toBe(peterVkey);
    expect(parseVkey(sha256, peterVkey).keyId).toBe('c74f20a3');
    const enoch = parseVkey(sha256, enochVkey);
    expect(enoch.name).toBe('EnochRoot');
    expect(vkey(sha256, enoch.name, enoch.publicKey)).toBe(enochVkey);
  });

  it('signs the Go example byte for byte (Ed25519 is deterministic)', () => {
    const line = signatureLine('PeterNeumann', 'c74f20a3', ed25519Sign(peterPrivate, utf8(peterText)));
    expect(formatNote(peterText, [line])).toBe(peterNote);
  });

  it('parses and verifies the Go example, and refuses it edited', async () => {
    const note = parseNote(peterNote);
    expect(note.body).toBe(peterText);
    expect(note.signatures.map((s) => [s.name, s.keyId, s.signature.length])).toEqual([['PeterNeumann', 'c74f20a3', 64]]);
    const key = { name: 'PeterNeumann', publicKey: peterPublic };
    expect(await checkNoteSignature(nodePlatform.verifyEd25519, sha256, note, key)).toBe('VALID');
    const edited = parseNote(peterNote.replace('cryptography', 'cryptographY'));
    expect(await checkNoteSignature(nodePlatform.verifyEd25519, sha256, edited, key)).toBe('INVALID');
    expect(await checkNoteSignature(nodePlatform.verifyEd25519, sha256, note, { name: 'EnochRoot', publicKey: peterPublic })).toBe(
      'ABSENT',
    );
  });

  it('refuses malformed notes and verifier keys', () => {
    const bad = [
      peterText + '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n', // no blank line
      peterNote.slice(0, -1), // no final newline
      peterNote.replace('\u2014 ', '- '), // not an em dash
      peterNote.replace('PeterNeumann x', 'Peter+Neumann x'), // '+' in the name
      peterNote.replace('=\n', '\n'), // unpadded base64
      `${peterText}\n`, // no signature
      peterNote.replace('\n\n', '\r\n\n'), // a control character
      `${peterText}\n\u2014 PeterNeumann AAAA\n`, // too short
    ];
    for (const text of bad) expect(() => parseNote(text), JSON.stringify(text)).toThrow();
    expect(() => parseVkey(sha256, peterVkey.replace('c74f20a3', 'c74f20a4'))).toThrow();
    expect(() => parseVkey(sha256, 'PeterNeumann+c74f20a3')).toThrow();
  });

  it('ignores signature lines of unknown keys and keeps them', async () => {
    const other = generateEd25519();
    const extra = signatureLine(
      'auditor@example.jp',
      noteKeyId(sha256, 'auditor@example.jp', other.publicKey),
      ed25519Sign(other.privateKey, utf8(peterText)),
    );
    const note = parseNote(peterNote + extra);
    expect(note.signatures.map((s) => s.name)).toEqual(['PeterNeumann', 'auditor@example.jp']);
    expect(await checkNoteSignature(nodePlatform.verifyEd25519, sha256, note, { name: 'PeterNeumann', publicKey: peterPublic })).toBe(
      'VALID',
    );
    expect(
      await checkNoteSignature(nodePlatform.verifyEd25519, sha256, note, { name: 'auditor@example.jp', publicKey: other.publicKey }),
    ).toBe('VALID');
    expect(await checkNoteSignature(nodePlatform.verifyEd25519, sha256, note, { name: 'auditor@example.jp', publicKey: peterPublic })).toBe(
      'INVALID',
    );
  });
});

describe('checkpoints', () => {
  it('writes and parses the C2SP tlog-checkpoint body', () => {
    const root = sha256(new Uint8Array(0));
    const body = checkpointBody({ origin: 'tracker.example.jp/trail', size: 42, rootHash: root });
    expect(body).toBe('tracker.example.jp/trail\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
    expect(parseCheckpointBody(body)).toEqual({
      origin: 'tracker.example.jp/trail',
      size: 42,
      rootHash: '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      extensions: [],
    });
    for (const b of [body.replace('42', '042'), body.replace('42', '-1'), body.slice(0, -1), 'x\n1\nAAAA\n', 'x\n1\n']) {
      expect(() => parseCheckpointBody(b), b).toThrow();
    }
  });

  it('gives the fingerprint an auditor pins', () => {
    expect(fingerprint(sha256, new Uint8Array(32))).toBe('SHA256:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
  });
});

describe('DSSE PAE', () => {
  it('encodes as the DSSE protocol example', () => {
    // From secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world").
    expect(new TextDecoder().decode(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    expect(toHex(pae('t', utf8('日本')))).toBe(toHex(utf8('DSSEv1 1 t 6 日本')));
  });
});
