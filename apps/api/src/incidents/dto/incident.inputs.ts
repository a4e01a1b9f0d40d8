import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { INCIDENT_LIMITS as L } from '@app/incidents';
import { IncidentEventKind, PartyKind } from '../incident.types';

const DAY = 'A calendar day, YYYY-MM-DD';
/** Lengths are checked again in the service, in characters; here they only stop absurd payloads early. */
const DATE_MAX = 10;

@InputType({ description: 'The chief seated when the incident is created' })
export class IncidentChiefInput {
  @Field(() => ID, { description: 'An active user holding EXECUTIVE or TASK_FORCE' }) @IsUUID() userId!: string;
  @Field(() => String, { nullable: true, description: 'Defaults to 最高責任者' })
  @IsOptional()
  @IsString()
  @MaxLength(L.roleTitle)
  roleTitle?: string | null;
  @Field(() => String, { nullable: true, description: `${DAY}; defaults to today (Asia/Tokyo)` })
  @IsOptional()
  @IsString()
  @MaxLength(DATE_MAX)
  joinedOn?: string | null;
}

@InputType()
export class CreateIncidentInput {
  @Field() @IsString() @MaxLength(L.title) title!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(L.summary) summary?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(DATE_MAX) detectedOn?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(DATE_MAX) policeReportedOn?:
    string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(DATE_MAX) regulatorReportedOn?:
    string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(DATE_MAX) disclosedOn?: string | null;
  @Field(() => IncidentChiefInput, { nullable: true, description: 'Seat the chief now (otherwise an admin adds the first members)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => IncidentChiefInput)
  chief?: IncidentChiefInput | null;
}

const CLEARS = `${DAY}. Omit to keep; null clears it`;

@InputType({ description: 'Omitted fields are kept' })
export class UpdateIncidentInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(L.title) title?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(L.summary) summary?: string | null;
  @Field(() => String, { nullable: true, description: CLEARS }) @IsOptional() @IsString() @MaxLength(DATE_MAX) detectedOn?: string | null;
  @Field(() => String, { nullable: true, description: CLEARS }) @IsOptional() @IsString() @MaxLength(DATE_MAX) policeReportedOn?:
    string | null;
  @Field(() => String, { nullable: true, description: CLEARS }) @IsOptional() @IsString() @MaxLength(DATE_MAX) regulatorReportedOn?:
    string | null;
  @Field(() => String, { nullable: true, description: CLEARS }) @IsOptional() @IsString() @MaxLength(DATE_MAX) disclosedOn?: string | null;
}

@InputType()
export class AddIncidentEventInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field({ description: DAY }) @IsString() @MaxLength(DATE_MAX) occurredOn!: string;
  @Field(() => IncidentEventKind) @IsEnum(IncidentEventKind) kind!: string;
  @Field() @IsString() @MaxLength(L.eventDescription) description!: string;
}

@InputType()
export class AddIncidentSystemInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field() @IsString() @MaxLength(L.systemName) name!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(L.systemDescription) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'The system the data left from (default false)' })
  @IsOptional()
  @IsBoolean()
  leakSource?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Holds customer data (default true)' })
  @IsOptional()
  @IsBoolean()
  holdsCustomerData?: boolean | null;
}

@InputType()
export class AddIncidentDataCategoryInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field() @IsString() @MaxLength(L.dataCategoryName) name!: string;
  @Field({ description: 'true: leaked; false: confirmed not leaked' }) @IsBoolean() leaked!: boolean;
}

@InputType()
export class AddIncidentPartyInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => PartyKind) @IsEnum(PartyKind) kind!: string;
  @Field() @IsString() @MaxLength(L.partyName) name!: string;
  @Field(() => String, { nullable: true, description: 'Their part in the case' }) @IsOptional() @IsString() @MaxLength(L.partyRole) role?:
    string | null;
}

@InputType()
export class AddTaskForceMemberInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => ID, { description: 'An active user holding TASK_FORCE or EXECUTIVE' }) @IsUUID() userId!: string;
  @Field({ description: 'What they do in the task force, e.g. 情報セキュリティ担当' })
  @IsString()
  @MaxLength(L.roleTitle)
  roleTitle!: string;
  @Field(() => String, { nullable: true, description: `${DAY}; defaults to today (Asia/Tokyo); not in the future` })
  @IsOptional()
  @IsString()
  @MaxLength(DATE_MAX)
  joinedOn?: string | null;
}

@InputType()
export class ChangeTaskForceRoleInput {
  @Field(() => ID, { description: 'The membership (TaskForceMember.id)' }) @IsUUID() memberId!: string;
  @Field(() => Int, { description: "The incident's version" }) @IsInt() @Min(1) expectedVersion!: number;
  @Field() @IsString() @MaxLength(L.roleTitle) roleTitle!: string;
}

