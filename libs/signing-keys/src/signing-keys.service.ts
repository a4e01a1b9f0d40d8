import { sign as ed25519Sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IsNull } from 'typeorm';
import { ed25519PublicKeyPem, keysDocument, keysDocumentKey, type KeysDocument, type KeysDocumentKey } from '@app/proofs';
import { sha256 } from '@app/proofs/node';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, ConfigValidationError, signerProofOf, type AppConfig, type SignerProof } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { fingerprintOf, keyName, noteKeyIdHex, SIGNING_KEY_PURPOSES, type SigningKeyPurpose } from './domain/key-identity';
import { SigningKeyError, SigningKeyErrorCode } from './domain/signing-keys.errors';
import { KEY_FILE_SETTING, loadOrCreateManagedKey, readKeyFile, rotateManagedKeyFile, type LoadedKey } from './key-files';
import { SigningKeyEntity } from './signing-key.entity';

/** A registered public key, as other contexts use it. */
export interface SigningKeyInfo {
  purpose: SigningKeyPurpose;
  /** `<PROOF_ORIGIN>/trail` or `<PROOF_ORIGIN>/bundles`. */
  name: string;
  /** C2SP note key id, 8 hex. */
  keyId: string;
  /** `SHA256:<64 hex>`. */
  fingerprint: string;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKeyPem: string;
  activatedAt: Date;
}

/** The keys document (docs/proofs.md, "Keys"): its types and derived fields are @app/proofs', which the verifier checks. */
export type { KeysDocument, KeysDocumentKey } from '@app/proofs';

/** Serializes registrations across processes (concurrent starts, a rotation): one active key per purpose. */
const REGISTRY_LOCK_KEY = 7_264_110_101;

