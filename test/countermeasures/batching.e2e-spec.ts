import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { EvidenceService } from '@app/evidence';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

const PAGE = `query($first: Int) {
  countermeasures(first: $first) {
    totalCount
    nodes {
      key title status overdue nextStatuses
      owner { email displayName }
      contributors { email }
      requirements { title recurrenceDays evidence { sha256 reviewDecision uploadedBy { email } reviews { decision reviewerLabel } } }
      signOff { digest }
      history { toStatus actorLabel }
      dueDateChanges { newDueDate }
    }
  }
}`;

/**
 * No N+1: nested owners, contributors, requirements, history, evidence, reviews
 * and sign-offs load in one
 * batch per kind (DataLoader), so the statements a page costs do not grow
 * with the page size.
 */
describe('a page of countermeasures with every nested field', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const ctx = await makeIncident(t);
    const members = [await ctx.addMember(), await ctx.addMember(), await ctx.addMember()];
    const auditor = Actor.user((await t.createUser(['AUDITOR'])).user);
    const evidence = t.app.get(EvidenceService);
    const cms = t.app.get(CountermeasuresService);
    for (let i = 0; i < 50; i++) {
      const owner = members[i % 3]!.user;
      const cm = await makeCountermeasure(t, ctx.incident.id, owner.id, {
        contributorIds: [members[(i + 1) % 3]!.user.id],
        requirements: [{ title: `要件 ${i}-a` }, { title: `要件 ${i}-b`, recurrenceDays: 31 }],
      });
      // Evidence on every item, reviewed on every other one.
      const [req] = await cms.requirementsOf([cm.id]);
      const e = await evidence.submitAttestation(Actor.user(owner), {
        requirementId: req!.id,
        title: `証跡 ${i}`,
        statement: '確認済み',
        effectiveOn: '2026-10-01',
      });
      if (i % 2 === 0) await evidence.review(auditor, e.id, e.sha256, 'ACCEPTED', null);
    }
    token = await members[0]!.token();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  async function statementsFor(first: number): Promise<number> {
    const { result: res, statements } = await countStatements(() =>
      t.gql<{ countermeasures: { nodes: unknown[] } }>(PAGE, { first }, token),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.countermeasures.nodes).toHaveLength(first);
    return statements;
  }

  it('costs the same number of SQL statements for 5 items as for 50', async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small).toBeGreaterThanOrEqual(5); // the spy sees the statements (not a vacuous 0 = 0)
    // Owners, the contributors' users and the uploaders may land in one DataLoader batch of users
    // or up to three, depending on timing; the count never grows with the page (an N+1 would add
    // 45+ statements here).
    expect(Math.abs(large - small)).toBeLessThanOrEqual(2);
    // Authentication (1), count + page (2), owners+contributors' users, contributors, requirements, history,
    // due-date changes, sign-offs, evidence, reviews, uploaders (possibly batched with the owners).
    expect(large).toBeLessThanOrEqual(14);
  });
});