@InputType()
export class RemoveTaskForceMemberInput {
  @Field(() => ID, { description: 'The membership (TaskForceMember.id)' }) @IsUUID() memberId!: string;
  @Field(() => String, { nullable: true, description: `${DAY}; defaults to today (Asia/Tokyo); not in the future` })
  @IsOptional()
  @IsString()
  @MaxLength(DATE_MAX)
  leftOn?: string | null;
}

@InputType()
export class DesignateTaskForceChiefInput {
  @Field(() => ID, { description: 'The membership (TaskForceMember.id) of the new chief' }) @IsUUID() memberId!: string;
  @Field(() => Int, { description: "The incident's version" }) @IsInt() @Min(1) expectedVersion!: number;
}

@InputType()
export class SetTaskForceLegalLeadInput {
  @Field(() => ID, { description: 'The membership (TaskForceMember.id)' }) @IsUUID() memberId!: string;
  @Field({ description: 'true grants the legal lead standing (the PPC reports of this incident), false withdraws it' })
  @IsBoolean()
  legalLead!: boolean;
  @Field(() => Int, { description: "The incident's version" }) @IsInt() @Min(1) expectedVersion!: number;
}

// ---- corrections and removals of timeline and inventory entries ----

const REASON = 'Why (kept in the audit trail)';
const INCIDENT_VERSION = "The incident's version; the change moves it on";
const KEEP = 'Omit (or null) to keep';

@InputType({ isAbstract: true })
abstract class EntryChangeInput {
  @Field(() => ID, { description: 'The incident the entry belongs to' }) @IsUUID() incidentId!: string;
  @Field(() => Int, { description: INCIDENT_VERSION }) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: REASON }) @IsString() @MaxLength(L.reason) reason!: string;
}

@InputType({ description: 'Omitted fields are kept' })
export class UpdateIncidentEventInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() eventId!: string;
  @Field(() => String, { nullable: true, description: `${DAY}. ${KEEP}` }) @IsOptional() @IsString() @MaxLength(DATE_MAX) occurredOn?:
    string | null;
  @Field(() => IncidentEventKind, { nullable: true, description: KEEP }) @IsOptional() @IsEnum(IncidentEventKind) kind?: string | null;
  @Field(() => String, { nullable: true, description: KEEP }) @IsOptional() @IsString() @MaxLength(L.eventDescription) description?:
    string | null;
}

@InputType({ description: 'Omitted fields are kept' })
export class UpdateIncidentSystemInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() systemId!: string;
  @Field(() => String, { nullable: true, description: KEEP }) @IsOptional() @IsString() @MaxLength(L.systemName) name?: string | null;
  @Field(() => String, { nullable: true, description: `${KEEP}; empty clears it` })
  @IsOptional()
  @IsString()
  @MaxLength(L.systemDescription)
  description?: string | null;
  @Field(() => Boolean, { nullable: true, description: `The system the data left from. ${KEEP}` }) @IsOptional() @IsBoolean() leakSource?:
    boolean | null;
  @Field(() => Boolean, { nullable: true, description: `Holds customer data. ${KEEP}` }) @IsOptional() @IsBoolean() holdsCustomerData?:
    boolean | null;
}

@InputType({ description: 'Omitted fields are kept' })
export class UpdateIncidentDataCategoryInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() dataCategoryId!: string;
  @Field(() => String, { nullable: true, description: KEEP }) @IsOptional() @IsString() @MaxLength(L.dataCategoryName) name?: string | null;
  @Field(() => Boolean, { nullable: true, description: `true: leaked; false: confirmed not leaked. ${KEEP}` })
  @IsOptional()
  @IsBoolean()
  leaked?: boolean | null;
}

@InputType({ description: 'Omitted fields are kept' })
export class UpdateIncidentPartyInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() partyId!: string;
  @Field(() => PartyKind, { nullable: true, description: KEEP }) @IsOptional() @IsEnum(PartyKind) kind?: string | null;
  @Field(() => String, { nullable: true, description: KEEP }) @IsOptional() @IsString() @MaxLength(L.partyName) name?: string | null;
  @Field(() => String, { nullable: true, description: `Their part in the case. ${KEEP}; empty clears it` })
  @IsOptional()
  @IsString()
  @MaxLength(L.partyRole)
  role?: string | null;
}

@InputType({ description: 'The event stays as history (removedAt, removedByLabel, removalReason), hidden from the timeline by default' })
export class RemoveIncidentEventInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() eventId!: string;
}

@InputType({ description: 'The system stays as history, hidden from the inventory by default. Refused while countermeasures target it' })
export class RemoveIncidentSystemInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() systemId!: string;
}

@InputType({ description: 'The data category stays as history, hidden from the list by default' })
export class RemoveIncidentDataCategoryInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() dataCategoryId!: string;
}

@InputType({ description: 'The party stays as history, hidden from the list by default' })
export class RemoveIncidentPartyInput extends EntryChangeInput {
  @Field(() => ID) @IsUUID() partyId!: string;
}
