import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig } from '../app-config';

/** Everything several instances need, named explicitly (shared places). */
const SHARED = {
  DATABASE_URL: 'postgres://tracker@db.internal:5432/tracker',
  EVIDENCE_S3_BUCKET: 'tracker-evidence',
  JWT_SECRET: 'j'.repeat(32),
  SECOND_FACTOR_KEY: 'k'.repeat(32),
  TRAIL_SIGNING_KEY_FILE: '/etc/tracker/trail.pem',
  BUNDLE_SIGNING_KEY_FILE: '/etc/tracker/bundle.pem',
  CHECKPOINT_DIR: '/srv/tracker-shared/checkpoints',
  BUNDLE_DIR: '/srv/tracker-shared/bundles',
};

function problems(env: Record<string, unknown>): string[] {
  try {
    validateConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).problems;
  }
  return [];
}

/** The problem line that names `setting` (a problem reads "NAME: what is wrong"). */
function problemOf(env: Record<string, unknown>, setting: string): string {
  const found = problems(env).filter((p) => p.startsWith(`${setting}: `));
  expect(found, `one problem names ${setting}`).toHaveLength(1);
  return found[0];
}

const without = (setting: keyof typeof SHARED) => {
  const env: Record<string, string> = { INSTANCES: '3', ...SHARED };
  delete env[setting];
  return env;
};

describe('INSTANCES > 1 refuses what each instance would otherwise keep to itself', () => {
  it('one instance (the default) keeps the single-process defaults: embedded database, local store, secrets made in DATA_DIR', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ INSTANCES: '1' })).toEqual([]);
  });

  it('several instances start when every shared thing is named', () => {
    expect(problems({ INSTANCES: '3', ...SHARED })).toEqual([]);
    const { EVIDENCE_S3_BUCKET: _bucket, ...noBucket } = SHARED;
    expect(problems({ INSTANCES: '2', ...noBucket, EVIDENCE_SHARED_DIRECTORY: 'true' })).toEqual([]);
  });

  it('the embedded database is refused: DATABASE_URL is required', () => {
    const p = problemOf(without('DATABASE_URL'), 'DATABASE_URL');
    expect(p).toContain('INSTANCES=3');
    expect(p).toContain('set DATABASE_URL');
    expect(p).toContain('embedded database');
  });

  it('a local evidence store is refused unless it is declared a shared directory', () => {
    const p = problemOf(without('EVIDENCE_S3_BUCKET'), 'EVIDENCE_S3_BUCKET');
    expect(p).toContain('set EVIDENCE_S3_BUCKET');
    expect(p).toContain('EVIDENCE_SHARED_DIRECTORY=true');
    expect(problems({ ...without('EVIDENCE_S3_BUCKET'), EVIDENCE_SHARED_DIRECTORY: 'false' })).toHaveLength(1);
  });

  it.each([
    ['JWT_SECRET', 'DATA_DIR/jwt-secret'],
    ['SECOND_FACTOR_KEY', 'DATA_DIR/second-factor-key'],
    ['TRAIL_SIGNING_KEY_FILE', 'DATA_DIR/keys/trail.pem'],
    ['BUNDLE_SIGNING_KEY_FILE', 'DATA_DIR/keys/bundle.pem'],
  ] as const)('%s, which would be generated per instance into %s, must be set', (setting, generated) => {
    const p = problemOf(without(setting), setting);
    expect(p).toContain(`set ${setting}`);
    expect(p).toContain('every instance');
    expect(p).toContain(generated);
  });

  it.each(['CHECKPOINT_DIR', 'BUNDLE_DIR'] as const)('%s must name a directory every instance mounts', (setting) => {
    const p = problemOf(without(setting), setting);
    expect(p).toContain(`set ${setting} to a directory every instance mounts`);
  });

  it('names every missing setting at once, one line each, and never repeats a secret', () => {
    const all = problems({ INSTANCES: '4', JWT_SECRET: 'short-but-secret' });
    expect(all.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual(
      [
        'BUNDLE_DIR',
        'BUNDLE_SIGNING_KEY_FILE',
        'CHECKPOINT_DIR',
        'DATABASE_URL',
        'EVIDENCE_S3_BUCKET',
        'JWT_SECRET', // too short: the setting's own rule
        'SECOND_FACTOR_KEY',
        'TRAIL_SIGNING_KEY_FILE',
      ].sort(),
    );
    expect(all.join('\n')).not.toContain('short-but-secret');
  });

  it('a wrong INSTANCES is reported as such, without the rules of several instances', () => {
    expect(problems({ INSTANCES: 'many' }).map((p) => p.slice(0, p.indexOf(':')))).toEqual(['INSTANCES']);
  });
});
