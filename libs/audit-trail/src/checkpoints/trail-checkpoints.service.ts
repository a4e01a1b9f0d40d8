import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { getDataSourceToken } from '@nestjs/typeorm';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { DataSource } from 'typeorm';
import { CHECKPOINT_BUILD_LOCK_KEYS, poolRouteOf, withSessionLock } from '@app/database';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { checkpointBody, formatNote, signatureLine, toBase64, utf8, type MerkleTree } from '@app/proofs';
import {
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  pageOf,
  pageSize,
  type Actor,
  type AppConfig,
  type Page,
  type PageRequest,
} from '@app/common';
import { TrailCheckpointCosignatureEntity, TrailCheckpointEntity, type CheckpointReason } from './trail-checkpoint.entities';
import { TrailError, TrailErrorCode } from './trail-checkpoint.errors';
import { CheckpointCopies } from '../copies/checkpoint-copies.service';
import { checkpointDirectory, newestCheckpointFile, type CheckpointFile } from '../copies/directory-copy';
import { TrailKeyring } from './trail-keyring';
import { readTrailTree, trailHeadSize } from './trail-tree';
import { assertExtends, checkChainRange } from './trail-chain-range';
import { noCheckpoint, type CheckpointCheck } from './domain/checkpoint-check';
import { signedCheckpointOf, verifyCheckpointFile, verifyCheckpointText } from './trail-checkpoint-verification';
import type { ConsistencyProof, InclusionProof } from './trail-proofs';

/** Serializes checkpoint making across processes (the trail's own lock is 7_264_110_001). */
const CHECKPOINT_LOCK_KEY = 7_264_110_201;
/** Waited for another instance's build, then built anyway (the insert's lock keeps one checkpoint a size): a stuck one stalls no other. */
const CHECKPOINT_BUILD_WAIT_MS = 60_000;

/**
 * Emitted (EventEmitter2) after a NEW checkpoint has committed, with
 * `TrailCheckpointCreated`: its copies outside the database start from here.
 * Not emitted when `create` hands back an existing checkpoint.
 */
export const TRAIL_CHECKPOINT_CREATED = 'trail.checkpoint.created';

export interface TrailCheckpointCreated {
  treeSize: string;
  checkpoint: TrailCheckpointEntity;
}

/**
 * Signed checkpoints of the audit trail (docs/proofs.md, "Trail Merkle tree
 * and checkpoints"), their proofs, and the check of a checkpoint against the
 * trail as stored. Making a checkpoint does NOT append to the trail: a
 * checkpoint is a statement about the trail, and an entry for it would grow
 * the tree it has just signed (the next checkpoint would always have one more
 * entry to cover). Who made it, when and why are in its own row.
 */
