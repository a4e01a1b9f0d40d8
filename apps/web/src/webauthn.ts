/**
 * Passkeys in the browser (WebAuthn), written here rather than taken from a library: the server sends the options
 * as JSON with the binary fields in base64url (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON, as
 * @simplewebauthn/server makes them); navigator.credentials wants ArrayBuffers; the answer goes back as JSON
 * (what PublicKeyCredential.toJSON() gives, which not every browser has yet).
 */

type Json = Record<string, unknown>;

/** base64url (no padding) to bytes. */
export function base64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes to base64url (no padding). */
export function bytesToBase64url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptors = (list: unknown): PublicKeyCredentialDescriptor[] | undefined =>
  Array.isArray(list)
    ? (list as Json[]).map(
        (d) => ({ ...(d as object), type: 'public-key', id: base64urlToBytes(String(d['id'])) }) as PublicKeyCredentialDescriptor,
      )
    : undefined;

/** The server's registration options as navigator.credentials.create() takes them. */
export function creationOptionsFromJSON(json: Json): PublicKeyCredentialCreationOptions {
  const user = json['user'] as Json;
  return {
    ...(json as object),
    challenge: base64urlToBytes(String(json['challenge'])),
    user: { ...(user as object), id: base64urlToBytes(String(user['id'])) } as unknown as PublicKeyCredentialUserEntity,
    excludeCredentials: descriptors(json['excludeCredentials']),
  } as unknown as PublicKeyCredentialCreationOptions;
}

/** The server's verification options as navigator.credentials.get() takes them. */
export function requestOptionsFromJSON(json: Json): PublicKeyCredentialRequestOptions {
  return {
    ...(json as object),
    challenge: base64urlToBytes(String(json['challenge'])),
    allowCredentials: descriptors(json['allowCredentials']),
  } as unknown as PublicKeyCredentialRequestOptions;
}

/** The parts of a credential's answer this page reads (a registration's or a verification's). */
export interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
  };
  getClientExtensionResults?: () => unknown;
}

/** A credential's answer as JSON (RegistrationResponseJSON or AuthenticationResponseJSON). */
export function credentialToJSON(cred: CredentialLike): Json {
  const r = cred.response;
  const response: Json = { clientDataJSON: bytesToBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response['attestationObject'] = bytesToBase64url(r.attestationObject);
    response['transports'] = r.getTransports?.() ?? [];
  }
  if (r.authenticatorData) response['authenticatorData'] = bytesToBase64url(r.authenticatorData);
  if (r.signature) response['signature'] = bytesToBase64url(r.signature);
  if (r.userHandle) response['userHandle'] = bytesToBase64url(r.userHandle);
  return {
    id: cred.id,
    rawId: bytesToBase64url(cred.rawId),
    type: cred.type,
    response,
    clientExtensionResults: cred.getClientExtensionResults?.() ?? {},
    ...(cred.authenticatorAttachment ? { authenticatorAttachment: cred.authenticatorAttachment } : {}),
  };
}

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** Registers a passkey with the server's options; the answer as JSON for finishPasskeyRegistration. */
export async function createPasskey(options: Json): Promise<Json> {
  const cred = await navigator.credentials.create({ publicKey: creationOptionsFromJSON(options) });
  if (!cred) throw new Error('no credential');
  return credentialToJSON(cred as unknown as CredentialLike);
}

/** Proves a passkey with the server's options; the answer as JSON for finishPasskeyVerification. */
export async function getPasskey(options: Json): Promise<Json> {
  const cred = await navigator.credentials.get({ publicKey: requestOptionsFromJSON(options) });
  if (!cred) throw new Error('no credential');
  return credentialToJSON(cred as unknown as CredentialLike);
}
