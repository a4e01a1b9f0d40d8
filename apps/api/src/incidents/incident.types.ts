import { PageArgs } from '../common/page.args';
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { INCIDENT_EVENT_KINDS, PARTY_KINDS, type IncidentEntity } from '@app/incidents';
import { ConnectionType } from '../common/connection.type';
import { UserType } from '../identity/user.type';
import { LocalDateScalar } from '../graphql/local-date.scalar';

export const IncidentEventKind = Object.fromEntries(INCIDENT_EVENT_KINDS.map((k) => [k, k]));
registerEnumType(IncidentEventKind, { name: 'IncidentEventKind' });
export const PartyKind = Object.fromEntries(PARTY_KINDS.map((k) => [k, k]));
registerEnumType(PartyKind, { name: 'PartyKind' });

/** When, by whom and why an entry left the timeline or inventory; all null while it is listed. */
@ObjectType({ isAbstract: true })
abstract class RemovableEntryType {
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was removed (it stays as history); null while listed' })
  removedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Who removed it (e-mail, or system:<what>)' }) removedByLabel!: string | null;
  @Field(() => String, { nullable: true, description: 'Why it was removed' }) removalReason!: string | null;
}

@ObjectType('IncidentEvent', { description: 'A dated step of the timeline' })
export class IncidentEventType extends RemovableEntryType {
  @Field(() => ID) id!: string;
  @Field(() => LocalDateScalar) occurredOn!: string;
  @Field(() => IncidentEventKind) kind!: string;
  @Field() description!: string;
}

@ObjectType('IncidentSystem', { description: 'A system of the inventory (the leaked database, the customer databases)' })
export class IncidentSystemType extends RemovableEntryType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field({ description: 'The system the data left from' }) leakSource!: boolean;
  @Field() holdsCustomerData!: boolean;
}

@ObjectType('IncidentDataCategory', { description: 'A kind of personal data, leaked or confirmed not leaked' })
export class IncidentDataCategoryType extends RemovableEntryType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() leaked!: boolean;
}

@ObjectType('IncidentParty', { description: 'An authority or outside party involved' })
export class IncidentPartyType extends RemovableEntryType {
  @Field(() => ID) id!: string;
  @Field(() => PartyKind) kind!: string;
  @Field() name!: string;
  @Field() role!: string;
}

@ObjectType('TaskForceMember')
export class TaskForceMemberType {
  @Field(() => ID) id!: string;
  userId!: string;
  @Field(() => UserType, { nullable: true }) user?: UserType | null;
  @Field({ description: 'What they do in the task force, e.g. 最高責任者' }) roleTitle!: string;
  @Field({ description: 'The chief (the president)' }) isChief!: boolean;
  @Field({ description: "The incident's legal lead: prepares and submits its PPC reports (setTaskForceLegalLead)" }) legalLead!: boolean;
  @Field(() => LocalDateScalar) joinedOn!: string;
  @Field(() => LocalDateScalar, { nullable: true }) leftOn!: string | null;
}

@ObjectType('Incident', { description: 'A personal-data breach case (個人情報漏えい事案)' })
export class IncidentType {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field() summary!: string;
  @Field(() => LocalDateScalar, { nullable: true }) detectedOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) policeReportedOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) regulatorReportedOn!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) disclosedOn!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;

  static from(i: IncidentEntity): IncidentType {
    return { ...i };
  }
}

@ObjectType()
export class IncidentConnection extends ConnectionType(IncidentType, 'Incident') {}

@ArgsType()
export class IncidentsArgs extends PageArgs {}

@ArgsType()
export class IncidentEntriesArgs {
  @Field(() => Boolean, { defaultValue: false, description: 'Also the entries removed (kept as history, with when, who and why)' })
  @IsOptional()
  @IsBoolean()
  includeRemoved!: boolean;
}

@ArgsType()
export class IncidentArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;
}
