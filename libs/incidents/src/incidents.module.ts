import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@app/identity';
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
    // UsersService.lockForShare: a member being seated is active and holds TASK_FORCE or EXECUTIVE.
    IdentityModule,
    TypeOrmModule.forFeature([
      IncidentEntity,
      IncidentEventEntity,
      IncidentSystemEntity,
      IncidentDataCategoryEntity,
      IncidentPartyEntity,
      TaskForceMemberEntity,
    ]),
  ],
  providers: [IncidentsService, IncidentChangesService],
  exports: [IncidentsService, IncidentChangesService],
})
export class IncidentsModule {}
