import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Actor } from '@app/common';
import { CountermeasuresService, CountermeasureTargetsService } from '@app/countermeasures';
import { UsersService } from '@app/identity';
import {
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  TaskForceMemberEntity,
} from '@app/incidents';
import { DEMO_COUNTERMEASURES, DEMO_DATA_CATEGORIES, DEMO_INCIDENT, DEMO_PARTIES, DEMO_SYSTEMS, DEMO_TASK_FORCE, DEMO_TIMELINE } from './demo-case';
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
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  @Transactional()
  async load(password: string): Promise<void> {
    const ids = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const existing = await this.users.findByEmail(u.email);
      ids.set(u.email, (existing ?? (await this.users.create(this.actor, { ...u, password }))).id);
    }
    const em = this.txHost.tx;
    const incident = await em.getRepository(IncidentEntity).save(em.getRepository(IncidentEntity).create(DEMO_INCIDENT));
    const incidentId = incident.id;
    await em.getRepository(IncidentEventEntity).insert(DEMO_TIMELINE.map((e) => ({ ...e, incidentId })));
    const systems = await em.getRepository(IncidentSystemEntity).save(DEMO_SYSTEMS.map((s) => em.getRepository(IncidentSystemEntity).create({ ...s, incidentId })));
    const systemId = new Map(systems.map((s) => [s.name, s.id]));
    await em.getRepository(IncidentDataCategoryEntity).insert(DEMO_DATA_CATEGORIES.map((c) => ({ ...c, incidentId })));
    await em.getRepository(IncidentPartyEntity).insert(DEMO_PARTIES.map((p) => ({ ...p, incidentId })));
    await em
      .getRepository(TaskForceMemberEntity)
      .insert(DEMO_TASK_FORCE.map((m) => ({ incidentId, userId: ids.get(m.email)!, roleTitle: m.roleTitle, isChief: m.isChief, joinedOn: '2026-07-10' })));
    await this.trail.append({
      actor: this.actor,
      action: 'incident.created',
      entityType: 'Incident',
      entityId: incidentId,
      after: { ...DEMO_INCIDENT, timeline: DEMO_TIMELINE.length, systems: DEMO_SYSTEMS.length, taskForce: DEMO_TASK_FORCE.map((m) => m.email) },
    });

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
    }
    this.logger.log(`demo case loaded: ${DEMO_USERS.length} users, 1 incident, ${DEMO_COUNTERMEASURES.length} countermeasures`);
  }
}
