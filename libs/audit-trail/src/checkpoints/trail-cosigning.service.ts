import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { fromBase64, isValidKeyName, noteKeyId, parseNote, toBase64, utf8, vkey } from '@app/proofs';
import { IsNull } from 'typeorm';
import { Clock, type Actor } from '@app/common';
import { AuditTrailService } from '../audit-trail.service';
import { ed25519Verify, sha256 } from '@app/proofs/node';
import { TrailCheckpointCosignatureEntity, TrailCheckpointEntity, TrailCosignerKeyEntity } from './trail-checkpoint.entities';
import { TrailError, TrailErrorCode } from './trail-checkpoint.errors';
import { parseSize } from './trail-checkpoints.service';

export interface CosignerKeyView extends TrailCosignerKeyEntity {
  /** The C2SP verifier key `<e-mail>+<key id>+<base64(0x01 || key)>`. */
  vkey: string;
}

/**
 * Auditors co-sign checkpoints (docs/proofs.md): each registers their own
 * Ed25519 public key (the note key name is their e-mail), then adds a
 * signature line over a checkpoint's body. A co-signature is a witness's
 * statement that they saw this tree head; it travels with the checkpoint's
 * text (and so into bundles). Registering and co-signing are recorded in the
 * trail (`trail_cosigner_key.registered`, `trail_checkpoint.cosigned`).
 */
