import { describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import {
  assertMayCreateIncident,
  assertMayDesignateChief,
  assertMayEditIncident,
  assertMayManageTaskForce,
  assertMayRecordEvent,
  type IncidentParties,
} from './incident-access';
import { IncidentError, IncidentErrorCode } from './incident.errors';

const user = (id: string, ...roles: string[]): Actor => ({ id, label: `${id}@example.jp`, roles });
const ADMIN = user('admin', 'ADMIN');
const EXEC = user('exec', 'EXECUTIVE');
const CHIEF = user('chief', 'EXECUTIVE');
const CHIEF_TF = user('chief-tf', 'TASK_FORCE'); // a chief who is not an executive
const MEMBER = user('member', 'TASK_FORCE');
const OUTSIDER = user('outsider', 'TASK_FORCE');
const AUDITOR = user('auditor', 'AUDITOR');
const SYSTEM = Actor.system('demo');

/** The incident as seen by `actor`: its chief, and whether the actor is a current member. */
function parties(actor: Actor, chiefId: string | null = CHIEF.id): IncidentParties {
  return { chiefId, actorIsMember: actor === MEMBER || actor.id === chiefId };
}

function outcome(fn: () => void): 'ok' | string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(IncidentError);
    return (err as IncidentError).code;
  }
}

describe('who may change an incident (record-level rules)', () => {
  const NP = IncidentErrorCode.NOT_PERMITTED;
  const cases: [string, Actor, { create: string; edit: string; event: string; members: string; chief: string }][] = [
    ['an admin', ADMIN, { create: 'ok', edit: 'ok', event: 'ok', members: 'ok', chief: 'ok' }],
    ['an executive who is not the chief', EXEC, { create: 'ok', edit: 'ok', event: 'ok', members: NP, chief: 'ok' }],
    ["the incident's chief", CHIEF, { create: 'ok', edit: 'ok', event: 'ok', members: 'ok', chief: 'ok' }],
    ['a current member', MEMBER, { create: NP, edit: NP, event: 'ok', members: NP, chief: NP }],
    ['a task-force user who is not on this task force', OUTSIDER, { create: NP, edit: NP, event: NP, members: NP, chief: NP }],
    ['an auditor', AUDITOR, { create: NP, edit: NP, event: NP, members: NP, chief: NP }],
    ['the system (demo loader, CLI)', SYSTEM, { create: 'ok', edit: 'ok', event: 'ok', members: 'ok', chief: 'ok' }],
  ];
  for (const [who, actor, expected] of cases) {
    it(`${who}: create ${expected.create}, edit ${expected.edit}, timeline ${expected.event}, members ${expected.members}, chief ${expected.chief}`, () => {
      expect({
        create: outcome(() => assertMayCreateIncident(actor)),
        edit: outcome(() => assertMayEditIncident(actor, parties(actor), 'edit the incident')),
        event: outcome(() => assertMayRecordEvent(actor, parties(actor))),
        members: outcome(() => assertMayManageTaskForce(actor, parties(actor), 'add a task-force member')),
        chief: outcome(() => assertMayDesignateChief(actor)),
      }).toEqual(expected);
    });
  }

  it('a chief who holds only TASK_FORCE still edits the incident and runs its membership, but does not designate chiefs or create incidents', () => {
    const p = parties(CHIEF_TF, CHIEF_TF.id);
    expect(outcome(() => assertMayEditIncident(CHIEF_TF, p, 'edit'))).toBe('ok');
    expect(outcome(() => assertMayManageTaskForce(CHIEF_TF, p, 'add'))).toBe('ok');
    expect(outcome(() => assertMayDesignateChief(CHIEF_TF))).toBe(NP);
    expect(outcome(() => assertMayCreateIncident(CHIEF_TF))).toBe(NP);
  });

  it('an incident without a chief: no member is taken for its chief; members still record the timeline', () => {
    expect(outcome(() => assertMayManageTaskForce(MEMBER, { chiefId: null, actorIsMember: true }, 'add'))).toBe(NP);
    expect(outcome(() => assertMayEditIncident(MEMBER, { chiefId: null, actorIsMember: true }, 'edit'))).toBe(NP);
    expect(outcome(() => assertMayRecordEvent(MEMBER, { chiefId: null, actorIsMember: true }))).toBe('ok');
  });

  it('the chief of another incident is not the chief here', () => {
    expect(outcome(() => assertMayManageTaskForce(CHIEF_TF, parties(CHIEF_TF, 'someone-else'), 'add'))).toBe(NP);
  });

  it('a refusal says what was refused and who may do it, and names the actor', () => {
    try {
      assertMayManageTaskForce(MEMBER, parties(MEMBER), 'remove a task-force member');
      expect.unreachable();
    } catch (err) {
      const e = err as IncidentError;
      expect(e.message).toBe('You may not remove a task-force member: only the task-force chief or an admin may');
      expect(e.details).toEqual({ actor: 'member@example.jp', what: 'remove a task-force member' });
    }
  });
});
