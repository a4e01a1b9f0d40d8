import { randomUUID } from 'node:crypto';
import { Actor } from '@app/common';
import { CountermeasuresService, type CreateCountermeasureCommand } from '@app/countermeasures';
import { IncidentEntity, TaskForceMemberEntity } from '@app/incidents';
import type { Role } from '@app/identity';
import { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { TestApp } from './test-app';

/** Factories for the remediation plan: an incident with a task force, and countermeasures. */
export async function makeIncident(t: TestApp, title = 'テスト事案') {
  const ds = t.app.get<DataSource>(getDataSourceToken());
  const incident = await ds.getRepository(IncidentEntity).save({ title, summary: '概要' });
  const chief = await t.createUser(['EXECUTIVE'], { displayName: '社長 太郎' });
  await ds
    .getRepository(TaskForceMemberEntity)
    .insert({ incidentId: incident.id, userId: chief.user.id, roleTitle: '最高責任者', isChief: true, joinedOn: '2026-07-10' });
  const addMember = async (roles: Role[] = ['TASK_FORCE'], roleTitle = '担当') => {
    const m = await t.createUser(roles);
    await ds.getRepository(TaskForceMemberEntity).insert({ incidentId: incident.id, userId: m.user.id, roleTitle, joinedOn: '2026-07-10' });
    return m;
  };
  return { incident, chief, addMember, ds };
}

export function makeCountermeasure(t: TestApp, incidentId: string, ownerId: string, over: Partial<CreateCountermeasureCommand> = {}) {
  return t.app.get(CountermeasuresService).create(Actor.system('test-factory'), {
    incidentId,
    title: `対策 ${randomUUID().slice(0, 6)}`,
    category: 'ACCESS_RESTRICTION',
    ownerId,
    priority: 'HIGH',
    dueDate: '2027-03-31',
    requirements: [{ title: 'アクセス権限の棚卸し結果' }],
    ...over,
  });
}

/** What evidence is uploaded for: an incident, a task-force member owning a countermeasure, and its one requirement. */
export async function makeOwnedRequirement(t: TestApp) {
  const ctx = await makeIncident(t);
  const owner = await ctx.addMember();
  const countermeasure = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
  const requirementId = (
    await t.sql<{ id: string }>(`SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1`, [countermeasure.id])
  )[0]!.id;
  return { ctx, owner, countermeasure, requirementId };
}
