import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { Actor, EVIDENCE_MEDIA_TYPES } from '@app/common';
import { CountermeasuresService, CountermeasureTargetsService } from '@app/countermeasures';
import { UsersService } from '@app/identity';
import { IncidentChangesService } from '@app/incidents';
import { Readable } from 'node:stream';
import { EvidenceService, EvidenceStorage } from '@app/evidence';
import { AuditEngagementsService, AuditFindingsService } from '@app/audits';
import { PromotionGateService } from '@app/promotion-gate';
import {
  DEMO_AUDIT,
  DEMO_COUNTERMEASURES,
  DEMO_GATE,
  DEMO_DATA_CATEGORIES,
  DEMO_EVIDENCE,
  DEMO_IMPLEMENTED,
  DEMO_INCIDENT,
  DEMO_PARTIES,
  DEMO_SIGN_OFFS,
  DEMO_SYSTEMS,
  DEMO_TASK_FORCE,
  DEMO_TIMELINE,
} from './demo-case';
import { DEMO_USERS } from './demo-users';

/**
 * Loads the demo case into an empty database, in one transaction: the users,
 * the incident with its timeline and inventory, the task force, and the ten
 * countermeasures, created and moved through the real services (so the
 * workflow rules hold and every step is in the audit trail).
 */
