import { readFileSync } from 'node:fs';
import { FINGERPRINT_PATTERN, keyPinFromText, type KeyPin } from '@app/proofs';
import { UsageError } from './args';

/** Reads a text file named on the command line (a usage error when it cannot be read). */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** `--key` / `--trail-key`: a SHA256:<hex> fingerprint as is, otherwise a keys document or a PEM public key file. */
export function keyPinArgument(value: string, flag: string): KeyPin {
  const text = FINGERPRINT_PATTERN.test(value.trim()) ? value : readTextFile(value, `the ${flag} file`);
  try {
    return keyPinFromText(text);
  } catch (e) {
    throw new UsageError(`${flag} ${value}: ${(e as Error).message}`);
  }
}

/** `--cosigner`: a C2SP verifier key, or a file holding one. */
export function cosignerArgument(value: string): string {
  if (/^[^+\s]+\+[0-9a-f]{8}\+/.test(value)) return value;
  return readTextFile(value, 'the --cosigner file').trim();
}
