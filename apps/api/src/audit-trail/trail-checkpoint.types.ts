import { ArgsType, Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  CheckpointCheckCode,
  CHECKPOINT_REASONS,
  MAX_CHECKPOINT_TEXT,
  type CheckpointCheck,
  type ConsistencyProof,
  type CosignerKeyView,
  type InclusionProof,
  type TrailCheckpointCosignatureEntity,
  type TrailCheckpointEntity,
} from '@app/audit-trail';
import { ConnectionType } from '../common/connection.type';
import { PageArgs } from '../common/page.args';

export const TrailCheckpointReason = Object.fromEntries(CHECKPOINT_REASONS.map((r) => [r, r])) as {
  [K in (typeof CHECKPOINT_REASONS)[number]]: K;
};
registerEnumType(TrailCheckpointReason, {
  name: 'TrailCheckpointReason',
  description: 'Why a checkpoint was made: on schedule, at a sign-off, a clearance, a gate change, a bundle export, on demand, at start-up',
});
registerEnumType(CheckpointCheckCode, {
  name: 'TrailCheckpointCheckCode',
  description:
    'CONSISTENT; BAD_SIGNATURE (not signed by a trail key of this tracker); TRUNCATED (it covers more entries than the trail holds: entries were cut off); INCONSISTENT_WITH_CHECKPOINT (today’s first entries give another root: history was rewritten); NO_CHECKPOINT (none given, none stored)',
});

/** A whole number as text (sizes and seqs are 64-bit). */
const SIZE = /^(0|[1-9][0-9]{0,15})$/;
const SIZE_MESSAGE = '$property must be a whole number (as text)';

@ObjectType('TrailCheckpointCosignature', { description: 'An auditor’s co-signature: one more signature line over the checkpoint’s body' })
export class TrailCheckpointCosignatureType {
  /** Resolved to `by`. */
  userId!: string;

  @Field({ description: 'The co-signer’s note key id (8 hex)' })
  keyId!: string;

  @Field(() => DateTimeScalar)
  signedAt!: Date;

  @Field({ description: 'The signature line: — <e-mail> <base64(key id || Ed25519 signature)>' })
  signature!: string;

  static from(c: TrailCheckpointCosignatureEntity): TrailCheckpointCosignatureType {
    return { userId: c.userId, keyId: c.keyId, signedAt: c.createdAt, signature: c.signature.replace(/\n$/, '') };
  }
}

@ObjectType('TrailCheckpoint', {
  description: 'A signed checkpoint of the audit trail’s Merkle tree (C2SP tlog-checkpoint; RFC 9162 tree over the entries’ chain hashes)',
})
export class TrailCheckpointType {
  @Field({ description: 'The entries it covers: #1 to #treeSize (a 64-bit integer, as text)' })
  treeSize!: string;

  @Field({ description: 'RFC 9162 root hash, standard base64' })
  rootHash!: string;

  @Field({ description: 'The signed body: origin, size and root hash lines' })
  body!: string;

  @Field({ description: 'The tracker’s signature line' })
  signature!: string;

  @Field({ description: 'The note key id (8 hex) of the trail key that signed' })
  keyId!: string;

  @Field(() => TrailCheckpointReason)
  reason!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  /** Resolved to `createdBy`. */
  createdById!: string | null;

  @Field({ description: 'Who asked for it: an e-mail, or system:<what>' })
  createdByLabel!: string;

  static from(c: TrailCheckpointEntity): TrailCheckpointType {
    return {
      treeSize: c.treeSize,
      rootHash: c.rootHash,
      body: c.body,
      signature: c.signatures.replace(/\n$/, ''),
      keyId: c.keyId,
      reason: c.reason,
      createdAt: c.createdAt,
      createdById: c.createdBy,
      createdByLabel: c.createdByLabel,
    };
  }
}

@ObjectType()
export class TrailCheckpointConnection extends ConnectionType(TrailCheckpointType, 'TrailCheckpoint') {}

@ObjectType('TrailInclusionProof', { description: 'RFC 9162 inclusion proof of one entry in the tree of treeSize entries' })
export class TrailInclusionProofType {
  @Field()
  seq!: string;

  @Field(() => Int, { description: 'seq - 1' })
  leafIndex!: number;

  @Field({ description: 'The entry’s chain hash (hex): the leaf input' })
  leafInput!: string;

  @Field()
  treeSize!: string;

  @Field({ description: 'The root the proof leads to (base64)' })
  rootHash!: string;