@Injectable()
export class TrailCosigningService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get keys() {
    return this.txHost.tx.getRepository(TrailCosignerKeyEntity);
  }

  private get cosignatures() {
    return this.txHost.tx.getRepository(TrailCheckpointCosignatureEntity);
  }

  /**
   * Registers the caller's co-signing key (standard base64 of the raw 32-byte
   * Ed25519 public key); a key registered before is revoked (what it signed
   * still verifies). Registering the active key again changes nothing.
   */
  @Transactional()
  async registerKey(actor: Actor, publicKeyBase64: string): Promise<CosignerKeyView> {
    if (!actor.id) throw new TrailError(TrailErrorCode.INVALID_PUBLIC_KEY, 'only a user registers a co-signing key', {});
    const raw = decodePublicKey(publicKeyBase64);
    const name = actor.label;
    if (!isValidKeyName(name)) {
      throw new TrailError(
        TrailErrorCode.INVALID_PUBLIC_KEY,
        `your e-mail ${JSON.stringify(name)} cannot name a signed-note key (it holds a '+' or a space)`,
        {},
      );
    }
    const publicKey = toBase64(raw);
    const current = await this.keys.findOneBy({ userId: actor.id, revokedAt: IsNull() });
    if (current && current.publicKey === publicKey && current.name === name) return withVkey(current);
    const now = this.clock.now();
    if (current) await this.keys.update({ id: current.id }, { revokedAt: now });
    const key = this.keys.create({
      userId: actor.id,
      name,
      publicKey,
      keyId: noteKeyId(sha256, name, raw),
      registeredAt: now,
      revokedAt: null,
    });
    await this.keys.insert(key);
    await this.trail.append({
      actor,
      action: 'trail_cosigner_key.registered',
      entityType: 'TrailCosignerKey',
      entityId: key.id,
      before: current ? { keyId: current.keyId, publicKey: current.publicKey } : null,
      after: { name, keyId: key.keyId, publicKey },
    });
    return withVkey(key);
  }

  /** The caller's active co-signing key, or null. */
  async activeKeyOf(userId: string): Promise<CosignerKeyView | null> {
    const key = await this.keys.findOneBy({ userId, revokedAt: IsNull() });
    return key ? withVkey(key) : null;
  }

  /**
   * Adds the caller's co-signature to the checkpoint of `size`: `signatureLine`
   * is `— <their e-mail> <base64(key id || Ed25519 signature over the body)>`,
   * under their registered key. The same co-signature again changes nothing.
   */
  @Transactional()
  async cosign(actor: Actor, size: string, signatureLine: string): Promise<TrailCheckpointCosignatureEntity> {
    const sizeText = parseSize(size, 'size');
    const checkpoint = await this.txHost.tx.getRepository(TrailCheckpointEntity).findOneBy({ treeSize: sizeText });
    if (!checkpoint)
      throw new TrailError(TrailErrorCode.CHECKPOINT_NOT_FOUND, `no trail checkpoint of size ${sizeText}`, { size: sizeText });
    const key = actor.id ? await this.keys.findOneBy({ userId: actor.id, revokedAt: IsNull() }) : null;
    if (!key) throw new TrailError(TrailErrorCode.NO_COSIGNING_KEY, 'register your co-signing key first (registerCosigningKey)', {});
    const line = parseCosignatureLine(checkpoint.body, signatureLine);
    if (line.name !== key.name || line.keyId !== key.keyId) {
      throw new TrailError(
        TrailErrorCode.BAD_COSIGNATURE,
        `the line is signed as ${line.name} (key ${line.keyId}); your registered key is ${key.name} (key ${key.keyId})`,
        { keyId: line.keyId },
      );
    }
    if (!ed25519Verify(fromBase64(key.publicKey), utf8(checkpoint.body), line.signature)) {
      throw new TrailError(
        TrailErrorCode.BAD_COSIGNATURE,
        `the signature does not verify over checkpoint ${sizeText}'s body under key ${key.keyId}`,
        {
          keyId: key.keyId,
        },
      );
    }
    const existing = await this.cosignatures.findOneBy({ treeSize: sizeText, cosignerKeyId: key.id });
    if (existing) return existing;
    const cosignature = this.cosignatures.create({
      treeSize: sizeText,
      cosignerKeyId: key.id,
      userId: key.userId,
      keyId: key.keyId,
      signature: line.line,
      createdAt: this.clock.now(),
    });
    await this.cosignatures.insert(cosignature);
    await this.trail.append({
      actor,
      action: 'trail_checkpoint.cosigned',
      entityType: 'TrailCheckpoint',
      entityId: sizeText,
      after: { treeSize: sizeText, rootHash: checkpoint.rootHash, keyId: key.keyId },
    });
    return cosignature;
  }

  /** The co-signatures of each of these checkpoints, oldest first (for a DataLoader). */
  async cosignaturesOf(sizes: readonly string[]): Promise<Map<string, TrailCheckpointCosignatureEntity[]>> {
    const result = new Map<string, TrailCheckpointCosignatureEntity[]>(sizes.map((s) => [s, []]));
    if (sizes.length === 0) return result;
    const rows = await this.cosignatures
      .createQueryBuilder('s')
      .where('s.treeSize IN (:...sizes)', { sizes: [...new Set(sizes)] })
      .orderBy('s.createdAt', 'ASC')
      .addOrderBy('s.cosignerKeyId', 'ASC')
      .getMany();
    for (const r of rows) result.get(r.treeSize)?.push(r);
    return result;
  }
}

function decodePublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  let raw: Uint8Array | null;
  try {
    raw = /^[A-Za-z0-9+/]{43}=$/.test(trimmed) ? fromBase64(trimmed) : null;
  } catch {
    raw = null;
  }
  if (!raw || raw.length !== 32) {
    throw new TrailError(
      TrailErrorCode.INVALID_PUBLIC_KEY,
      'a co-signing key is the raw 32-byte Ed25519 public key in standard base64 (44 characters)',
      {},
    );
  }
  return raw;
}

/** One signature line, as a note would hold it (a missing final newline is added). */
function parseCosignatureLine(body: string, text: string) {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  let signatures;
  try {
    signatures = parseNote(`${body}\n${line}`).signatures;
  } catch (err) {
    throw new TrailError(TrailErrorCode.BAD_COSIGNATURE, `not a signature line: ${(err as Error).message}`, {});
  }
  if (signatures.length !== 1) throw new TrailError(TrailErrorCode.BAD_COSIGNATURE, 'give exactly one signature line', {});
  return signatures[0]!;
}

function withVkey(key: TrailCosignerKeyEntity): CosignerKeyView {
  return { ...key, vkey: vkey(sha256, key.name, fromBase64(key.publicKey)) };
}
