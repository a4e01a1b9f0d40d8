import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { ConnectionType } from '../common/connection.type';
import { PageArgs } from '../common/page.args';
import type { BackgroundJob, JobState } from './background-jobs.service';

export enum BackgroundJobStateEnum {
  CREATED = 'CREATED',
  RETRY = 'RETRY',
  ACTIVE = 'ACTIVE',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}
registerEnumType(BackgroundJobStateEnum, {
  name: 'BackgroundJobState',
  valuesMap: {
    CREATED: { description: 'Waiting for a worker' },
    RETRY: { description: 'Failed a try; waits for the next (after the back-off)' },
    ACTIVE: { description: 'Running on one instance' },
    COMPLETED: { description: 'Done' },
    CANCELLED: { description: 'Cancelled before it ran' },
    FAILED: { description: 'Failed its last allowed try (a copy went to the dead-letter queue); an admin may retry it' },
  },
});

@ObjectType('BackgroundJob', { description: 'A run of a background job (pg-boss), as the queue keeps it' })
export class BackgroundJobType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The queue: daily-reminders, weekly-digest, date-rule-sweeps, …, or background-jobs-dead-letter' })
  name!: string;

  @Field(() => BackgroundJobStateEnum)
  state!: BackgroundJobStateEnum;

  @Field(() => Int, { description: 'Retries so far (0 on the first try)' })
  attempts!: number;

  @Field(() => Int, { description: 'Retries allowed' })
  retryLimit!: number;

  @Field(() => DateTimeScalar)
  createdOn!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedOn!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  completedOn!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last failed try’s error message' })
  lastError!: string | null;

  @Field(() => String, { nullable: true, description: 'One job per period carries this key (the queue’s name)' })
  singletonKey!: string | null;

  static from(j: BackgroundJob): BackgroundJobType {
    return {
      id: j.id,
      name: j.name,
      state: j.state.toUpperCase() as BackgroundJobStateEnum,
      attempts: j.retryCount,
      retryLimit: j.retryLimit,
      createdOn: j.createdOn,
      startedOn: j.startedOn,
      completedOn: j.completedOn,
      lastError: j.lastError,
      singletonKey: j.singletonKey,
    };
  }
}

@ObjectType()
export class BackgroundJobConnection extends ConnectionType(BackgroundJobType, 'BackgroundJob') {}

@ObjectType('BackgroundJobSchedule', { description: 'When a background job is sent to its queue' })
export class BackgroundJobScheduleType {
  @Field()
  name!: string;

  @Field({ description: 'Five-field cron (minute hour day month weekday)' })
  cron!: string;

  @Field({ description: 'The time zone the cron is read in (IANA name)' })
  timezone!: string;
}

@ArgsType()
export class BackgroundJobsArgs extends PageArgs {
  @Field(() => BackgroundJobStateEnum, { nullable: true })
  @IsOptional()
  @IsEnum(BackgroundJobStateEnum)
  state?: BackgroundJobStateEnum | null;

  @Field(() => String, { nullable: true, description: 'Only this queue' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string | null;
}

@ArgsType()
export class RetryBackgroundJobArgs {
  @Field(() => ID, { description: 'The job’s id (BackgroundJob.id)' })
  @IsString()
  @MaxLength(100)
  id!: string;
}

export function jobStateOf(state: BackgroundJobStateEnum | null | undefined): JobState | null {
  return state ? (state.toLowerCase() as JobState) : null;
}
