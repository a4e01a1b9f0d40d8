import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasuresService } from './countermeasures.service';

@Module({
  imports: [
    IncidentsModule,
    TypeOrmModule.forFeature([CountermeasureEntity, CountermeasureContributorEntity, RequirementEntity, TransitionEntity, DueDateChangeEntity]),
  ],
  providers: [CountermeasuresService],
  exports: [CountermeasuresService, IncidentsModule],
})
export class CountermeasuresModule {}
