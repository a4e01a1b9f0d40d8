import { concatBytes, utf8 } from './encoding';

/** The DSSE pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(payload) SP payload. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  return concatBytes(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}
