import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import {
  CountermeasureContributorEntity,
  CountermeasureDependencyEntity,
  CountermeasureEntity,
  CountermeasureTargetEntity,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasuresService } from './countermeasures.service';

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
    ]),
  ],
  providers: [CountermeasuresService],
  exports: [CountermeasuresService, IncidentsModule],
})
export class CountermeasuresModule {}