@Injectable()
export class TrailCheckpointsService {
  private readonly logger = new Logger(TrailCheckpointsService.name);
  /** One `create` at a time in this process; the advisory lock orders processes. */
  private creating: Promise<unknown> = Promise.resolve();
  /** CHECKPOINT_DIR: its newest file outlives rows deleted from trail_checkpoints. */
  private readonly checkpointDir: string;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(TrailKeyring) private readonly keyring: TrailKeyring,
    @Inject(CheckpointCopies) private readonly copies: CheckpointCopies,
  ) {
    this.checkpointDir = checkpointDirectory(config);
  }

  private get repo() {
    return this.txHost.tx.getRepository(TrailCheckpointEntity);
  }

  /** `<PROOF_ORIGIN>/trail`: the first line of every checkpoint. */
  get origin(): string {
    return `${this.config.get('PROOF_ORIGIN', { infer: true })}/trail`;
  }

  /**
   * A checkpoint of the whole committed trail: the newest one if it already
   * covers it, otherwise a new one, signed by the active trail key. Refused
   * (TRAIL_INCONSISTENT) when the trail no longer extends the newest stored
   * checkpoint or an entry since it does not chain: nothing is signed over a
   * history that was changed. The newest checkpoint file in CHECKPOINT_DIR
   * (when signed by a trail key) counts as a stored checkpoint: deleting rows of
   * trail_checkpoints does not make a cut trail signable.
   *
   * `covers`: the trail entry (seq) the checkpoint is made for (a committed sign-off, clearance...). A stored
   * checkpoint that covers it is enough, however much the trail grew since. Every instance learns of that commit;
   * they build one at a time (a session lock across processes, CHECKPOINT_BUILD_LOCK_KEYS), so those after the
   * first find its checkpoint instead of each hashing the whole trail again.
   */
  create(actor: Actor, reason: CheckpointReason, covers?: number): Promise<TrailCheckpointEntity> {
    const run = this.creating
      .catch(() => undefined)
      .then(() =>
        withSessionLock(
          poolRouteOf(this.dataSource).directUrl,
          CHECKPOINT_BUILD_LOCK_KEYS,
          'trail-checkpoint',
          () => this.createNow(actor, reason, covers),
          {
            waitMs: CHECKPOINT_BUILD_WAIT_MS,
            gaveUp: () => this.logger.warn('another instance has held the checkpoint build lock for 60 s: building anyway'),
          },
        ),
      );
    this.creating = run;
    return run;
  }

  private async createNow(actor: Actor, reason: CheckpointReason, covers?: number): Promise<TrailCheckpointEntity> {
    const db = this.txHost.tx;
    // The stored checkpoints before the trail's size: the trail only grows, so what another instance stored before
    // the size is read cannot cover more than it (read the other way round, its checkpoint landing in between
    // looked like a trail cut short: a false TRAIL_INCONSISTENT).
    const before = await this.newest();
    if (covers !== undefined && before && Number(before.treeSize) >= covers) return before;
    const filed = await this.newestSignedFile();
    const size = await trailHeadSize(db);
    assertExtends(null, filed, size);
    if (before && Number(before.treeSize) === size) return before;
    // The tree is built outside the transaction: hashing a large trail takes seconds,
    // and a transaction left idle that long is ended by the server.
    const { tree, missingSeq } = await readTrailTree(db, size);
    if (missingSeq !== null) {
      throw new TrailError(TrailErrorCode.TRAIL_INCONSISTENT, `trail entry #${missingSeq} is missing: no checkpoint is signed`, {
        missingSeq,
      });
    }
    assertExtends(tree, before, size);
    assertExtends(tree, filed, size);
    const broken = await checkChainRange(db, before ? Number(before.treeSize) : 0, size);
    if (broken) {
      throw new TrailError(
        TrailErrorCode.TRAIL_INCONSISTENT,
        `trail entry #${broken.seq} does not check out (${broken.kind}): no checkpoint is signed`,
        { ...broken },
      );
    }
    const rootHash = toBase64(tree.root(size));
    const body = checkpointBody({ origin: this.origin, size, rootHash });
    const { signature, key } = await this.keyring.sign('trail', utf8(body));
    const created = await this.txHost.withTransaction(async () => {
      await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK_KEY]);
      const newest = await this.newest();
      // Another process made one meanwhile: it covers at least what was committed when this one began.
      if (newest && Number(newest.treeSize) >= size) return { checkpoint: newest, isNew: false };
      assertExtends(tree, newest, size);
      const checkpoint = this.repo.create({
        treeSize: String(size),
        rootHash,
        body,
        signatures: signatureLine(key.name, key.keyId, signature),
        keyId: key.keyId,
        reason,
        createdAt: this.clock.now(),
        createdBy: actor.id,
        createdByLabel: actor.label,
      });
      await this.repo.insert(checkpoint);
      // Its copies outside the database commit with it (delivered after commit by the copy worker).
      await this.copies.planFor(checkpoint);
      return { checkpoint, isNew: true };
    });
    if (created.isNew) {
      this.logger.log(`trail checkpoint ${size} (${reason}) signed by ${key.keyId}`);
      const event: TrailCheckpointCreated = { treeSize: created.checkpoint.treeSize, checkpoint: created.checkpoint };
      this.events.emit(TRAIL_CHECKPOINT_CREATED, event);
    }
    return created.checkpoint;
  }

  /** Today's tree size: the last committed entry's seq (0 for an empty trail). */
  headSize(): Promise<number> {
    return trailHeadSize(this.txHost.tx);
  }

  /** The newest stored checkpoint, or null. */
  async newest(): Promise<TrailCheckpointEntity | null> {
    return this.repo.createQueryBuilder('c').orderBy('c.treeSize', 'DESC').limit(1).getOne();
  }

  /** Newest first, keyset-paginated on the tree size. */
  async list(page: PageRequest): Promise<Page<TrailCheckpointEntity>> {
    const size = pageSize(page.first);
    const qb = this.repo.createQueryBuilder('c');
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const [after] = decodeCursor(page.after, 1);
      if (typeof after !== 'string' || !/^[0-9]{1,18}$/.test(after)) {
        throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'not a cursor of this list', { after: page.after });
      }
      qb.where('c.treeSize < :after', { after });
    }
    const rows = await qb
      .orderBy('c.treeSize', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (c) => [c.treeSize]);
  }

  /** The stored checkpoint of exactly this size, or CHECKPOINT_NOT_FOUND. */
  async bySize(size: string | number): Promise<TrailCheckpointEntity> {
    const text = parseSize(size, 'size');
    const found = await this.repo.findOneBy({ treeSize: text });
    if (!found) throw new TrailError(TrailErrorCode.CHECKPOINT_NOT_FOUND, `no trail checkpoint of size ${text}`, { size: text });
    return found;
  }

  /** The earliest stored checkpoint with treeSize >= minSize, or null (then `create` one). */
  async coveringCheckpoint(minSize: string | number): Promise<TrailCheckpointEntity | null> {
    const text = parseSize(minSize, 'minSize');
    return this.repo.createQueryBuilder('c').where('c.treeSize >= :min', { min: text }).orderBy('c.treeSize', 'ASC').limit(1).getOne();
  }

  /** Every stored checkpoint smaller than `treeSize`, smallest first. */
  async checkpointsBefore(treeSize: string | number): Promise<TrailCheckpointEntity[]> {
    const text = parseSize(treeSize, 'treeSize');
    return this.repo.createQueryBuilder('c').where('c.treeSize < :size', { size: text }).orderBy('c.treeSize', 'ASC').getMany();
  }

  /** The checkpoint as a signed note: body, blank line, the tracker's signature line, then the co-signature lines (oldest first). */
  async text(checkpoint: TrailCheckpointEntity): Promise<string> {
    const cosignatures = await this.txHost.tx
      .getRepository(TrailCheckpointCosignatureEntity)
      .createQueryBuilder('s')
      .where('s.treeSize = :size', { size: checkpoint.treeSize })
      .orderBy('s.createdAt', 'ASC')
      .addOrderBy('s.cosignerKeyId', 'ASC')
      .getMany();
    return formatNote(checkpoint.body, [checkpoint.signatures, ...cosignatures.map((c) => c.signature)]);
  }

  /**
   * Inclusion proofs of the entries `seqs` in the tree of `treeSize` entries
   * (one pass over the trail's hashes for all of them). The tree must give the
   * root of the stored checkpoint of that size, if there is one.
   */
  async inclusionProofs(
    seqs: readonly string[],
    treeSize: string | number,
  ): Promise<{ treeSize: number; rootHash: string; proofs: InclusionProof[] }> {
    const { tree, size } = await this.treeOf(treeSize);
    const proofs = seqs.map((seqText) => {
      const seq = Number(parseSize(seqText, 'seq'));
      if (seq < 1 || seq > size) {
        throw new TrailError(TrailErrorCode.ENTRY_NOT_FOUND, `entry #${seqText} is not in the tree of ${size} entries`, {
          seq: seqText,
          treeSize: size,
        });
      }
      return {
        seq: String(seq),
        leafIndex: seq - 1,
        leafInput: '',
        hashes: tree.inclusionProof(seq - 1, size).map(toBase64),
      };
    });
    const leaves = await this.chainHashes(proofs.map((p) => p.seq));
    for (const p of proofs) p.leafInput = leaves.get(p.seq) ?? '';
    return { treeSize: size, rootHash: toBase64(tree.root(size)), proofs };
  }

  /** Consistency proof from the tree of `fromSize` entries to the tree of `toSize`. */
  async consistencyProof(fromSize: string | number, toSize: string | number): Promise<ConsistencyProof> {
    const from = Number(parseSize(fromSize, 'fromSize'));
    const { tree, size } = await this.treeOf(toSize);
    if (from > size) {
      throw new TrailError(
        TrailErrorCode.INVALID_RANGE,
        `a consistency proof goes from a smaller tree to a larger one (${from} > ${size})`,
        {
          fromSize: from,
          toSize: size,
        },
      );
    }
    return this.consistencyIn(tree, from, size);
  }

  /** Consistency proofs from every earlier stored checkpoint to the tree of `treeSize` (for a bundle's proofs.json). */
  async consistencyProofsTo(treeSize: string | number): Promise<ConsistencyProof[]> {
    const { tree, size } = await this.treeOf(treeSize);
    const earlier = await this.checkpointsBefore(size);
    return earlier.map((c) => {
      const proof = this.consistencyIn(tree, Number(c.treeSize), size);
      if (proof.fromRootHash !== c.rootHash) {
        throw new TrailError(TrailErrorCode.TRAIL_INCONSISTENT, `the trail no longer gives the root of checkpoint ${c.treeSize}`, {
          checkpointSize: c.treeSize,
        });
      }
      return proof;
    });
  }

  /** Checks a checkpoint (signed-note text) against the trail as stored today; see CheckpointCheckCode. */
  async verifyAgainst(checkpointText: string): Promise<CheckpointCheck> {
    return verifyCheckpointText(this.txHost.tx, this.keyring, this.origin, checkpointText, 'GIVEN');
  }

  /**
   * The newest stored checkpoint checked the same way, or the newest checkpoint
   * file in CHECKPOINT_DIR when that one is larger (source FILE): rows deleted
   * from trail_checkpoints do not hide a cut. NO_CHECKPOINT when there is neither.
   */
  async verifyNewestStored(): Promise<CheckpointCheck> {
    const newest = await this.newest();
    const file = await this.newestFile();
    if (file && (!newest || file.treeSize > Number(newest.treeSize))) {
      return verifyCheckpointFile(this.txHost.tx, this.keyring, this.origin, file);
    }
    if (!newest) {
      return noCheckpoint(await trailHeadSize(this.txHost.tx));
    }
    return verifyCheckpointText(this.txHost.tx, this.keyring, this.origin, await this.text(newest), 'STORED');
  }

  /** The newest checkpoint file of this origin, or null (none, or the directory cannot be read: logged). */
  private async newestFile(): Promise<CheckpointFile | null> {
    try {
      return await newestCheckpointFile(this.checkpointDir, this.origin);
    } catch (err) {
      this.logger.warn(`could not read the newest checkpoint file: ${(err as Error).message}`);
      return null;
    }
  }

  /** The newest checkpoint file's size and root, when it carries a trail key's signature (a file that does not proves nothing). */
  private async newestSignedFile(): Promise<{ treeSize: string; rootHash: string } | null> {
    const file = await this.newestFile();
    return file ? signedCheckpointOf(this.keyring, this.origin, file) : null;
  }

  private consistencyIn(tree: MerkleTree, from: number, to: number): ConsistencyProof {
    return {
      fromSize: from,
      fromRootHash: toBase64(tree.root(from)),
      toSize: to,
      toRootHash: toBase64(tree.root(to)),
      hashes: from === 0 ? [] : tree.consistencyProof(from, to).map(toBase64),
    };
  }

  /** The tree of the first `treeSize` entries, checked against the stored checkpoint of that size if there is one. */
  private async treeOf(treeSize: string | number): Promise<{ tree: MerkleTree; size: number }> {
    const size = Number(parseSize(treeSize, 'treeSize'));
    const db = this.txHost.tx;
    const head = await trailHeadSize(db);
    if (size < 1 || size > head) {
      throw new TrailError(TrailErrorCode.INVALID_RANGE, `the trail has ${head} entries; a tree size is between 1 and ${head}`, {
        treeSize: size,
        head,
      });
    }
    const { tree, missingSeq } = await readTrailTree(db, size);
    const stored = await this.repo.findOneBy({ treeSize: String(size) });
    if (missingSeq !== null || (stored && toBase64(tree.root(size)) !== stored.rootHash)) {
      throw new TrailError(
        TrailErrorCode.TRAIL_INCONSISTENT,
        missingSeq !== null
          ? `trail entry #${missingSeq} is missing: no proof is given`
          : `the trail no longer gives the root of checkpoint ${size}: no proof is given`,
        { treeSize: size },
      );
    }
    return { tree, size };
  }

  private async chainHashes(seqs: readonly string[]): Promise<Map<string, string>> {
    if (seqs.length === 0) return new Map();
    const rows = (await this.txHost.tx.query('SELECT seq::text AS seq, hash FROM audit_trail WHERE seq = ANY($1::bigint[])', [
      [...new Set(seqs)],
    ])) as { seq: string; hash: string }[];
    return new Map(rows.map((r) => [r.seq, r.hash]));
  }
}

/** A whole number 0..2^53-1, as text; INVALID_RANGE otherwise. */
export function parseSize(value: string | number, name: string): string {
  const text = String(value);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new TrailError(TrailErrorCode.INVALID_RANGE, `${name} must be a whole number, not ${JSON.stringify(text).slice(0, 40)}`, {
      [name]: text.slice(0, 40),
    });
  }
  return text;
}
