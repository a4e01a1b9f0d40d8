import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The clearances' guard (1795653040047-ExternalAudit), with `signer_proof` among what may never change (`withProof`), or as it was. */
const refuseChange = (withProof: boolean) => `CREATE OR REPLACE FUNCTION audits_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION '% keeps its history: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_TABLE_NAME = 'audit_engagement_transitions' THEN
    RAISE EXCEPTION 'audit_engagement_transitions is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_TABLE_NAME = 'audit_clearances' AND (OLD.withdrawn_at IS NOT NULL
      OR (NEW.id, NEW.engagement_id, NEW.incident_id, NEW.cleared_by_id, NEW.cleared_by_label, NEW.cleared_at, NEW.statement, NEW.digest, NEW.payload${withProof ? ', NEW.signer_proof' : ''})
         IS DISTINCT FROM (OLD.id, OLD.engagement_id, OLD.incident_id, OLD.cleared_by_id, OLD.cleared_by_label, OLD.cleared_at, OLD.statement, OLD.digest, OLD.payload${withProof ? ', OLD.signer_proof' : ''})) THEN
    RAISE EXCEPTION 'a clearance is only ever withdrawn, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`;

/** The sign-offs' guard (1795652399838-EvidenceAndSignOff), with `signer_proof` among what may never change, or as it was. */
const refuseSignOffChange = (
  withProof: boolean,
) => `CREATE OR REPLACE FUNCTION sign_off_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.revoked_at IS NOT NULL
     OR (NEW.id, NEW.countermeasure_id, NEW.auditor_id, NEW.auditor_label, NEW.signed_at, NEW.statement, NEW.digest, NEW.payload${withProof ? ', NEW.signer_proof' : ''})
        IS DISTINCT FROM (OLD.id, OLD.countermeasure_id, OLD.auditor_id, OLD.auditor_label, OLD.signed_at, OLD.statement, OLD.digest, OLD.payload${withProof ? ', OLD.signer_proof' : ''}) THEN
    RAISE EXCEPTION 'a sign-off is only ever revoked, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`;

/**
 * The signer's second-factor proof (method, time, the IdP's amr/acr for single sign-on) on the records a step-up
 * operation makes: sign-offs and clearances (also inside their hashed payloads, formats sign-off/v2 and
 * clearance/v2) and risk acceptances. Null for the rows made before, and where step-up was waived (the demo).
 * A sign-off's and a clearance's proof is as unchangeable as the rest of what they attest (their triggers cover it).
 */
export class SignerProof1795900000500 implements MigrationInterface {
  name = 'SignerProof1795900000500';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "countermeasure_sign_offs" ADD "signer_proof" jsonb`);
    await queryRunner.query(`ALTER TABLE "audit_clearances" ADD "signer_proof" jsonb`);
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" ADD "signer_proof" jsonb`);
    // What a sign-off or a clearance attests never changes: its signer's proof neither.
    await queryRunner.query(refuseChange(true));
    await queryRunner.query(refuseSignOffChange(true));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(refuseSignOffChange(false));
    await queryRunner.query(refuseChange(false));
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" DROP COLUMN "signer_proof"`);
    await queryRunner.query(`ALTER TABLE "audit_clearances" DROP COLUMN "signer_proof"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_sign_offs" DROP COLUMN "signer_proof"`);
  }
}