  @Field(() => [String], { description: 'The audit path, standard base64' })
  hashes!: string[];

  static from(p: InclusionProof, treeSize: number, rootHash: string): TrailInclusionProofType {
    return { seq: p.seq, leafIndex: p.leafIndex, leafInput: p.leafInput, treeSize: String(treeSize), rootHash, hashes: p.hashes };
  }
}

@ObjectType('TrailConsistencyProof', {
  description: 'RFC 9162 consistency proof: the tree of fromSize entries is a prefix of the tree of toSize',
})
export class TrailConsistencyProofType {
  @Field()
  fromSize!: string;

  @Field()
  fromRootHash!: string;

  @Field()
  toSize!: string;

  @Field()
  toRootHash!: string;

  @Field(() => [String], { description: 'Standard base64' })
  hashes!: string[];

  static from(p: ConsistencyProof): TrailConsistencyProofType {
    return { ...p, fromSize: String(p.fromSize), toSize: String(p.toSize) };
  }
}

@ObjectType('TrailCheckpointCheck', { description: 'A checkpoint compared with the trail as stored today' })
export class TrailCheckpointCheckType {
  @Field({
    description:
      'GIVEN (the `against` text), STORED (the newest checkpoint in the database) or FILE (the newest checkpoint file in CHECKPOINT_DIR, when larger than the newest in the database: rows were deleted)',
  })
  source!: string;

  @Field(() => CheckpointCheckCode)
  code!: string;

  @Field({ description: 'True for CONSISTENT and NO_CHECKPOINT' })
  ok!: boolean;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true })
  treeSize!: string | null;

  @Field(() => String, { nullable: true })
  rootHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The trail key (8 hex) whose signature verifies' })
  keyId!: string | null;

  @Field({ description: 'Today’s tree size (the last entry’s seq)' })
  currentTreeSize!: string;

  static from(c: CheckpointCheck): TrailCheckpointCheckType {
    return { ...c };
  }
}

@ObjectType('TrailCosigningKey', { description: 'An auditor’s Ed25519 key for co-signing checkpoints' })
export class TrailCosigningKeyType {
  @Field({ description: 'The note key name: the auditor’s e-mail' })
  name!: string;

  @Field()
  keyId!: string;

  @Field({ description: 'Raw 32-byte public key, standard base64' })
  publicKey!: string;

  @Field({ description: 'C2SP verifier key: <name>+<key id>+<base64(0x01 || key)>' })
  vkey!: string;

  @Field(() => DateTimeScalar)
  registeredAt!: Date;

  static from(k: CosignerKeyView): TrailCosigningKeyType {
    return { name: k.name, keyId: k.keyId, publicKey: k.publicKey, vkey: k.vkey, registeredAt: k.registeredAt };
  }
}

@ArgsType()
export class TrailCheckpointsArgs extends PageArgs {}

@ArgsType()
export class TrailCheckpointArgs {
  @Field({ description: 'The tree size (as text)' })
  @Matches(SIZE, { message: SIZE_MESSAGE })
  size!: string;
}

@ArgsType()
export class TrailInclusionProofArgs {
  @Field()
  @Matches(SIZE, { message: SIZE_MESSAGE })
  seq!: string;

  @Field()
  @Matches(SIZE, { message: SIZE_MESSAGE })
  treeSize!: string;
}

@ArgsType()
export class TrailConsistencyProofArgs {
  @Field()
  @Matches(SIZE, { message: SIZE_MESSAGE })
  fromSize!: string;

  @Field()
  @Matches(SIZE, { message: SIZE_MESSAGE })
  toSize!: string;
}

@ArgsType()
export class VerifyAuditTrailArgs {
  @Field(() => String, {
    nullable: true,
    description: 'A checkpoint kept outside (its signed-note text); without it, the newest stored checkpoint is checked',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CHECKPOINT_TEXT)
  against?: string | null;
}

@ArgsType()
export class RegisterCosigningKeyArgs {
  @Field({ description: 'Your Ed25519 public key: the raw 32 bytes in standard base64 (44 characters)' })
  @IsString()
  @MaxLength(100)
  publicKey!: string;
}

@ArgsType()
export class CosignTrailCheckpointArgs {
  @Field()
  @Matches(SIZE, { message: SIZE_MESSAGE })
  size!: string;

  @Field({ description: 'Your signature line over the checkpoint’s body: — <your e-mail> <base64(key id || Ed25519 signature)>' })
  @IsString()
  @MaxLength(1000)
  signature!: string;
}
