import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { Actor } from '@app/common';
import { JwtService } from '@nestjs/jwt';
import { AuthSessionEntity, UsersService, type Role, type UserEntity } from '@app/identity';
import { DataSource, IsNull } from 'typeorm';
import { createApp } from '../../apps/api/src/bootstrap';
import { freshDatabase } from './fresh-database';
import { appClosed, appOpened } from './open-apps';
import { signingKeyFile } from './server-child';

export interface GqlResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** A real server (real HTTP, real PostgreSQL, real migrations) on its own fresh database. */
export class TestApp {
  private userCounter = 0;

  private constructor(
    readonly app: NestExpressApplication,
    readonly baseUrl: string,
    readonly databaseUrl: string,
    private readonly dataDir: string,
  ) {}

  /**
   * @nestjs-cls/transactional keeps one static TransactionHost per process, so
   * two apps open at once in one test file would share it: refuse that.
   */
  private static open = 0;

  /**
   * `opts.restartOf`: a server restarted on the database of that (closed) app
   * instead of a fresh one: what the previous run left there is still there.
   */
  /**
   * `opts.secondFactorPolicy`: 'default' keeps the migration's policy (a second factor required for AUDITOR,
   * EXECUTIVE and ADMIN: their password sign-ins start ENROLMENT_PENDING); otherwise no role requires one, so that
   * specs not about second factors sign in with a password alone. Sessions minted by `token()` are ACTIVE either way.
   */
  /**
   * `opts.sameDatabaseAs`: a second instance on the database of that open app (two instances of the server, as
   * behind a load balancer). Both share the process's TransactionHost (the last one started): close them in the
   * order they were started, and call services directly (`app.get(...)`) on the one started last. A service of
   * the first one called directly runs its transaction on the last one's connection, and its trail entries, held
   * by the first one's append buffer until a commit it never sees, are lost.
   */
  static async start(
    env: Record<string, string> = {},
    opts: { restartOf?: TestApp; secondFactorPolicy?: 'default' | 'none'; sameDatabaseAs?: TestApp } = {},
  ): Promise<TestApp> {
    if (TestApp.open > 0 && !opts.sameDatabaseAs) throw new Error('Close the previous TestApp first (one app per test process at a time)');
    TestApp.open++;
    let databaseUrl = opts.restartOf?.databaseUrl ?? opts.sameDatabaseAs?.databaseUrl;
    if (!databaseUrl) {
      databaseUrl = await freshDatabase();
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-app-'));
    const production = env.NODE_ENV === 'production';
    Object.assign(process.env, {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECOND_FACTOR_KEY: randomBytes(32).toString('hex'),
      DEMO: 'false',
      LOG_LEVEL: 'silent',
      // Hundreds of users and sign-ins: argon2id at its smallest cost (refused outside NODE_ENV=test,
      // so an app started as production hashes as production does).
      PASSWORD_HASHING: (env.NODE_ENV ?? 'test') === 'test' ? 'fast' : 'standard',
      // The signing keys: made under DATA_DIR/keys, except in production, which requires key files (made here, unless given).
      TRAIL_SIGNING_KEY_FILE: production ? signingKeyFile(dataDir, 'trail') : '',
      BUNDLE_SIGNING_KEY_FILE: production ? signingKeyFile(dataDir, 'bundle') : '',
      // Minted sessions carry a second-factor proof made when minted: a day's step-up window keeps specs that sign
      // (sign-offs, clearances) independent of how long they run; test/identity/step-up.e2e-spec.ts ages the proof itself.
      STEP_UP_MAX_AGE_SECONDS: '86400',
      JWT_TTL_SECONDS: '3600',
      // No job queue worker (pg-boss polls its queues every few seconds, and its statements would count in the
      // statement-count specs): specs run the jobs' methods themselves; test/jobs/ sets JOBS_ENABLED=true.
      JOBS_ENABLED: 'false',
      ...env,
    });
    let app: NestExpressApplication;
    try {
      app = await createApp();
      await app.listen(0, '127.0.0.1');
    } catch (err) {
      TestApp.open--;
      throw err;
    }
    const address = app.getHttpServer().address() as { port: number };
    const started = new TestApp(app, `http://127.0.0.1:${address.port}`, databaseUrl, dataDir);
    appOpened(started);
    if (opts.secondFactorPolicy !== 'default') {
      await app.get(DataSource).query(`UPDATE second_factor_policy SET required = false, updated_by_label = 'system:test-factory'`);
    }
    return started;
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    appClosed(this);
    TestApp.open--;
    await this.app.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<GqlResponse<T>> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResponse<T>;
  }

  async login(email: string, password: string): Promise<string> {
    const res = await this.gql<{ login: { accessToken: string } }>(
      `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
      { input: { email, password } },
    );
    if (!res.data?.login) throw new Error(`login failed for ${email}: ${JSON.stringify(res.errors)}`);
    return res.data.login.accessToken;
  }

  /** Factory: a user with the given roles, created through the service (not the API under test). */
  async createUser(
    roles: Role[],
    overrides: Partial<{ email: string; displayName: string; displayNameKana: string; password: string }> = {},
  ) {
    const n = ++this.userCounter;
    const password = overrides.password ?? `pw-${randomUUID()}`;
    const user: UserEntity = await this.app.get(UsersService).create(Actor.system('test-factory'), {
      email: overrides.email ?? `user${n}-${randomBytes(3).toString('hex')}@example.test`,
      displayName: overrides.displayName ?? `利用者 ${n}`,
      displayNameKana: overrides.displayNameKana ?? `りようしゃ ${n}`,
      password,
      roles,
    });
    return {
      user,
      password,
      /** The access token a sign-in would return, minted by the app's own AuthService (same claims, same secret). */
      token: () => this.mintToken(user),
      /** A real sign-in over GraphQL: for the specs that test sign-in itself. */
      signIn: () => this.login(user.email, password),
    };
  }

  private readonly minted = new Map<string, { token: string; until: number; sid: string }>();

  /**
   * An access token as `login` would return it after the second factor: a session row (ACTIVE, its second factor
   * proved by TOTP when minted) and a token with the same claims and secret as SessionsService issues, so every
   * request with it is authorized exactly as in production. Skips the password, the second factor and their limits
   * (and their trail entries), for tests that do not test sign-in. One session per user, reused while its token lasts.
   */
  async mintToken(user: UserEntity): Promise<string> {
    const repo = this.app.get(DataSource).getRepository(AuthSessionEntity);
    const cached = this.minted.get(user.id);
    // Reused while it lasts and its session is open (a change of roles or a deactivation ends it).
    if (cached && cached.until > Date.now() + 60_000 && (await repo.existsBy({ id: cached.sid, revokedAt: IsNull() }))) return cached.token;
    const now = new Date();
    const session = repo.create({
      userId: user.id,
      state: 'ACTIVE',
      signInMethod: 'PASSWORD',
      secondFactorMethod: 'TOTP',
      secondFactorAt: now,
      secondFactorAmr: null,
      secondFactorAcr: null,
      userAgent: 'test-factory',
      address: null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 24 * 3600_000),
      revokedAt: null,
      revokedById: null,
      revokedByLabel: null,
      revocationReason: null,
    });
    await repo.insert(session);
    const token = await this.app.get(JwtService).signAsync({ sub: user.id, sid: session.id });
    const { exp } = this.app.get(JwtService).decode<{ exp: number }>(token);
    this.minted.set(user.id, { token, until: exp * 1000, sid: session.id });
    return token;
  }

  /** The session id (`sid`) an access token names. */
  static sessionOf(token: string): string {
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string };
    return payload.sid;
  }

  /** Runs SQL on this app's database (for asserting what was or was not written). */
  async sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  }
}

/** An Ed25519 private key (PKCS#8 PEM, mode 600) in `dir`, as an operator provides one in production. */

/** Expects a GraphQL error with this extensions.code and no data for the field. */
export function errorCode(res: GqlResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

/** The first error's `extensions.reason` (the domain's reason under the stable code: STALE_VERSION, HASH_MISMATCH, ...). */
export function reasonOf(res: GqlResponse): unknown {
  return res.errors?.[0]?.extensions?.reason;
}
