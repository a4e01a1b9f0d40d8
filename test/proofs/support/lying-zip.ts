/**
 * A zip whose entries lie about their uncompressed size (the size field of each
 * local header and central directory record rewritten to `declared`): a zip
 * bomb when the real content is larger. Neither zip64 nor a data descriptor.
 */
export function withDeclaredSize(zip: Uint8Array, declared: number): Uint8Array {
  const out = new Uint8Array(zip);
  const v = new DataView(out.buffer);
  for (let at = 0; at + 4 <= out.length; at++) {
    const sig = v.getUint32(at, true);
    if (sig === 0x04034b50) v.setUint32(at + 22, declared, true);
    if (sig === 0x02014b50) v.setUint32(at + 24, declared, true);
  }
  return out;
}
