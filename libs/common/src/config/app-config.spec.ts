import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigValidationError, validateConfig } from './app-config';

/** Runs validateConfig, which must refuse `env`, and returns the error. */
function refusal(env: Record<string, unknown>): ConfigValidationError {
  try {
    validateConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return err as ConfigValidationError;
  }
  throw new Error(`expected validateConfig to refuse ${JSON.stringify(Object.keys(env))}`);
}

/** The variable each problem line names (a problem reads "NAME: what is wrong"). */
function namedVariables(err: ConfigValidationError): string[] {
  return err.problems.map((p) => p.slice(0, p.indexOf(':')));
}

const SECRET_32 = 'x'.repeat(32);
/**
 * What production requires besides JWT_SECRET: the signing key files (validation checks that they are named; the keys
 * module reads them) and the key of the authenticator secrets.
 */
const KEY_FILES = {
  TRAIL_SIGNING_KEY_FILE: '/etc/tracker/trail.pem',
  BUNDLE_SIGNING_KEY_FILE: '/etc/tracker/bundle.pem',
  SECOND_FACTOR_KEY: 'k'.repeat(32),
};

describe('validateConfig defaults', () => {
  it('starts with sensible defaults when nothing is set', () => {
    const config = validateConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config.PORT).toBe(3000);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.DEMO).toBe(true);
    expect(config.NODE_ENV).toBe('development');
  });

  it('leaves optional settings unset when not given (embedded database, generated dev JWT secret, no admin)', () => {
    const config = validateConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.JWT_SECRET).toBeUndefined();
    expect(config.ADMIN_EMAIL).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
  });

  it('ignores unrelated environment variables (the whole process.env is passed in)', () => {
    const config = validateConfig({ PATH: '/usr/bin', HOME: '/home/app', PORT: '4000' }) as unknown as Record<string, unknown>;
    expect(config.PATH).toBeUndefined();
    expect(config.HOME).toBeUndefined();
    expect(config.PORT).toBe(4000);
  });

  it('treats empty-string optional settings as unset', () => {
    const config = validateConfig({ DATABASE_URL: '', JWT_SECRET: '', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.JWT_SECRET).toBeUndefined();
    expect(config.ADMIN_EMAIL).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
  });
});

describe('validateConfig coercion of environment strings', () => {
  it('turns PORT strings into numbers, trimming blanks', () => {
    expect(validateConfig({ PORT: '8080' }).PORT).toBe(8080);
    expect(validateConfig({ PORT: ' 8081 ' }).PORT).toBe(8081);
    expect(validateConfig({ PORT: '0' }).PORT).toBe(0);
    expect(validateConfig({ PORT: '65535' }).PORT).toBe(65535);
  });

  it('accepts a PORT that is already a number', () => {
    expect(validateConfig({ PORT: 9090 }).PORT).toBe(9090);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    [' FALSE ', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['On', true],
  ])('reads DEMO=%j as %s', (raw, expected) => {
    expect(validateConfig({ DEMO: raw }).DEMO).toBe(expected);
  });
});

describe('validateConfig refusals name the variable', () => {
  it.each(['abc', '70000', '65536', '-1', '80.5', ''])('refuses PORT=%j and names PORT', (port) => {
    const err = refusal({ PORT: port });
    expect(namedVariables(err)).toEqual(['PORT']);
    expect(err.message).toContain('PORT');
  });

  it('shows the offending value of a non-secret setting so the operator can see the typo', () => {
    const err = refusal({ PORT: 'abc' });
    expect(err.message).toContain('"abc"');
  });

  it('reports every wrong variable at once', () => {
    const err = refusal({ PORT: 'abc', DEMO: 'maybe', NODE_ENV: 'staging' });
    expect(namedVariables(err).sort()).toEqual(['DEMO', 'NODE_ENV', 'PORT']);
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(namedVariables(refusal({ NODE_ENV: 'staging' }))).toEqual(['NODE_ENV']);
  });

  it("refuses DEMO='maybe' instead of guessing", () => {
    expect(namedVariables(refusal({ DEMO: 'maybe' }))).toEqual(['DEMO']);
  });

  it('is a ConfigValidationError with its own name', () => {
    const err = refusal({ PORT: 'abc' });
    expect(err.name).toBe('ConfigValidationError');
    expect(err).toBeInstanceOf(Error);
  });
});

describe('validateConfig JWT_SECRET', () => {
  it('requires JWT_SECRET in production', () => {
    expect(namedVariables(refusal({ NODE_ENV: 'production', ...KEY_FILES }))).toEqual(['JWT_SECRET']);
  });

  it('treats an empty JWT_SECRET in production as missing', () => {
    expect(namedVariables(refusal({ NODE_ENV: 'production', JWT_SECRET: '', ...KEY_FILES }))).toEqual(['JWT_SECRET']);
  });

  it('accepts production with a JWT_SECRET of 32 characters', () => {
    const config = validateConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, ...KEY_FILES });
    expect(config.NODE_ENV).toBe('production');
    expect(config.JWT_SECRET).toBe(SECRET_32);
  });

  it('refuses a JWT_SECRET shorter than 32 characters, in production and also in development when one is set', () => {
    const short = 'y'.repeat(31);
    expect(namedVariables(refusal({ NODE_ENV: 'production', JWT_SECRET: short, ...KEY_FILES }))).toEqual(['JWT_SECRET']);
    expect(namedVariables(refusal({ JWT_SECRET: short }))).toEqual(['JWT_SECRET']);
  });

  it('does not require JWT_SECRET outside production', () => {
    expect(validateConfig({ NODE_ENV: 'test' }).JWT_SECRET).toBeUndefined();
    expect(validateConfig({ NODE_ENV: 'development' }).JWT_SECRET).toBeUndefined();
  });
});

