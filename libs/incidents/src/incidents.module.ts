import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEntity } from '@app/identity';
import {
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  TaskForceMemberEntity,
} from './incident.entities';
import { IncidentChangesService } from './incident-changes.service';
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
      // Read (FOR SHARE) when seating a member: active, and holds TASK_FORCE or EXECUTIVE.
      UserEntity,
    ]),
  ],
  providers: [IncidentsService, IncidentChangesService],
  exports: [IncidentsService, IncidentChangesService],
})
export class IncidentsModule {}
