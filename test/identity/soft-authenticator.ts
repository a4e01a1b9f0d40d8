import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software passkey authenticator for the API specs: it answers the server's options as a browser with a
 * platform authenticator would (PublicKeyCredential.toJSON(): attestation "none", ES256 keys, user present and
 * verified, a counter that goes up by one per assertion). Every field can be bent one at a time (origin, relying
 * party, challenge, counter), so that each refusal is shown to come from exactly that difference.
 */
export class SoftAuthenticator {
  private readonly credentials = new Map<string, { privateKey: KeyObject; counter: number }>();

  constructor(private readonly origin: string) {}

  /** The answer to navigator.credentials.create(options). */
  create(options: { challenge: string; rp: { id?: string } }, bend: { origin?: string; rpId?: string; challenge?: string } = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credentialId = randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(bend.rpId ?? options.rp.id!),
      Buffer.from([0x45]), // UP | UV | AT
      counterBytes(0),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      Buffer.from(coseKey),
    ]);
    const clientDataJSON = this.clientData('webauthn.create', bend.challenge ?? options.challenge, bend.origin);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, number> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, number>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const id = credentialId.toString('base64url');
    this.credentials.set(id, { privateKey, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The answer to navigator.credentials.get(options), by the first (or the named) credential. */
  get(
    options: { challenge: string; rpId?: string },
    bend: { origin?: string; rpId?: string; challenge?: string; credentialId?: string; counter?: number } = {},
  ) {
    const id = bend.credentialId ?? [...this.credentials.keys()][0]!;
    const credential = this.credentials.get(id);
    if (!credential) throw new Error(`SoftAuthenticator holds no credential ${id}`);
    credential.counter = bend.counter ?? credential.counter + 1;
    const authenticatorData = Buffer.concat([sha256(bend.rpId ?? options.rpId!), Buffer.from([0x05]), counterBytes(credential.counter)]);
    const clientDataJSON = this.clientData('webauthn.get', bend.challenge ?? options.challenge, bend.origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }
}

function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function counterBytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
