import { describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { assertMayPrepareDuties, assertMayReadDuties, standingMatters } from './duty-access';

const user = (roles: string[]) => ({ id: '00000000-0000-4000-8000-000000000001', label: 'u@example.test', roles });
const none = { chief: false, legalLead: false };
const refused = (fn: () => void) => {
  try {
    fn();
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'NOT_PERMITTED';
  }
};

describe('who prepares and who reads the PPC reports', () => {
  it('executives prepare any incident’s; the chief and the legal lead their own; nobody else', () => {
    expect(refused(() => assertMayPrepareDuties(user(['EXECUTIVE']), none, 'x'))).toBe(false);
    expect(refused(() => assertMayPrepareDuties(user(['TASK_FORCE']), { chief: true, legalLead: false }, 'x'))).toBe(false);
    expect(refused(() => assertMayPrepareDuties(user(['TASK_FORCE']), { chief: false, legalLead: true }, 'x'))).toBe(false);
    expect(refused(() => assertMayPrepareDuties(user(['TASK_FORCE']), none, 'x'))).toBe(true);
    expect(refused(() => assertMayPrepareDuties(user(['AUDITOR']), none, 'x'))).toBe(true);
    expect(refused(() => assertMayPrepareDuties(user(['ADMIN']), none, 'x'))).toBe(true);
    expect(refused(() => assertMayPrepareDuties(Actor.system('demo'), none, 'x'))).toBe(false);
  });

  it('auditors and executives read every record; the chief and the legal lead theirs; admins and other members none', () => {
    expect(refused(() => assertMayReadDuties(user(['AUDITOR']), none))).toBe(false);
    expect(refused(() => assertMayReadDuties(user(['EXECUTIVE']), none))).toBe(false);
    expect(refused(() => assertMayReadDuties(user(['TASK_FORCE']), { chief: false, legalLead: true }))).toBe(false);
    expect(refused(() => assertMayReadDuties(user(['TASK_FORCE']), none))).toBe(true);
    expect(refused(() => assertMayReadDuties(user(['ADMIN']), none))).toBe(true);
  });

  it('the task force is looked up only for those whose role does not decide', () => {
    expect(standingMatters(user(['TASK_FORCE']))).toBe(true);
    expect(standingMatters(user(['ADMIN']))).toBe(true);
    expect(standingMatters(user(['EXECUTIVE']))).toBe(false);
    expect(standingMatters(user(['AUDITOR']))).toBe(false);
  });
});