describe('validateConfig SECOND_FACTOR_KEY (the authenticator secrets at rest)', () => {
  const { SECOND_FACTOR_KEY: _key, ...signingKeys } = KEY_FILES;

  it('is required in production, an empty value counting as missing', () => {
    expect(namedVariables(refusal({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, ...signingKeys }))).toEqual(['SECOND_FACTOR_KEY']);
    expect(namedVariables(refusal({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, ...signingKeys, SECOND_FACTOR_KEY: '' }))).toEqual([
      'SECOND_FACTOR_KEY',
    ]);
  });

  it('must be at least 32 characters wherever it is set, and is never repeated in the error', () => {
    const short = 'Zq9-LEAK-second-factor-key';
    const err = refusal({ SECOND_FACTOR_KEY: short });
    expect(namedVariables(err)).toEqual(['SECOND_FACTOR_KEY']);
    expect(err.message).not.toContain(short);
    expect(validateConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, ...KEY_FILES }).SECOND_FACTOR_KEY).toBe('k'.repeat(32));
  });

  it('is not required outside production (generated once in DATA_DIR)', () => {
    expect(validateConfig({ NODE_ENV: 'development' }).SECOND_FACTOR_KEY).toBeUndefined();
    expect(validateConfig({ NODE_ENV: 'test', SECOND_FACTOR_KEY: '' }).SECOND_FACTOR_KEY).toBeUndefined();
  });
});

describe('validateConfig signing key files (docs/proofs.md, "Keys")', () => {
  it('requires both key files in production, naming each setting and what it must hold', () => {
    const err = refusal({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, SECOND_FACTOR_KEY: SECRET_32 });
    expect(namedVariables(err)).toEqual(['TRAIL_SIGNING_KEY_FILE', 'BUNDLE_SIGNING_KEY_FILE']);
    expect(err.problems[0]).toMatch(
      /^TRAIL_SIGNING_KEY_FILE: TRAIL_SIGNING_KEY_FILE is required in production: the path of an Ed25519 private key in PKCS#8 PEM/,
    );
    expect(err.problems[1]).toMatch(/^BUNDLE_SIGNING_KEY_FILE: BUNDLE_SIGNING_KEY_FILE is required in production/);
  });

  it('treats empty key file settings in production as missing', () => {
    expect(
      namedVariables(
        refusal({
          NODE_ENV: 'production',
          JWT_SECRET: SECRET_32,
          SECOND_FACTOR_KEY: SECRET_32,
          TRAIL_SIGNING_KEY_FILE: '',
          BUNDLE_SIGNING_KEY_FILE: '',
        }),
      ),
    ).toEqual(['TRAIL_SIGNING_KEY_FILE', 'BUNDLE_SIGNING_KEY_FILE']);
  });

  it('does not require them outside production (the keys are made under DATA_DIR/keys)', () => {
    const config = validateConfig({ NODE_ENV: 'development', TRAIL_SIGNING_KEY_FILE: '' });
    expect(config.TRAIL_SIGNING_KEY_FILE).toBeUndefined();
    expect(config.BUNDLE_SIGNING_KEY_FILE).toBeUndefined();
    expect(validateConfig({ TRAIL_SIGNING_KEY_FILE: '/keys/trail.pem' }).TRAIL_SIGNING_KEY_FILE).toBe('/keys/trail.pem');
  });
});

