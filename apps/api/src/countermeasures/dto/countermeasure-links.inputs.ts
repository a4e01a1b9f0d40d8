import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';

@InputType()
export class SetCountermeasureParentInput {
  @Field(() => ID, { description: 'The countermeasure that becomes (or stops being) a sub-action' }) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => ID, {
    nullable: true,
    description: 'The action plan it belongs to, in the same incident; null (or absent) makes it top-level',
  })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
}

@InputType()
export class AddCountermeasureDependencyInput {
  @Field(() => ID, { description: 'The countermeasure that waits (its version is the one checked and bumped)' }) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => ID, { description: 'The countermeasure it waits for, in the same incident' }) @IsUUID() dependsOnId!: string;
}

@InputType()
export class RemoveCountermeasureDependencyInput {
  @Field(() => ID, { description: 'The countermeasure that waits (its version is the one checked and bumped)' }) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => ID, { description: 'The countermeasure it no longer waits for' }) @IsUUID() dependsOnId!: string;
}
