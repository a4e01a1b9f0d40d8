import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsOptional } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  EMAIL_MAX_ATTEMPTS,
  EMAIL_STATUSES,
  NOTIFICATION_KINDS,
  notificationPath,
  type EffectivePreference,
  type NotificationEntity,
  type ReminderRun,
} from '@app/notifications';
import { ConnectionType } from '../common/connection.type';
import { PageArgs } from '../common/page.args';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));

export const NotificationKindEnum = enumOf(NOTIFICATION_KINDS);
registerEnumType(NotificationKindEnum, {
  name: 'NotificationKind',
  valuesMap: {
    DUE_IN_7_DAYS: { description: 'An open countermeasure one owns or contributes to is due within 7 days (owner, contributors)' },
    DUE_IN_1_DAY: { description: 'An open countermeasure is due tomorrow or today (owner, contributors)' },
    OVERDUE: { description: 'An open countermeasure is past its due date (owner, contributors, the task-force chief)' },
    REVIEW_WAITING: { description: 'Evidence has waited more than 3 days for review (every auditor who may review it)' },
    EVIDENCE_GOING_STALE: {
      description: 'A recurring requirement of an operating measure turns stale within 7 days (owner, contributors)',
    },
    RISK_ACCEPTANCE_EXPIRING: { description: 'A standing risk acceptance ends within 7 days (executives, the acceptor)' },
    GATE_CHANGED: { description: 'A promotion gate changed state (executives, the task force)' },
    WEEKLY_DIGEST: { description: 'Mondays: verified, slipped, the gate (executives)' },
    BREACH_REPORT_DUE: {
      description: "A PPC report (速報/確報) falls due in 7, 2 or 1 days, or today (the incident's chief and legal leads, executives)",
    },
    BREACH_REPORT_OVERDUE: {
      description:
        "Every day while a mandatory PPC report is past its due day and not submitted (the incident's chief and legal leads, executives)",
    },
  },
});

export const EmailStatusEnum = enumOf(EMAIL_STATUSES);
registerEnumType(EmailStatusEnum, {
  name: 'NotificationEmailStatus',
  valuesMap: {
    PENDING: {
      description:
        'To be sent: at once after the notification is created, or at `nextAttemptAt` after a failed attempt (`error` says why it failed)',
    },
    SENDING: { description: 'Being sent now' },
    SENT: { description: 'The SMTP server accepted it' },
    FAILED: {
      description: `Given up, see \`error\`: the server refused the recipient or the message for good, ${EMAIL_MAX_ATTEMPTS} attempts failed, or e-mail for the kind was turned off (or the recipient deactivated) before it went out`,
    },
  },
});

@ObjectType('NotificationEmail', { description: 'The e-mail of a notification' })
export class NotificationEmailType {
  @Field(() => EmailStatusEnum) status!: string;
  @Field(() => DateTimeScalar, { nullable: true }) sentAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why the latest attempt failed (the SMTP server’s answer or the connection error), or why it was not sent',
  })
  error!: string | null;
  @Field(() => Int, { description: `Attempts so far (at most ${EMAIL_MAX_ATTEMPTS}, retried after 1 min, 5 min, 30 min, 2 h and 12 h)` })
  attempts!: number;
  @Field(() => DateTimeScalar, { nullable: true, description: 'PENDING: when it is (or was due to be) tried next' })
  nextAttemptAt!: Date | null;
}

