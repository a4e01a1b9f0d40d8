import { describe, expect, it } from 'vitest';
import { ConfigValidationError, EVIDENCE_MEDIA_TYPES, validateConfig } from '@app/common';
import { MediaTypeSniffer } from '../file-type/media-type-sniffer';

/** The two settings of evidence storage (declared in libs/common/src/config/app-config.ts). */
describe('EVIDENCE_MAX_BYTES and EVIDENCE_ALLOWED_TYPES', () => {
  it('default to 50 MiB and the eight evidence types', () => {
    const config = validateConfig({});
    expect(config.EVIDENCE_MAX_BYTES).toBe(52_428_800);
    expect(config.EVIDENCE_ALLOWED_TYPES).toEqual([
      'application/pdf',
      'image/png',
      'image/jpeg',
      'text/csv',
      'text/plain',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/json',
    ]);
  });

  it('read a byte count and a comma list (spaces and case forgiven)', () => {
    const config = validateConfig({ EVIDENCE_MAX_BYTES: '1048576', EVIDENCE_ALLOWED_TYPES: ' application/pdf, Image/PNG ,' });
    expect(config.EVIDENCE_MAX_BYTES).toBe(1_048_576);
    expect(config.EVIDENCE_ALLOWED_TYPES).toEqual(['application/pdf', 'image/png']);
  });

  it.each([
    [{ EVIDENCE_MAX_BYTES: '0' }, 'EVIDENCE_MAX_BYTES'],
    [{ EVIDENCE_MAX_BYTES: '-5' }, 'EVIDENCE_MAX_BYTES'],
    [{ EVIDENCE_MAX_BYTES: '50MiB' }, 'EVIDENCE_MAX_BYTES'],
    [{ EVIDENCE_MAX_BYTES: '1.5' }, 'EVIDENCE_MAX_BYTES'],
    [{ EVIDENCE_ALLOWED_TYPES: 'application/pdf,application/x-msdownload' }, 'EVIDENCE_ALLOWED_TYPES'],
    [{ EVIDENCE_ALLOWED_TYPES: 'application/zip' }, 'EVIDENCE_ALLOWED_TYPES'],
    [{ EVIDENCE_ALLOWED_TYPES: ' , ' }, 'EVIDENCE_ALLOWED_TYPES'],
  ])('refuse %j at start, naming the variable', (env, name) => {
    let err: unknown;
    try {
      validateConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as ConfigValidationError).problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([name]);
  });

  it('the sniffer recognises exactly the types that may be allowed', () => {
    expect([...new MediaTypeSniffer().candidates].sort()).toEqual([...EVIDENCE_MEDIA_TYPES].sort());
  });
});
