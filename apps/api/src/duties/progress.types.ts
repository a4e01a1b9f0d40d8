import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { publicStatusWording, type PublishedStatement, type StatementCountermeasure } from '@app/duties';
import { ConnectionType } from '../common/connection.type';
import { CountermeasureStatusEnum } from '../countermeasures/countermeasure.types';

@ObjectType('ProgressStatementCountermeasure', {
  description: 'A countermeasure as a progress statement shows it: the public label, and its status frozen at publication',
})
export class ProgressStatementCountermeasureType {
  @Field(() => ID, { description: 'The countermeasure (internal: not on the public page)' }) countermeasureId!: string;
  @Field() labelJa!: string;
  @Field() labelEn!: string;
  @Field(() => CountermeasureStatusEnum, { description: 'Its status when the statement was published' }) status!: string;
  @Field({ description: 'The status as the public page words it, in Japanese' }) publicStatusJa!: string;
  @Field({ description: 'The status as the public page words it, in English' }) publicStatusEn!: string;

  static from(c: StatementCountermeasure): ProgressStatementCountermeasureType {
    return {
      countermeasureId: c.countermeasureId,
      labelJa: c.labelJa,
      labelEn: c.labelEn,
      status: c.status,
      publicStatusJa: publicStatusWording(c.status, 'ja'),
      publicStatusEn: publicStatusWording(c.status, 'en'),
    };
  }
}

@ObjectType('ProgressStatement', {
  description:
    'A public progress statement (promise 9, 進捗状況の公表): numbered per incident, dated, never changed; shown at GET /progress. ' +
    'A correction is a new statement that names the one it corrects.',
})
export class ProgressStatementType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => Int, { description: '1, 2, 3… per incident (第1報, 第2報…)' }) number!: number;
  @Field(() => ID, { nullable: true, description: 'The statement this one corrects' }) correctsId!: string | null;
  @Field(() => Int, { nullable: true, description: 'Its number' }) correctsNumber!: number | null;
  @Field(() => String, { nullable: true, description: 'What this correction corrects (Japanese)' }) correctionNoteJa!: string | null;
  @Field(() => String, { nullable: true, description: 'What this correction corrects (English)' }) correctionNoteEn!: string | null;
  @Field(() => ID, { nullable: true, description: 'The statement that corrects this one, if any' }) correctedById!: string | null;
  @Field(() => Int, { nullable: true, description: 'Its number' }) correctedByNumber!: number | null;
  @Field() titleJa!: string;
  @Field() titleEn!: string;
  @Field() bodyJa!: string;
  @Field() bodyEn!: string;
  @Field(() => [ProgressStatementCountermeasureType]) countermeasures!: ProgressStatementCountermeasureType[];
  @Field(() => DateTimeScalar) publishedAt!: Date;
  @Field({ description: 'Who published it (e-mail, or system:<what>): internal, never on the public page' }) publishedBy!: string;

  static from(p: PublishedStatement): ProgressStatementType {
    const s = p.statement;
    return Object.assign(new ProgressStatementType(), {
      id: s.id,
      incidentId: s.incidentId,
      number: s.number,
      correctsId: s.correctsId,
      correctsNumber: p.correctsNumber,
      correctionNoteJa: s.correctionNoteJa,
      correctionNoteEn: s.correctionNoteEn,
      correctedById: p.correctedBy?.id ?? null,
      correctedByNumber: p.correctedBy?.number ?? null,
      titleJa: s.titleJa,
      titleEn: s.titleEn,
      bodyJa: s.bodyJa,
      bodyEn: s.bodyEn,
      countermeasures: s.countermeasures.map((c) => ProgressStatementCountermeasureType.from(c)),
      publishedAt: s.publishedAt,
      publishedBy: s.publishedByLabel,
    });
  }
}

@ObjectType()
export class ProgressStatementConnection extends ConnectionType(ProgressStatementType, 'ProgressStatement') {}