@ObjectType('Notification', {
  description: 'A message in one’s inbox (in Japanese), about a countermeasure, evidence, a risk acceptance or a gate',
})
export class NotificationType {
  @Field(() => ID) id!: string;
  @Field(() => NotificationKindEnum) kind!: string;
  @Field() title!: string;
  @Field() body!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) readAt!: Date | null;
  @Field() read!: boolean;
  @Field(() => ID, { nullable: true }) incidentId!: string | null;
  @Field(() => ID, { nullable: true }) countermeasureId!: string | null;
  @Field(() => String, { nullable: true, description: 'CM-004' }) countermeasureKey!: string | null;
  @Field(() => ID, { nullable: true }) requirementId!: string | null;
  @Field(() => ID, { nullable: true }) evidenceId!: string | null;
  @Field(() => ID, { nullable: true }) riskAcceptanceId!: string | null;
  @Field(() => ID, { nullable: true }) findingId!: string | null;
  @Field(() => String, { nullable: true, description: 'new-customer-promotion' }) gateKey!: string | null;
  @Field(() => JSONObjectResolver, { description: 'The facts the words were made from (dates, counts, lists)' }) data!: Record<
    string,
    unknown
  >;
  @Field({
    description:
      'Where on the web page to look, as a path of this server: `/?item=CM-004` (the countermeasure highlighted) for due, overdue, going-stale and expiring-acceptance reminders; `/?view=review` (the review queue) for evidence waiting for review; `/` (the dashboard) for gate changes, the weekly digest and an acceptance of no countermeasure. The e-mail carries the same under PUBLIC_BASE_URL.',
  })
  link!: string;
  @Field(() => NotificationEmailType, { nullable: true, description: 'Null when it was not to be e-mailed' })
  email!: NotificationEmailType | null;

  static from(n: NotificationEntity): NotificationType {
    return {
      id: n.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      createdAt: n.createdAt,
      readAt: n.readAt,
      read: n.readAt !== null,
      incidentId: n.incidentId,
      countermeasureId: n.countermeasureId,
      countermeasureKey: n.countermeasureKey,
      requirementId: n.requirementId,
      evidenceId: n.evidenceId,
      riskAcceptanceId: n.riskAcceptanceId,
      findingId: n.findingId,
      gateKey: n.gateKey,
      data: n.data,
      link: notificationPath(n.kind, n.countermeasureKey, n.incidentId),
      email: n.emailStatus
        ? {
            status: n.emailStatus,
            sentAt: n.emailSentAt,
            error: n.emailError,
            attempts: n.emailAttempts,
            nextAttemptAt: n.emailStatus === 'PENDING' ? n.emailNextAttemptAt : null,
          }
        : null,
    };
  }
}

@ObjectType('NotificationConnection')
export class NotificationConnection extends ConnectionType(NotificationType, 'Notification') {}

@ArgsType()
export class NotificationsArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Only the unread ones' })
  @IsOptional()
  @IsBoolean()
  unreadOnly?: boolean | null;
}

@ObjectType('MarkNotificationsReadPayload')
export class MarkNotificationsReadPayload {
  @Field(() => Int, { description: 'How many were unread and are read now' }) marked!: number;
  @Field(() => Int) unreadCount!: number;
}

@ObjectType('NotificationPreference', { description: 'Whether one receives a kind in the inbox and by e-mail' })
export class NotificationPreferenceType {
  @Field(() => NotificationKindEnum) kind!: string;
  @Field() inbox!: boolean;
  @Field({ description: 'By e-mail, when the server sends e-mail (SMTP_URL)' }) email!: boolean;
  @Field({ description: 'True: one made no choice and the defaults apply' }) isDefault!: boolean;

  static from(p: EffectivePreference): NotificationPreferenceType {
    return { ...p };
  }
}

@ObjectType('ReminderKindCount')
export class ReminderKindCountType {
  @Field(() => NotificationKindEnum) kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('ReminderRun', { description: 'What a run of the reminder job created and sent' })
export class ReminderRunType {
  @Field(() => Int, { description: 'Notifications created (a second run the same day creates none)' }) total!: number;
  @Field(() => [ReminderKindCountType]) created!: ReminderKindCountType[];
  @Field(() => Int) emailsSent!: number;
  @Field(() => Int, { description: 'Failed attempts (retried later, unless refused for good)' }) emailsFailed!: number;
  @Field(() => [NotificationKindEnum], { description: 'Kinds that failed (logged); the next run repeats them' }) failedKinds!: string[];

  static from(runs: ReminderRun[]): ReminderRunType {
    const created = new Map<string, number>();
    for (const r of runs) for (const [k, n] of Object.entries(r.created)) created.set(k, (created.get(k) ?? 0) + n);
    return {
      total: runs.reduce((s, r) => s + r.total, 0),
      created: [...created].map(([kind, count]) => ({ kind, count })),
      emailsSent: runs.reduce((s, r) => s + r.emailsSent, 0),
      emailsFailed: runs.reduce((s, r) => s + r.emailsFailed, 0),
      failedKinds: runs.flatMap((r) => r.failedKinds),
    };
  }
}