@Injectable()
export class DemoLoader {
  private readonly logger = new Logger(DemoLoader.name);
  private readonly actor = Actor.system('demo-loader');

  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(CountermeasureTargetsService) private readonly targets: CountermeasureTargetsService,
    @Inject(IncidentChangesService) private readonly incidentChanges: IncidentChangesService,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
    @Inject(AuditFindingsService) private readonly findings: AuditFindingsService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
  ) {}

  @Transactional()
  async load(password: string): Promise<void> {
    const ids = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const existing = await this.users.findByEmail(u.email);
      ids.set(u.email, (existing ?? (await this.users.create(this.actor, { ...u, password }))).id);
    }
    // The incident, its timeline, inventory and task force go through IncidentChangesService like
    // any user's changes: the same rules hold, and each step has its own trail entry.
    const chief = DEMO_TASK_FORCE.find((m) => m.isChief)!;
    const joinedOn = '2026-07-10';
    const incident = await this.incidentChanges.create(this.actor, {
      ...DEMO_INCIDENT,
      chief: { userId: ids.get(chief.email)!, roleTitle: chief.roleTitle, joinedOn },
    });
    const incidentId = incident.id;
    for (const e of DEMO_TIMELINE) await this.incidentChanges.addEvent(this.actor, { ...e, incidentId });
    const systemId = new Map<string, string>();
    for (const s of DEMO_SYSTEMS) systemId.set(s.name, (await this.incidentChanges.addSystem(this.actor, { ...s, incidentId })).id);
    for (const c of DEMO_DATA_CATEGORIES) await this.incidentChanges.addDataCategory(this.actor, { ...c, incidentId });
    for (const p of DEMO_PARTIES) await this.incidentChanges.addParty(this.actor, { ...p, incidentId });
    for (const m of DEMO_TASK_FORCE.filter((x) => !x.isChief)) {
      await this.incidentChanges.addMember(this.actor, incidentId, { userId: ids.get(m.email)!, roleTitle: m.roleTitle, joinedOn });
    }

    const cmIds: string[] = [];
    for (const d of DEMO_COUNTERMEASURES) {
      let cm = await this.countermeasures.create(this.actor, {
        incidentId,
        title: d.title,
        description: d.description,
        category: d.category,
        ownerId: ids.get(d.owner)!,
        contributorIds: (d.contributors ?? []).map((e) => ids.get(e)!),
        priority: d.priority,
        dueDate: d.dueDate,
        requiredForGate: d.requiredForGate,
        ongoing: d.ongoing ?? false,
        requirements: d.requirements,
      });
      if (d.targets?.length) {
        cm = await this.targets.setTargets(this.actor, cm.id, cm.version, d.targets.map((t) => systemId.get(t.system)!));
        for (const target of await this.targets.targetsOf([cm.id])) {
          const plan = d.targets.find((t) => systemId.get(t.system) === target.systemId)!;
          if (plan.status !== 'PENDING') await this.targets.updateTarget(this.actor, target.id, target.version, plan.status, plan.note ?? null);
        }
      }
      for (const move of d.moves) {
        cm = await this.countermeasures.transition(this.actor, cm.id, cm.version, move.to, move.reason ?? null);
      }
      cmIds.push(cm.id);
    }
    await this.loadEvidence(ids, cmIds);
    await this.loadAudit(incidentId, ids, cmIds, systemId);
    await this.gates.create(this.actor, { incidentId, ...DEMO_GATE });
    this.logger.log(`demo case loaded: ${DEMO_USERS.length} users, 1 incident, ${DEMO_COUNTERMEASURES.length} countermeasures`);
  }

  /**
   * Evidence through the real services, in the demo people's names. The actor
   * label says it was the demo loader acting for them (`demo:<e-mail>`), so the
   * trail never claims a person did something at start-up.
   */
  private async loadEvidence(ids: Map<string, string>, cmIds: string[]): Promise<void> {
    const users = new Map((await this.users.findByIds([...ids.values()])).map((u) => [u.email, u]));
    const as = (email: string): Actor => {
      const u = users.get(email)!;
      return { id: u.id, label: `demo:${u.email}`, roles: [...u.roles] };
    };
    const submitted: { id: string; sha256: string; review?: (typeof DEMO_EVIDENCE)[number]['review'] }[] = [];
    for (const d of DEMO_EVIDENCE) {
      const cmId = cmIds[d.countermeasure - 1]!;
      const requirement = (await this.countermeasures.requirementsOf([cmId]))[d.requirement]!;
      const base = { requirementId: requirement.id, effectiveOn: d.effectiveOn };
      let e;
      if (d.file) {
        const staged = await this.storage.stage(Readable.from([Buffer.from(d.file.text, 'utf8')]), { maxBytes: 1 << 20, allowedTypes: EVIDENCE_MEDIA_TYPES });
        await staged.commit();
        e = await this.evidence.submitFile(as(d.by), { ...base, file: { name: d.file.name, mediaType: staged.mediaType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 } });
      } else if (d.link) {
        e = await this.evidence.submitLink(as(d.by), { ...base, ...d.link });
      } else {
        e = await this.evidence.submitAttestation(as(d.by), { ...base, ...d.attestation! });
      }
      submitted.push({ id: e.id, sha256: e.sha256, review: d.review });
    }
    for (const n of DEMO_IMPLEMENTED) {
      const cm = await this.countermeasures.getById(cmIds[n - 1]!);
      await this.countermeasures.transition(as(DEMO_COUNTERMEASURES[n - 1]!.owner), cm.id, cm.version, 'IMPLEMENTED', null);
    }
    for (const e of submitted) {
      if (e.review) await this.evidence.review(as(e.review.by), e.id, e.sha256, e.review.decision, e.review.comment ?? null);
    }
    for (const s of DEMO_SIGN_OFFS) {
      const cm = await this.countermeasures.getById(cmIds[s.countermeasure - 1]!);
      await this.evidence.signOff(as(s.by), cm.id, cm.version, s.statement);
    }
  }

  /** The security firm's engagement in fieldwork, with its findings, as the auditors would record them. */
  private async loadAudit(incidentId: string, ids: Map<string, string>, cmIds: string[], systemId: Map<string, string>): Promise<void> {
    const users = new Map((await this.users.findByIds([...ids.values()])).map((u) => [u.email, u]));
    const as = (email: string): Actor => {
      const u = users.get(email)!;
      return { id: u.id, label: `demo:${u.email}`, roles: [...u.roles] };
    };
    let e = await this.engagements.create(this.actor, {
      incidentId,
      title: DEMO_AUDIT.title,
      firm: DEMO_AUDIT.firm,
      leadAuditorId: ids.get(DEMO_AUDIT.lead)!,
      teamIds: DEMO_AUDIT.team.map((m) => ids.get(m)!),
      countermeasureIds: DEMO_AUDIT.scope.map((n) => cmIds[n - 1]!),
      systemIds: DEMO_AUDIT.systems.map((name) => systemId.get(name)!),
      startsOn: DEMO_AUDIT.startsOn,
      endsOn: DEMO_AUDIT.endsOn,
    });
    for (const to of DEMO_AUDIT.moves) e = await this.engagements.move(as(DEMO_AUDIT.lead), e.id, e.version, to, null);
    for (const f of DEMO_AUDIT.findings) {
      await this.findings.raise(as(f.by), { engagementId: e.id, severity: f.severity, title: f.title, description: f.description, countermeasureId: cmIds[f.countermeasure - 1]! });
    }
  }
}