/**
 * The tracker's two Ed25519 signing keys (docs/proofs.md, "Keys"): loaded (or,
 * outside production, made under DATA_DIR/keys) when the module starts;
 * their public halves registered in `signing_keys` (the current key of a
 * purpose becomes its active one, retiring the one before, with a trail entry
 * `signing_key.activated`); signing; the keys document; rotation of the keys
 * the tracker keeps itself. The private keys never reach the database or a log.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly loaded = new Map<SigningKeyPurpose, LoadedKey>();
  private readonly active_ = new Map<SigningKeyPurpose, SigningKeyInfo>();
  private registered: Promise<void> | null = null;
  /** Rotations of this process, one after the other. */
  private rotating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(SigningKeyEntity);
  }

  private get origin(): string {
    return this.config.get('PROOF_ORIGIN', { infer: true });
  }

  private get dataDir(): string {
    return this.config.get('DATA_DIR', { infer: true });
  }

  /** Reads (or makes) both keys: a missing, unreadable or non-Ed25519 key stops the start with a message naming its setting. */
  onModuleInit(): void {
    const production = this.config.get('NODE_ENV', { infer: true }) === 'production';
    for (const purpose of SIGNING_KEY_PURPOSES) {
      const setting = KEY_FILE_SETTING[purpose];
      const file = this.config.get(setting, { infer: true }) as string | undefined;
      if (!file && production) {
        // The configuration validation refuses this first; kept so that the rule holds here too.
        throw new ConfigValidationError([`${setting}: is required in production (the path of an Ed25519 private key in PKCS#8 PEM)`]);
      }
      const key = file ? readKeyFile(purpose, file, setting, false) : loadOrCreateManagedKey(this.dataDir, purpose);
      if (!key.managed) this.warnIfReadableByOthers(key, setting);
      this.loaded.set(purpose, key);
    }
    const [trail, bundle] = SIGNING_KEY_PURPOSES.map((p) => fingerprintOf(this.loaded.get(p)!.rawPublicKey));
    if (trail === bundle) {
      throw new ConfigValidationError([
        'BUNDLE_SIGNING_KEY_FILE: holds the same key as TRAIL_SIGNING_KEY_FILE; give each purpose its own Ed25519 key',
      ]);
    }
    for (const key of this.loaded.values()) {
      const source = key.managed ? `${key.generated ? 'made now' : 'kept'} in ${key.file}` : `from ${KEY_FILE_SETTING[key.purpose]}`;
      this.logger.log(`signing key ${key.purpose}: ${fingerprintOf(key.rawPublicKey)} (${source})`);
    }
  }

  /**
   * Registers the current keys (once per process; the API server calls it at
   * start, and every method below waits for it): a key whose fingerprint is
   * not its purpose's active one retires that one and becomes active.
   */
  ensureRegistered(): Promise<void> {
    this.registered ??= this.registerAll(Actor.system('startup')).catch((err: unknown) => {
      this.registered = null;
      throw err;
    });
    return this.registered;
  }

  /** The active key of `purpose` (the one `sign` uses). */
  async active(purpose: SigningKeyPurpose): Promise<SigningKeyInfo> {
    await this.ensureRegistered();
    return this.active_.get(purpose)!;
  }

  /**
   * Ed25519 signature of `message` (deterministic: the same message gives the same bytes) by the active key of
   * `purpose`. Refused (KEY_RETIRED) once the registry says that key was retired: with several instances, the first
   * one restarted with a new key file retires the old key, and the others, still holding it, must not sign with it
   * until they are restarted too (a retired key never signs again).
   */
  async sign(purpose: SigningKeyPurpose, message: Uint8Array): Promise<{ signature: Uint8Array; key: SigningKeyInfo }> {
    await this.ensureRegistered();
    // Taken together, so that a rotation in between cannot pair one key's signature with another's description.
    const key = this.active_.get(purpose)!;
    const privateKey = this.loaded.get(purpose)!.privateKey;
    const registered = await this.repo.findOne({ select: { id: true, retiredAt: true }, where: { fingerprint: key.fingerprint } });
    if (registered?.retiredAt) {
      this.logger.error(
        `signing key ${purpose} ${key.fingerprint} was retired on ${registered.retiredAt.toISOString()} (another instance started with a new key): nothing is signed until this instance is restarted with the new key`,
      );
      throw new SigningKeyError(
        SigningKeyErrorCode.KEY_RETIRED,
        `This instance's ${purpose} signing key was retired on ${registered.retiredAt.toISOString()} (another instance started with a new key): restart this instance with the new key file; until then it signs nothing`,
        { fingerprint: key.fingerprint, retiredAt: registered.retiredAt.toISOString() },
      );
    }
    return { signature: new Uint8Array(ed25519Sign(null, message, privateKey)), key };
  }

  /**
   * Every key ever registered, active and retired, both purposes: trail first, each purpose newest first.
   * A read of the registry only: it never registers this process's keys (the API server registers its own
   * at start, before it serves), so a command that only reads (`npm run cli -- keys`, `verify-audit-trail`)
   * run with another DATA_DIR cannot retire the server's keys.
   */
  async keysDocument(): Promise<KeysDocument> {
    const rows = await this.repo
      .createQueryBuilder('k')
      .orderBy(`CASE k.purpose WHEN 'trail' THEN 0 ELSE 1 END`, 'ASC')
      .addOrderBy('k.activatedAt', 'DESC')
      .addOrderBy('k.id', 'ASC')
      .getMany();
    return keysDocument(this.origin, rows.map(documentKey));
  }

  /**
   * A new key for `purpose`: only for the keys the tracker keeps under
   * DATA_DIR/keys. The old file is kept as `<purpose>-<fingerprint-hex-16>.retired.pem`;
   * the new key is active from now on, the old one retired (still listed, still verifying what it signed).
   */
  rotate(actor: Actor, purpose: SigningKeyPurpose): Promise<SigningKeyInfo> {
    const run = this.rotating.catch(() => undefined).then(() => this.rotateNow(actor, purpose));
    this.rotating = run;
    return run;
  }

  private async rotateNow(actor: Actor, purpose: SigningKeyPurpose): Promise<SigningKeyInfo> {
    await this.ensureRegistered();
    const current = this.loaded.get(purpose)!;
    if (!current.managed) {
      const setting = KEY_FILE_SETTING[purpose];
      throw new SigningKeyError(
        SigningKeyErrorCode.KEY_FROM_SETTING,
        `The ${purpose} signing key comes from ${setting}, so the tracker does not rotate it: put a new Ed25519 key in a new file, point ${setting} at it and restart; the old key is then listed as retired`,
        { purpose, setting },
      );
    }
    let rotation: ReturnType<typeof rotateManagedKeyFile> | undefined;
    let info: SigningKeyInfo;
    try {
      info = await this.txHost.withTransaction(async () => {
        await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_KEY]);
        rotation = rotateManagedKeyFile(this.dataDir, current, fingerprintOf(current.rawPublicKey));
        // The admin's second-factor proof for the rotation (step-up) goes into the trail entry.
        return this.registerLocked(actor, rotation.next, {
          retiredFile: path.basename(rotation.retiredFile),
          signerProof: signerProofOf(actor),
        });
      });
    } catch (err) {
      // Not registered (or not committed): the old key stays the one on disk, as it stays the active one.
      rotation?.undo();
      throw err;
    }
    // Committed: from now on this process signs with the new key.
    this.loaded.set(purpose, rotation!.next);
    this.active_.set(purpose, info);
    this.logger.log(`signing key ${purpose} rotated: ${info.fingerprint} active, the old key kept in ${rotation!.retiredFile}`);
    return info;
  }

  private async registerAll(actor: Actor): Promise<void> {
    for (const purpose of SIGNING_KEY_PURPOSES) {
      // A transaction of its own, even when the first use comes inside a caller's: the registration stands on its own.
      const info = await this.txHost.withTransaction(Propagation.RequiresNew, async () => {
        await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_KEY]);
        return this.registerLocked(actor, this.loaded.get(purpose)!, {});
      });
      this.active_.set(purpose, info);
    }
  }

  /** In a transaction holding the registry lock: makes `key` its purpose's active key (nothing when it already is). */
  private async registerLocked(
    actor: Actor,
    key: LoadedKey,
    extra: { retiredFile?: string; signerProof?: SignerProof | null },
  ): Promise<SigningKeyInfo> {
    const fingerprint = fingerprintOf(key.rawPublicKey);
    const active = await this.repo.findOneBy({ purpose: key.purpose, retiredAt: IsNull() });
    const name = keyName(this.origin, key.purpose);
    if (active?.fingerprint === fingerprint) {
      if (active.name === name) return infoOf(active);
      throw new ConfigValidationError([
        `PROOF_ORIGIN: the active ${key.purpose} key ${fingerprint} signs as ${active.name}, not ${name}; a new origin needs new keys (${
          key.managed ? `move ${key.file} away and restart: a new key is made` : `point ${KEY_FILE_SETTING[key.purpose]} at a new key file`
        }) or PROOF_ORIGIN back to ${active.name.slice(0, active.name.lastIndexOf('/'))}`,
      ]);
    }
    const used = await this.repo.findOneBy({ fingerprint });
    if (used) {
      const where = key.managed ? `${key.file}` : KEY_FILE_SETTING[key.purpose];
      throw new ConfigValidationError([
        used.retiredAt
          ? `${where}: the ${key.purpose} signing key ${fingerprint} was retired on ${used.retiredAt.toISOString()}; a retired key never signs again: use a new key`
          : `${where}: the ${key.purpose} signing key ${fingerprint} is already the active ${used.purpose} key; give each purpose its own key`,
      ]);
    }
    const now = this.clock.now();
    if (active) await this.repo.update({ id: active.id }, { retiredAt: now });
    const row = await this.repo.save(
      this.repo.create({
        purpose: key.purpose,
        name,
        keyId: noteKeyIdHex(name, key.rawPublicKey),
        fingerprint,
        publicKey: Buffer.from(key.rawPublicKey).toString('base64'),
        activatedAt: now,
        retiredAt: null,
      }),
    );
    await this.trail.append({
      actor,
      action: 'signing_key.activated',
      entityType: 'SigningKey',
      entityId: row.id,
      before: active ? { ...snapshot(active), retiredAt: now.toISOString() } : null,
      after: { ...snapshot(row), source: key.managed ? 'DATA_DIR/keys' : KEY_FILE_SETTING[key.purpose], ...extra },
    });
    this.logger.log(`signing key ${key.purpose} ${fingerprint} is active${active ? `; ${active.fingerprint} retired` : ''}`);
    return infoOf(row);
  }

  private warnIfReadableByOthers(key: LoadedKey, setting: string): void {
    try {
      if ((fs.statSync(key.file).mode & 0o077) !== 0) {
        this.logger.warn(`${setting}: ${key.file} can be read by other users of this machine; make it mode 600`);
      }
    } catch {
      // read a moment ago; nothing to add
    }
  }
}

function snapshot(k: SigningKeyEntity) {
  return {
    purpose: k.purpose,
    name: k.name,
    keyId: k.keyId,
    fingerprint: k.fingerprint,
    publicKey: k.publicKey,
    activatedAt: k.activatedAt.toISOString(),
  };
}

function infoOf(k: SigningKeyEntity): SigningKeyInfo {
  const raw = new Uint8Array(Buffer.from(k.publicKey, 'base64'));
  return {
    purpose: k.purpose,
    name: k.name,
    keyId: k.keyId,
    fingerprint: k.fingerprint,
    publicKey: raw,
    publicKeyPem: ed25519PublicKeyPem(raw),
    activatedAt: k.activatedAt,
  };
}

function documentKey(k: SigningKeyEntity): KeysDocumentKey {
  return keysDocumentKey(sha256, {
    purpose: k.purpose,
    name: k.name,
    publicKey: new Uint8Array(Buffer.from(k.publicKey, 'base64')),
    status: k.retiredAt ? 'RETIRED' : 'ACTIVE',
    activatedAt: k.activatedAt.toISOString(),
    retiredAt: k.retiredAt?.toISOString() ?? null,
  });
}