describe('validateConfig never repeats a secret in its error', () => {
  it('JWT_SECRET: the refused value does not appear in the message or the problems', () => {
    const secret = 'Zq9-LEAK-jwt-secret';
    const err = refusal({ NODE_ENV: 'production', JWT_SECRET: secret, ...KEY_FILES });
    expect(namedVariables(err)).toEqual(['JWT_SECRET']);
    expect(err.message).not.toContain(secret);
    expect(err.problems.join('\n')).not.toContain(secret);
  });

  it('ADMIN_PASSWORD: the refused value does not appear in the message', () => {
    const password = 'Qx7-LEAK-pw';
    const err = refusal({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: password });
    expect(namedVariables(err)).toEqual(['ADMIN_PASSWORD']);
    expect(err.message).not.toContain(password);
  });

  it('DATABASE_URL: neither the URL nor the password inside it appears in the message', () => {
    const url = 'mysql://admin:Hunter2-LEAK@db.internal:3306/tracker';
    const err = refusal({ DATABASE_URL: url });
    expect(namedVariables(err)).toEqual(['DATABASE_URL']);
    expect(err.message).not.toContain('Hunter2-LEAK');
    expect(err.message).not.toContain('db.internal');
  });

  it('DEMO_PASSWORD: the refused value does not appear in the message', () => {
    const err = refusal({ DEMO_PASSWORD: 'Lk5-LK' });
    expect(namedVariables(err)).toEqual(['DEMO_PASSWORD']);
    expect(err.message).not.toContain('Lk5-LK');
  });
});

describe('validateConfig DATABASE_URL', () => {
  it.each(['postgres://tracker:pw@localhost:5432/tracker', 'postgresql://tracker@db.example.jp/tracker?sslmode=require'])(
    'accepts %s',
    (url) => {
      expect(validateConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    },
  );

  it.each(['mysql://u:p@h/db', 'http://postgres.example.jp/db', 'localhost:5432/tracker', 'postgres://', 'postgres:/h/db'])(
    'refuses %s',
    (url) => {
      expect(namedVariables(refusal({ DATABASE_URL: url }))).toEqual(['DATABASE_URL']);
    },
  );
});

describe('validateConfig ADMIN_EMAIL / ADMIN_PASSWORD', () => {
  it('accepts an admin e-mail with a password of at least 12 characters', () => {
    const config = validateConfig({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'correct-horse-battery' });
    expect(config.ADMIN_EMAIL).toBe('admin@example.com');
    expect(config.ADMIN_PASSWORD).toBe('correct-horse-battery');
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD, naming ADMIN_PASSWORD', () => {
    expect(namedVariables(refusal({ ADMIN_EMAIL: 'admin@example.com' }))).toEqual(['ADMIN_PASSWORD']);
  });

  it('refuses an ADMIN_PASSWORD of 11 characters and accepts one of 12', () => {
    expect(namedVariables(refusal({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'p'.repeat(11) }))).toEqual(['ADMIN_PASSWORD']);
    expect(validateConfig({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'p'.repeat(12) }).ADMIN_PASSWORD).toBe('p'.repeat(12));
  });

  it('refuses an ADMIN_PASSWORD over 256 characters at start-up, rather than failing later in user creation', () => {
    expect(namedVariables(refusal({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'p'.repeat(257) }))).toEqual(['ADMIN_PASSWORD']);
  });

  it.each(['not-an-email', 'admin@', '@example.com', 'admin example.com'])(
    'refuses a malformed ADMIN_EMAIL %j, naming ADMIN_EMAIL',
    (email) => {
      expect(namedVariables(refusal({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'correct-horse-battery' }))).toEqual(['ADMIN_EMAIL']);
    },
  );
});

describe('validateConfig PASSWORD_HASHING', () => {
  it('is standard by default, and fast only in a test run', () => {
    expect(validateConfig({}).PASSWORD_HASHING).toBe('standard');
    expect(validateConfig({ NODE_ENV: 'test', PASSWORD_HASHING: 'fast' }).PASSWORD_HASHING).toBe('fast');
  });

  it.each(['development', 'production'])('refuses fast when NODE_ENV=%s, naming PASSWORD_HASHING', (env) => {
    const extra = env === 'production' ? { JWT_SECRET: SECRET_32, ...KEY_FILES } : {};
    expect(namedVariables(refusal({ NODE_ENV: env, PASSWORD_HASHING: 'fast', ...extra }))).toEqual(['PASSWORD_HASHING']);
  });

  it('refuses an unknown value', () => {
    expect(namedVariables(refusal({ PASSWORD_HASHING: 'none' }))).toEqual(['PASSWORD_HASHING']);
  });
});
