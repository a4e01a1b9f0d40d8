import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import {
  CountermeasureContributorEntity,
  CountermeasureDependencyEntity,
  CountermeasurePartyEntity,
  CountermeasureEntity,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasureStatusCountEntity, CountermeasureStatusDayEntity } from './countermeasure-kept-state.entities';
import { CountermeasureTargetEntity } from './countermeasure-target.entity';
import { CountermeasuresService } from './countermeasures.service';
import { CountermeasureTargetsService } from './countermeasure-targets.service';
import { CountermeasureLinksService } from './countermeasure-links.service';
import { KeptStateService } from './kept-state.service';
import { CountermeasureProgressReads } from './countermeasure-progress-reads';
import { CountermeasurePortsModule } from './countermeasure-ports.module';

@Module({
  imports: [
    IncidentsModule,
    CountermeasurePortsModule,
    TypeOrmModule.forFeature([
      CountermeasureEntity,
      CountermeasureContributorEntity,
      CountermeasurePartyEntity,
      RequirementEntity,
      TransitionEntity,
      DueDateChangeEntity,
      CountermeasureDependencyEntity,
      CountermeasureTargetEntity,
      CountermeasureStatusCountEntity,
      CountermeasureStatusDayEntity,
    ]),
  ],
  providers: [
    CountermeasuresService,
    CountermeasureTargetsService,
    CountermeasureLinksService,
    KeptStateService,
    CountermeasureProgressReads,
  ],
  exports: [
    CountermeasuresService,
    CountermeasureTargetsService,
    CountermeasureLinksService,
    KeptStateService,
    CountermeasureProgressReads,
    IncidentsModule,
  ],
})
export class CountermeasuresModule {}
