import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import {
  CountermeasureContributorEntity,
  CountermeasureDependencyEntity,
  CountermeasureEntity,
  CountermeasureStatusCountEntity,
  CountermeasureStatusDayEntity,
  CountermeasureTargetEntity,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasuresService } from './countermeasures.service';
import { CountermeasureTargetsService } from './countermeasure-targets.service';
import { CountermeasureLinksService } from './countermeasure-links.service';
import { KeptStateService } from './kept-state.service';
import { CountermeasureProgressReads } from './countermeasure-progress-reads';

@Module({
  imports: [
    IncidentsModule,
    TypeOrmModule.forFeature([
      CountermeasureEntity,
      CountermeasureContributorEntity,
      RequirementEntity,
      TransitionEntity,
      DueDateChangeEntity,
      CountermeasureDependencyEntity,
      CountermeasureTargetEntity,
      CountermeasureStatusCountEntity,
      CountermeasureStatusDayEntity,
    ]),
  ],
  providers: [CountermeasuresService, CountermeasureTargetsService, CountermeasureLinksService, KeptStateService, CountermeasureProgressReads],
  exports: [CountermeasuresService, CountermeasureTargetsService, CountermeasureLinksService, KeptStateService, CountermeasureProgressReads, IncidentsModule],
})
export class CountermeasuresModule {}
