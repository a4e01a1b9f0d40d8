import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Actor } from '@app/common';
import { AuditTrailService, TrailCheckpointsService, trailSizeAt, type AuditTrailEntryEntity } from '@app/audit-trail';
import type { KeysDocument } from '@app/proofs';
import { SigningKeysService } from '@app/signing-keys';
import {
  BundleSigner,
  BundleTrail,
  type BundleCheckpoint,
  type BundleConsistencyProof,
  type BundleInclusionProof,
  type BundleTrailEntry,
} from './bundle-ports';

/** Ids per read of the trail in scope (well under PostgreSQL's limit of bound parameters). */
const IDS_PER_READ = 5_000;

/** The bundle's trail port on @app/audit-trail: its entries, checkpoints and proofs. */
@Injectable()
export class AuditTrailBundleTrail extends BundleTrail {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(TrailCheckpointsService) private readonly checkpoints: TrailCheckpointsService,
  ) {
    super();
  }

  sizeAt(asOf: Date): Promise<number> {
    return trailSizeAt(this.txHost.tx, asOf);
  }

  async coveringCheckpoint(minSize: number, actor: Actor): Promise<BundleCheckpoint> {
    let found = await this.checkpoints.coveringCheckpoint(minSize);
    if (!found) {
      await this.checkpoints.create(actor, 'BUNDLE');
      // The earliest covering one, which need not be the one just made: a checkpoint made
      // meanwhile (the schedule's, another export's) may be smaller and still cover. The same
      // as-of must always find the same checkpoint.
      found = await this.checkpoints.coveringCheckpoint(minSize);
    }
    if (!found) throw new Error(`no checkpoint covers the first ${minSize} trail entries`);
    return { size: Number(found.treeSize), rootHash: found.rootHash, text: await this.checkpoints.text(found) };
  }

  async entriesFor(entityIds: readonly string[], upToSeq: number): Promise<BundleTrailEntry[]> {
    const byId = new Map<string, AuditTrailEntryEntity>();
    for (let i = 0; i < entityIds.length; i += IDS_PER_READ) {
      const part = await this.trail.entriesFor({ entityIds: entityIds.slice(i, i + IDS_PER_READ), upToSeq: String(upToSeq) });
      for (const e of part) byId.set(e.id, e);
    }
    return [...byId.values()].sort((a, b) => Number(a.seq) - Number(b.seq)).map(entryRecord);
  }

  async inclusionProofs(seqs: readonly number[], treeSize: number): Promise<BundleInclusionProof[]> {
    if (seqs.length === 0) return [];
    const { proofs } = await this.checkpoints.inclusionProofs(seqs.map(String), treeSize);
    return proofs.map((p) => ({ seq: Number(p.seq), leafIndex: p.leafIndex, hashes: p.hashes }));
  }

  async consistencyProofsTo(treeSize: number): Promise<BundleConsistencyProof[]> {
    const proofs = await this.checkpoints.consistencyProofsTo(treeSize);
    return proofs.map((p) => ({ fromSize: p.fromSize, fromRootHash: p.fromRootHash, hashes: p.hashes }));
  }
}

/** Every hashed field of an entry (as the chain hashes them) and its hash. */
export function entryRecord(e: AuditTrailEntryEntity): BundleTrailEntry {
  return {
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** The bundle's signer port on @app/signing-keys: the active bundle key. */
@Injectable()
export class SigningKeysBundleSigner extends BundleSigner {
  constructor(@Inject(SigningKeysService) private readonly keys: SigningKeysService) {
    super();
  }

  async sign(bytes: Buffer): Promise<{ signature: Buffer; fingerprint: string }> {
    const { signature, key } = await this.keys.sign('bundle', bytes);
    return { signature: Buffer.from(signature), fingerprint: key.fingerprint };
  }

  keysDocument(): Promise<KeysDocument> {
    return this.keys.keysDocument();
  }
}
