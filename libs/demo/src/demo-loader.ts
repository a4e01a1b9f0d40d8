import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, EVIDENCE_MEDIA_TYPES, SystemClock, type ReplayedTime } from '@app/common';
import {
  CountermeasuresService,
  CountermeasureTargetsService,
  redateCountermeasuresWrittenInTransaction,
  type CountermeasureEntity,
} from '@app/countermeasures';
import { redateUsersWrittenInTransaction, UsersService } from '@app/identity';
import { IncidentChangesService, redateIncidentsWrittenInTransaction } from '@app/incidents';
import { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { EvidenceService, EvidenceStorage } from '@app/evidence';
import { AuditEngagementsService, AuditFindingsService, redateAuditsWrittenInTransaction, type AuditEngagementEntity } from '@app/audits';
import { NotificationsService } from '@app/notifications';
import { DemoDutySteps } from './demo-duty-steps';
import { PromotionGateService, redateGatesWrittenInTransaction } from '@app/promotion-gate';
import {
  DEMO_AUDIT,
  DEMO_COUNTERMEASURES,
  DEMO_GATE,
  DEMO_DATA_CATEGORIES,
  DEMO_EVIDENCE,
  DEMO_IMPLEMENTED,
  DEMO_INCIDENT,
  DEMO_PARTIES,
  DEMO_SETUP,
  DEMO_SIGN_OFFS,
  DEMO_SYSTEMS,
  DEMO_TASK_FORCE,
  DEMO_TIMELINE,
} from './demo-case';
import { scheduleStory, type Scheduled, type StoryTime } from './demo-story';
import { DEMO_USERS } from './demo-users';

/** One step of the story: what happened, when (on the case's clock), done through the real services. */
interface StoryStep {
  at: StoryTime;
  what: string;
  run: () => Promise<void>;
}

/**
 * The times PostgreSQL stamps itself (a column default `now()`, or
 * `updated_at = now()` in an update) are the start of the transaction: one
 * instant for the whole load, which no clock in Node can move, and no service
 * can write another (the columns are bookkeeping, not part of any command).
 * After each step, each context that has such columns redates the rows the
 * step so stamped to the step's time, as if it had run then, through its own
 * exported `redate…WrittenInTransaction` (the demo names no table). None of
 * these columns is hashed (trail, sign-off, clearance) and no history table
 * has one (their times come from the Clock). The demo's e2e spec fails if a
 * column stamped at load time is left behind.
 */
const REDATE_WRITTEN_IN_TRANSACTION: readonly ((em: EntityManager, at: Date) => Promise<void>)[] = [
  redateUsersWrittenInTransaction,
  redateIncidentsWrittenInTransaction,
  redateCountermeasuresWrittenInTransaction,
  redateAuditsWrittenInTransaction,
  redateGatesWrittenInTransaction,
];

/**
 * Loads the demo case into an empty database, in one transaction: the users,
 * the incident with its timeline and inventory, the task force, the ten
 * countermeasures, their evidence and reviews, the sign-off, the audit and
 * the gate, created and moved through the real services (so the workflow
 * rules hold and every step is in the audit trail).
 *
 * Each step runs at the time the case's story gives it (demo-case.ts,
 * scheduled by scheduleStory: in order, never in the future, the latest a few
 * days before today), on a clock replayed for the load only
 * (SystemClock.replay): the history tables, the audit trail and the
 * dashboard's burn-up and past days tell the story as it happened. Then the
 * day's reminders run once, so that the demo's people find their inbox as
 * they would on any morning.
 *
 * The trail's entries of the load are in time order (the steps are); the
 * signing keys' activation and an admin created from ADMIN_EMAIL just before
 * (StartupService) keep their real time, so they are followed by older entries. Nothing relies on the trail's time order:
 * the chain is ordered by seq, and the verifier checks hashes and links only.
 */
@Injectable()
export class DemoLoader {
  private readonly logger = new Logger(DemoLoader.name);
  private readonly actor = Actor.system('demo-loader');

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(CountermeasureTargetsService) private readonly targets: CountermeasureTargetsService,
    @Inject(IncidentChangesService) private readonly incidentChanges: IncidentChangesService,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
    @Inject(AuditFindingsService) private readonly findings: AuditFindingsService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
    @Inject(DemoDutySteps) private readonly duties: DemoDutySteps,
  ) {}

  async load(password: string): Promise<void> {
    // With the process's SystemClock, the services read the replayed time; a
    // Clock pinned by a test would be read instead (and stamp every step alike).
    const steps = scheduleStory(this.story(password), this.clock.now());
    await SystemClock.replay((time) => this.replay(steps, time));
    this.logger.log(
      `demo case loaded: ${DEMO_USERS.length} users, 1 incident, ${DEMO_COUNTERMEASURES.length} countermeasures; ` +
        `${steps.length} steps from ${steps[0]!.when.toISOString()} to ${steps.at(-1)!.when.toISOString()}`,
    );
    // After the commit, on the wall clock: today's reminders (overdue, due soon,
    // evidence waiting for review...), as the daily job would create them. A
    // failure here leaves the demo loaded; the next daily run catches up.
    try {
      const run = await this.notifications.runDaily();
      this.logger.log(
        `demo reminders: ${run.total} notifications${run.failedKinds.length ? `; failed kinds: ${run.failedKinds.join(', ')}` : ''}`,
      );
    } catch (err) {
      this.logger.warn(`demo reminders not run: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  @Transactional()
  private async replay(steps: readonly Scheduled<StoryStep>[], time: ReplayedTime): Promise<void> {
    for (const step of steps) {
      time.advanceTo(step.when);
      try {
        await step.run();
      } catch (err) {
        this.logger.error(`demo step "${step.what}" at ${step.when.toISOString()} failed`);
        throw err;
      }
      await this.stampDatabaseTimes(step.when);
    }
  }

  private async stampDatabaseTimes(at: Date): Promise<void> {
    for (const redate of REDATE_WRITTEN_IN_TRANSACTION) await redate(this.txHost.tx, at);
  }

  /** The story's steps, each with its time and what it does (the ids each step needs come from the steps before it). */
  private story(password: string): StoryStep[] {
    const ids = new Map<string, string>();
    const actors = new Map<string, Actor>();
    const cmIds: string[] = [];
    const systemIds = new Map<string, string>();
    let incidentId = '';
    let engagement: AuditEngagementEntity | null = null;
    /** A demo person acting; the label says the demo loader acted for them (`demo:<e-mail>`), so the trail never claims a person did it. */
    const as = (email: string): Actor => actors.get(email)!;
    const cm = (n: number): Promise<CountermeasureEntity> => this.countermeasures.getById(cmIds[n - 1]!);
    const steps: StoryStep[] = [];
    const step = (at: StoryTime, what: string, run: () => Promise<void>) => void steps.push({ at, what, run });

    step(DEMO_SETUP.usersAt, 'the accounts', async () => {
      for (const u of DEMO_USERS) {
        const existing = await this.users.findByEmail(u.email);
        ids.set(u.email, (existing ?? (await this.users.create(this.actor, { ...u, password }))).id);
      }
      for (const u of await this.users.findByIds([...ids.values()]))
        actors.set(u.email, { id: u.id, label: `demo:${u.email}`, roles: [...u.roles] });
    });

    // The incident, its timeline, inventory and task force go through IncidentChangesService like
    // any user's changes: the same rules hold, and each step has its own trail entry.
    const chief = DEMO_TASK_FORCE.find((m) => m.isChief)!;
    step(DEMO_SETUP.incidentAt, 'the incident', async () => {
      const incident = await this.incidentChanges.create(this.actor, {
        ...DEMO_INCIDENT,
        chief: { userId: ids.get(chief.email)!, roleTitle: chief.roleTitle, joinedOn: DEMO_SETUP.joinedOn },
      });
      incidentId = incident.id;
    });
    step(DEMO_SETUP.incidentAt, 'the timeline so far', async () => {
      for (const e of DEMO_TIMELINE) await this.incidentChanges.addEvent(this.actor, { ...e, incidentId });
    });
    step(DEMO_SETUP.incidentAt, 'the systems', async () => {
      for (const s of DEMO_SYSTEMS) systemIds.set(s.name, (await this.incidentChanges.addSystem(this.actor, { ...s, incidentId })).id);
    });
    step(DEMO_SETUP.incidentAt, 'the data involved', async () => {
      for (const c of DEMO_DATA_CATEGORIES) await this.incidentChanges.addDataCategory(this.actor, { ...c, incidentId });
    });
    step(DEMO_SETUP.incidentAt, 'the parties', async () => {
      for (const p of DEMO_PARTIES) await this.incidentChanges.addParty(this.actor, { ...p, incidentId });
    });
    step(DEMO_SETUP.incidentAt, 'the task force', async () => {
      for (const m of DEMO_TASK_FORCE.filter((x) => !x.isChief)) {
        await this.incidentChanges.addMember(this.actor, incidentId, {
          userId: ids.get(m.email)!,
          roleTitle: m.roleTitle,
          joinedOn: DEMO_SETUP.joinedOn,
        });
      }
    });

    // The duties to the outside: the PPC reports, the notice, the progress statements, the hotline (demo-duty-steps.ts).
    this.duties.add({
      step,
      incidentId: () => incidentId,
      userId: (email) => ids.get(email)!,
      as,
      countermeasureId: (n) => cmIds[n - 1]!,
      system: this.actor,
    });

    DEMO_COUNTERMEASURES.forEach((d, i) => {
      const n = i + 1;
      step(DEMO_SETUP.planAt, `CM-${n} planned`, async () => {
        const created = await this.countermeasures.create(this.actor, {
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
        cmIds[i] = created.id;
      });
      for (const move of d.moves) {
        step(move.at, `CM-${n} → ${move.to}`, async () => {
          const current = await cm(n);
          await this.countermeasures.transition(as(d.owner), current.id, current.version, move.to, move.reason ?? null);
        });
      }
      if (d.targets?.length) {
        step(d.targetsAt ?? DEMO_SETUP.planAt, `CM-${n} targets`, async () => {
          const current = await cm(n);
          await this.targets.setTargets(
            as(d.owner),
            current.id,
            current.version,
            d.targets!.map((t) => systemIds.get(t.system)!),
          );
        });
        for (const plan of d.targets.filter((t) => t.status !== 'PENDING')) {
          step(plan.at ?? d.targetsAt ?? DEMO_SETUP.planAt, `CM-${n} target ${plan.system} ${plan.status}`, async () => {
            const target = (await this.targets.targetsOf([cmIds[i]!])).find((t) => t.systemId === systemIds.get(plan.system))!;
            await this.targets.updateTarget(as(d.owner), target.id, target.version, plan.status, plan.note ?? null);
          });
        }
      }
    });

    step(DEMO_SETUP.gateAt, 'the gate', async () => {
      await this.gates.create(this.actor, { incidentId, ...DEMO_GATE });
    });

    const submitted: { id: string; sha256: string }[] = [];
    DEMO_EVIDENCE.forEach((d, k) => {
      step(d.submittedAt, `evidence for CM-${d.countermeasure}`, async () => {
        const requirement = (await this.countermeasures.requirementsOf([cmIds[d.countermeasure - 1]!]))[d.requirement]!;
        const base = { requirementId: requirement.id, effectiveOn: d.effectiveOn };
        let e;
        if (d.file) {
          const staged = await this.storage.stage(Readable.from([Buffer.from(d.file.text, 'utf8')]), {
            maxBytes: 1 << 20,
            allowedTypes: EVIDENCE_MEDIA_TYPES,
          });
          await staged.commit();
          e = await this.evidence.submitFile(as(d.by), {
            ...base,
            file: { name: d.file.name, mediaType: staged.mediaType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
          });
        } else if (d.link) {
          e = await this.evidence.submitLink(as(d.by), { ...base, ...d.link });
        } else {
          e = await this.evidence.submitAttestation(as(d.by), { ...base, ...d.attestation! });
        }
        submitted[k] = { id: e.id, sha256: e.sha256 };
      });
      const review = d.review;
      if (review) {
        step(review.at, `review of evidence for CM-${d.countermeasure}`, async () => {
          await this.evidence.review(as(review.by), submitted[k]!.id, submitted[k]!.sha256, review.decision, review.comment ?? null);
        });
      }
    });
    for (const { countermeasure: n, at } of DEMO_IMPLEMENTED) {
      step(at, `CM-${n} → IMPLEMENTED`, async () => {
        const current = await cm(n);
        await this.countermeasures.transition(as(DEMO_COUNTERMEASURES[n - 1]!.owner), current.id, current.version, 'IMPLEMENTED', null);
      });
    }
    for (const s of DEMO_SIGN_OFFS) {
      step(s.at, `CM-${s.countermeasure} signed off`, async () => {
        const current = await cm(s.countermeasure);
        await this.evidence.signOff(as(s.by), current.id, current.version, s.statement);
      });
    }

    // The security firm's engagement, as the task force commissioned it and the auditors recorded it.
    step(DEMO_AUDIT.commissionedAt, 'the audit commissioned', async () => {
      engagement = await this.engagements.create(this.actor, {
        incidentId,
        title: DEMO_AUDIT.title,
        firm: DEMO_AUDIT.firm,
        leadAuditorId: ids.get(DEMO_AUDIT.lead)!,
        teamIds: DEMO_AUDIT.team.map((m) => ids.get(m)!),
        countermeasureIds: DEMO_AUDIT.scope.map((n) => cmIds[n - 1]!),
        systemIds: DEMO_AUDIT.systems.map((name) => systemIds.get(name)!),
        startsOn: DEMO_AUDIT.startsOn,
        endsOn: DEMO_AUDIT.endsOn,
      });
    });
    for (const move of DEMO_AUDIT.moves) {
      step(move.at, `the audit → ${move.to}`, async () => {
        engagement = await this.engagements.move(as(DEMO_AUDIT.lead), engagement!.id, engagement!.version, move.to, null);
      });
    }
    DEMO_AUDIT.findings.forEach((f, k) => {
      step(f.at, `finding ${k + 1}`, async () => {
        await this.findings.raise(as(f.by), {
          engagementId: engagement!.id,
          severity: f.severity,
          title: f.title,
          description: f.description,
          countermeasureId: cmIds[f.countermeasure - 1]!,
        });
      });
    });
    return steps;
  }
}
