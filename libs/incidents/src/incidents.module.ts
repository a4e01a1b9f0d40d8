import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  TaskForceMemberEntity,
} from './incident.entities';
import { IncidentsService } from './incidents.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      IncidentEntity,
      IncidentEventEntity,
      IncidentSystemEntity,
      IncidentDataCategoryEntity,
      IncidentPartyEntity,
      TaskForceMemberEntity,
    ]),
  ],
  providers: [IncidentsService],
  exports: [IncidentsService],
})
export class IncidentsModule {}
