import type { MigrationInterface, QueryRunner } from 'typeorm';
import { describeBlocker, type BlockerFacts } from '../libs/promotion-gate/src/domain/blocker-text';

type Stored = Record<string, unknown> & {
  kind?: string;
  itemKey?: string | null;
  itemTitle?: string | null;
  message?: string;
  code?: string;
};

const DAY = '(\\d{4}-\\d{2}-\\d{2})';
const IN_SCOPE = '( It is in the audit’s scope: the clearance no longer stands\\.)?';

/** The code and parameters a sentence written before this migration was made from (null: not one of ours). */
function parse(b: Stored): Record<string, unknown> | null {
  const m = String(b.message ?? '');
  const item = `${b.itemKey ?? ''} ${b.itemTitle ?? ''}`;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let x: RegExpExecArray | null;
  if ((x = new RegExp(`^Suspended by hand by ([\\s\\S]*) on ${DAY}: ([\\s\\S]*)\\. An executive must release the hold\\.$`).exec(m))) {
    return { code: 'MANUAL_HOLD', by: x[1], on: x[2], reason: x[3] };
  }
  if (
    (x = new RegExp(
      `^Audit finding \\S+ \\((\\w+)\\) "[\\s\\S]*" is open again: its risk acceptance held through ${DAY} \\(Asia/Tokyo\\)`,
    ).exec(m))
  ) {
    return { code: 'FINDING_RISK_ACCEPTANCE_EXPIRED', severity: x[1], lastDay: x[2] };
  }
  if ((x = /^Audit finding \S+ \((\w+)\) "[\s\S]*" is open(?: \(concerns (\S+)\))?: resolve it/.exec(m))) {
    return { code: 'OPEN_FINDING', severity: x[1], countermeasureKey: x[2] ?? null };
  }
  if (m.startsWith('No external audit engagement exists yet')) return { code: 'NO_AUDIT_ENGAGEMENT' };
  if ((x = /^The external audit is (\S+): its lead auditor/.exec(m))) return { code: 'AUDIT_NOT_CLEARED', auditStatus: x[1] };
  const own = `^${esc(item)}`;
  if (
    (x = new RegExp(
      `${own}: "([\\s\\S]*)" has no accepted evidence, so its recurring evidence is stale \\(fresh evidence must be accepted\\)\\.${IN_SCOPE}$`,
    ).exec(m))
  ) {
    return { code: 'RECURRING_EVIDENCE_MISSING', requirement: x[1], inAuditScope: !!x[2] };
  }
  if (
    (x = new RegExp(
      `${own}: the recurring evidence of "([\\s\\S]*)" was fresh through ${DAY} \\(Asia/Tokyo\\) and is stale now \\(fresh evidence must be accepted\\)\\.${IN_SCOPE}$`,
    ).exec(m))
  ) {
    return { code: 'RECURRING_EVIDENCE_STALE', requirement: x[1], freshThrough: x[2], inAuditScope: !!x[3] };
  }
  if (
    (x = new RegExp(
      `${own}: the risk acceptance that covers "([\\s\\S]*)" held through ${DAY} \\(Asia/Tokyo\\) and has expired; the work is open again\\.${IN_SCOPE}$`,
    ).exec(m))
  ) {
    return { code: 'REQUIREMENT_RISK_ACCEPTANCE_EXPIRED', requirement: x[1], lastDay: x[2], inAuditScope: !!x[3] };
  }
  if ((x = new RegExp(`${own} is (\\S+), (?:it is blocked \\(from (\\S+)\\))?`).exec(m))) {
    return {
      code: 'COUNTERMEASURE_NOT_VERIFIED',
      status: x[1],
      ...(x[1] === 'BLOCKED' ? { resumeStatus: x[2] === 'unknown' ? null : (x[2] ?? null) } : {}),
    };
  }
  return null;
}

/** A stored blocker (or date rule) as data: its code and parameters instead of its sentence, which must read the same. */
export function blockerToData(b: Stored): Stored {
  if (typeof b.code === 'string') return b;
  const { message, ...rest } = b;
  const parsed = parse(b);
  const data = parsed ? { ...rest, ...parsed } : null;
  // Only when the sentence made from the data is the one stored; otherwise the sentence itself is kept.
  if (data && describeBlocker(data as unknown as BlockerFacts) === message) return data;
  return { ...rest, code: 'RECORDED_TEXT', text: String(message ?? '') };
}

const PARAMS = [
  'code',
  'by',
  'on',
  'reason',
  'status',
  'resumeStatus',
  'auditStatus',
  'severity',
  'countermeasureKey',
  'lastDay',
  'freshThrough',
  'requirement',
  'inAuditScope',
  'text',
];

/** Back to the sentence form: the item, the kind, `message`. */
export function blockerToText(b: Stored): Stored {
  if (typeof b.code !== 'string') return b;
  const message = describeBlocker(b as unknown as BlockerFacts);
  const rest = Object.fromEntries(Object.entries(b).filter(([k]) => !PARAMS.includes(k)));
  return { ...rest, message };
}

/**
 * The gate's blockers are stored as data (a code and its parameters, see
 * libs/promotion-gate/src/domain/blocker-text.ts) instead of sentences: on the
 * gates (`blockers`, `date_rules`) and in their history (`blockers`; the
 * append-only trigger is set aside for this conversion only). Every stored
 * sentence reads the same afterwards: a sentence the rules no longer write is
 * kept as it was (RECORDED_TEXT). `down` writes the sentences back.
 */
export class GateBlockersAsData1795680000200 implements MigrationInterface {
  name = 'GateBlockersAsData1795680000200';

  public up(queryRunner: QueryRunner): Promise<void> {
    return convert(queryRunner, blockerToData);
  }

  public down(queryRunner: QueryRunner): Promise<void> {
    return convert(queryRunner, blockerToText);
  }
}

async function convert(queryRunner: QueryRunner, each: (b: Stored) => Stored): Promise<void> {
  const map = (list: unknown) => JSON.stringify(Array.isArray(list) ? (list as Stored[]).map(each) : []);
  const gates: { id: string; blockers: unknown; date_rules: unknown }[] = await queryRunner.query(
    `SELECT "id", "blockers", "date_rules" FROM "promotion_gates"`,
  );
  for (const g of gates) {
    await queryRunner.query(`UPDATE "promotion_gates" SET "blockers" = $1::jsonb, "date_rules" = $2::jsonb WHERE "id" = $3`, [
      map(g.blockers),
      map(g.date_rules),
      g.id,
    ]);
  }
  await queryRunner.query(`ALTER TABLE "promotion_gate_history" DISABLE TRIGGER "promotion_gate_history_append_only"`);
  const history: { id: string; blockers: unknown }[] = await queryRunner.query(
    `SELECT "id", "blockers" FROM "promotion_gate_history" WHERE jsonb_array_length("blockers") > 0`,
  );
  for (const h of history) {
    await queryRunner.query(`UPDATE "promotion_gate_history" SET "blockers" = $1::jsonb WHERE "id" = $2`, [map(h.blockers), h.id]);
  }
  await queryRunner.query(`ALTER TABLE "promotion_gate_history" ENABLE TRIGGER "promotion_gate_history_append_only"`);
}
