import { randomUUID } from 'node:crypto';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { GraphQLObjectType } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { EvidenceService } from '@app/evidence';
import { PromotionGateService } from '@app/promotion-gate';
import { Loader } from '../../apps/api/src/common/loader-helpers';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { TestApp, type GqlResponse } from '../support/test-app';

/**
 * The countermeasures page looks ahead (issue 14, apps/api/src/common/look-ahead.ts):
 * before the list resolver returns, it loads what the operation will ask of
 * its items, however the operation spells it (fragments, inline fragments,
 * aliases with other arguments, @skip/@include). Whatever the spelling, the
 * answer is the one the plain query (and the per-item query) gives, every
 * nested field is answered from what was loaded ahead (no loader is left to
 * ask the database afterwards), and the page costs a fixed number of statements.
 */
const USER = 'id displayName displayNameKana roles active deactivatedAt';
const EVIDENCE = `id name kind status versionNo sizeBytes effectiveOn uploadedAt supersedesId supersededById withdrawnAt
  withdrawalReason reviewDecision reviewedAt downloadPath uploadedBy { ${USER} } reviews { id decision comment reviewerLabel at }
  countermeasure { id key }`;
const ITEM = `id key title status dueDate overdue nextStatuses
  owner { ${USER} }
  contributors { ${USER} }
  requirements { id position title recurrenceDays liveEvidenceCount acceptedEvidenceCount evidence { ${EVIDENCE} } }
  history { fromStatus toStatus cause reason actorLabel at }
  dueDateChanges { oldDueDate newDueDate reason actorLabel at }
  signOff { digest }
  signOffs { id revokedAt }`;

const PLAIN = `query($first: Int) { countermeasures(first: $first) { totalCount nodes { ${ITEM} } } }`;
const ONE = `query($id: ID!) { countermeasure(id: $id) { ${ITEM} } }`;

/** The same selection, spelled through named fragments (nested ones too) and inline fragments, under `edges { node }` or `nodes`. */
/** The fragments both fragment queries use: named, nested and inline (with and without a type condition). */
const ITEM_FRAGMENTS = `fragment Person on User { id displayName displayNameKana roles active deactivatedAt }
fragment Proof on Evidence {
  id name kind status versionNo sizeBytes effectiveOn uploadedAt supersedesId supersededById withdrawnAt
  withdrawalReason reviewDecision reviewedAt downloadPath
  ... on Evidence { uploadedBy { ...Person } reviews { id decision comment reviewerLabel at } }
  countermeasure { id key }
}
fragment Item on Countermeasure {
  id key title status dueDate overdue nextStatuses
  owner { ...Person }
  ... { contributors { ...Person } }
  requirements { id position title recurrenceDays liveEvidenceCount acceptedEvidenceCount ... on EvidenceRequirement { evidence { ...Proof } } }
  ... on Countermeasure { history { fromStatus toStatus cause reason actorLabel at } dueDateChanges { oldDueDate newDueDate reason actorLabel at } }
  signOff { digest }
  signOffs { id revokedAt }
}`;

const FRAGMENTS = `query($first: Int) {
  countermeasures(first: $first) { totalCount edges { node { ...Item } } }
}
${ITEM_FRAGMENTS}`;

const FRAGMENTS_NODES = `query($first: Int) {
  countermeasures(first: $first) { totalCount nodes { id ... on Countermeasure { ...Item } } }
}
${ITEM_FRAGMENTS}`;

const ALIASES = `query($first: Int) {
  countermeasures(first: $first) { nodes { id key requirements { id
    live: evidence { ${EVIDENCE} }
    all: evidence(includeHistory: true) { ${EVIDENCE} }
  } } }
}`;
const HISTORY_ONE = `query($id: ID!) { countermeasure(id: $id) { id key requirements { id evidence(includeHistory: true) { ${EVIDENCE} } } } }`;

const DIRECTIVES = `query($first: Int, $withRequirements: Boolean!, $skipPeople: Boolean!) {
  countermeasures(first: $first) { totalCount nodes {
    id key title status dueDate overdue nextStatuses
    owner @skip(if: $skipPeople) { ${USER} }
    contributors @skip(if: $skipPeople) { ${USER} }
    requirements @include(if: $withRequirements) {
      id position title recurrenceDays liveEvidenceCount acceptedEvidenceCount evidence { ${EVIDENCE} }
    }
    ... @include(if: $withRequirements) { history { fromStatus toStatus cause reason actorLabel at } }
    dueDateChanges { oldDueDate newDueDate reason actorLabel at }
    signOff { digest }
    signOffs { id revokedAt }
  } }
}`;

interface Item {
  id: string;
  requirements?: { id: string; evidence: { id: string; status: string }[]; live?: { id: string }[]; all?: { id: string }[] }[];
  [k: string]: unknown;
}
interface Page {
  countermeasures: { totalCount: number; nodes: Item[]; edges?: { node: Item }[] };
}

describe('the countermeasures page loads ahead whatever the spelling of the operation', () => {
  let t: TestApp;
  let token: string;
  let executiveToken: string;
  let gateKey: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const ctx = await makeIncident(t, '顧客情報流出事案');
    const members = [await ctx.addMember(), await ctx.addMember(['TASK_FORCE', 'EXECUTIVE']), await ctx.addMember()];
    const auditor = Actor.user((await t.createUser(['AUDITOR'], { displayName: '外部監査 一郎' })).user);
    const evidence = t.app.get(EvidenceService);
    const cms = t.app.get(CountermeasuresService);
    for (let i = 0; i < 20; i++) {
      const owner = members[i % 3]!.user;
      let cm = await makeCountermeasure(t, ctx.incident.id, owner.id, {
        title: `アクセス制御の強化 ${i}`,
        contributorIds: i % 4 === 0 ? [] : [members[(i + 1) % 3]!.user.id, members[(i + 2) % 3]!.user.id],
        requirements: [{ title: `設定変更の記録 ${i}` }, { title: `定期点検 ${i}`, recurrenceDays: 30 }],
      });
      if (i % 2 === 0) cm = await cms.transition(Actor.user(owner), cm.id, cm.version, 'IN_PROGRESS', null);
      if (i % 5 === 0) await cms.changeDueDate(Actor.user(ctx.chief.user), cm.id, cm.version, '2027-05-31', `再計画 ${i}`);
      const [a, b] = await cms.requirementsOf([cm.id]);
      const first = await evidence.submitAttestation(Actor.user(owner), {
        requirementId: a!.id,
        title: `設定変更の宣誓 ${i}`,
        statement: '変更を確認しました。',
        effectiveOn: '2026-10-01',
      });
      if (i % 2 === 0) await evidence.review(auditor, first.id, first.sha256, 'REJECTED', '日付がありません');
      if (i % 2 === 0) {
        // A corrected version: the first one is superseded (history only).
        const second = await evidence.submitAttestation(Actor.user(owner), {
          requirementId: a!.id,
          title: `設定変更の宣誓（訂正） ${i}`,
          statement: '二〇二六年十月一日に変更を確認しました。',
          effectiveOn: '2026-10-01',
          supersedesId: first.id,
        });
        await evidence.review(auditor, second.id, second.sha256, 'ACCEPTED', null);
      }
      if (i % 3 === 0) {
        const link = await evidence.submitLink(Actor.user(owner), {
          requirementId: b!.id,
          title: `点検記録 ${i}`,
          url: `https://wiki.example.test/checks/${i}`,
          effectiveOn: '2026-10-05',
        });
        await evidence.withdraw(Actor.user(owner), link.id, link.version, '別案件の記録でした');
      }
    }
    token = await members[0]!.token();
    executiveToken = await members[1]!.token();
    gateKey = (
      await t.app.get(PromotionGateService).create(Actor.system('test'), {
        incidentId: ctx.incident.id,
        key: 'new-customers',
        name: '新規顧客向け販売',
        reason: '再発防止策の完了まで停止',
      })
    ).key;
  }, 180_000);
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
  });

  /**
   * The answer, its statements, and how many loader reads after the page's
   * look-ahead had to wait for the database (a promise instead of a value).
   */
  async function ask<T>(query: string, variables: Record<string, unknown>) {
    const get = vi.spyOn(Loader.prototype, 'get');
    const getMany = vi.spyOn(Loader.prototype, 'getMany');
    const { result, statements, texts } = await countStatements(() => t.gql<T>(query, variables, token));
    const waited = [...get.mock.results, ...getMany.mock.results].filter((r) => r.value instanceof Promise).length;
    const reads = get.mock.calls.length + getMany.mock.calls.length;
    get.mockRestore();
    getMany.mockRestore();
    expect(result.errors).toBeUndefined();
    return { res: result as GqlResponse<T> & { data: T }, statements, texts, waited, reads };
  }

  async function perItem(ids: string[], query = ONE): Promise<Item[]> {
    const out: Item[] = [];
    for (const id of ids) {
      const r = await t.gql<{ countermeasure: Item }>(query, { id }, token);
      expect(r.errors).toBeUndefined();
      out.push(r.data!.countermeasure);
    }
    return out;
  }

  it('(a) plainly: the page equals the per-item answers, every nested read answered ahead', async () => {
    const { res, waited, reads } = await ask<Page>(PLAIN, { first: 20 });
    const nodes = res.data.countermeasures.nodes;
    expect(nodes).toHaveLength(20);
    expect(nodes.map((n) => n.title)).toContain('アクセス制御の強化 0');
    expect(nodes).toEqual(await perItem(nodes.map((n) => n.id)));
    expect(reads).toBeGreaterThan(100);
    expect(waited).toBe(0);
  });

  it('(b) through named, nested and inline fragments, and through edges { node }: the same answer, answered ahead', async () => {
    const plain = (await ask<Page>(PLAIN, { first: 20 })).res.data.countermeasures;
    // The statements themselves are compared, in any order: a failure shows which one differs.
    const plainStatements = (await ask<Page>(PLAIN, { first: 20 })).texts.sort();
    const edges = await ask<Page>(FRAGMENTS, { first: 20 });
    expect(edges.res.data.countermeasures.totalCount).toBe(plain.totalCount);
    expect(edges.res.data.countermeasures.edges!.map((e) => e.node)).toEqual(plain.nodes);
    expect(edges.waited).toBe(0);
    expect(edges.texts.sort()).toEqual(plainStatements);
    const nodes = await ask<Page>(FRAGMENTS_NODES, { first: 20 });
    expect(nodes.res.data.countermeasures.nodes).toEqual(plain.nodes);
    expect(nodes.waited).toBe(0);
    expect(nodes.texts.sort()).toEqual(plainStatements);
  });

  it('(c) aliases with other arguments: `live` and `all` evidence differ and each is what the plain field gives', async () => {
    const { res, waited } = await ask<Page>(ALIASES, { first: 20 });
    const nodes = res.data.countermeasures.nodes;
    const plain = (await ask<Page>(PLAIN, { first: 20 })).res.data.countermeasures.nodes;
    const history = await perItem(
      nodes.map((n) => n.id),
      HISTORY_ONE,
    );
    let differ = 0;
    nodes.forEach((n, i) => {
      n.requirements!.forEach((r, j) => {
        expect(r.live).toEqual(plain[i]!.requirements![j]!.evidence);
        expect(r.all).toEqual(history[i]!.requirements![j]!.evidence);
        if (r.all!.length !== r.live!.length) differ++;
      });
    });
    // Superseded versions on every other item, withdrawn links on every third.
    expect(differ).toBeGreaterThanOrEqual(15);
    expect(waited).toBe(0);
  });

  it('(d) @include / @skip: included relations answer as plainly asked; excluded ones are neither answered nor loaded', async () => {
    const plain = (await ask<Page>(PLAIN, { first: 20 })).res.data.countermeasures.nodes;
    const all = await ask<Page>(DIRECTIVES, { first: 20, withRequirements: true, skipPeople: false });
    expect(all.res.data.countermeasures.nodes).toEqual(plain);
    expect(all.waited).toBe(0);

    const none = await ask<Page>(DIRECTIVES, { first: 20, withRequirements: false, skipPeople: true });
    const nodes = none.res.data.countermeasures.nodes;
    nodes.forEach((n, i) => {
      const { owner, contributors, requirements, history, ...rest } = plain[i]!;
      expect([owner, contributors, requirements, history].every((v) => v !== undefined)).toBe(true);
      expect(n).toEqual(rest);
    });
    expect(none.waited).toBe(0);
    // Nothing was loaded for the fields left out: no requirements, evidence, reviews, transitions or contributors read.
    const read = none.texts.join('\n');
    for (const table of [
      'countermeasure_requirements',
      'evidence',
      'evidence_reviews',
      'countermeasure_transitions',
      'countermeasure_contributors',
    ]) {
      expect(read).not.toMatch(new RegExp(`FROM "?${table}"? `));
    }
    expect(none.statements).toBeLessThan(all.statements);

    // A variable left to its default in the operation: the look-ahead reads it as execution does.
    const defaulted = DIRECTIVES.replace('$withRequirements: Boolean!', '$withRequirements: Boolean = true');
    const byDefault = await ask<Page>(defaulted, { first: 20, skipPeople: false });
    expect(byDefault.res.data.countermeasures.nodes).toEqual(plain);
    expect(byDefault.waited).toBe(0);
  });

  it('the page’s nested fields are called as written, without Nest’s per-call context (its fast path), the argument-taking one too', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const resolverOf = (type: string, field: string) => (schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve!;
    const hot: [string, string][] = [
      ['Countermeasure', 'owner'],
      ['Countermeasure', 'contributors'],
      ['Countermeasure', 'requirements'],
      ['Countermeasure', 'history'],
      ['Countermeasure', 'signOff'],
      ['EvidenceRequirement', 'evidence'],
      ['Evidence', 'reviews'],
      ['Evidence', 'uploadedBy'],
      ['Evidence', 'downloadPath'],
    ];
    // Nest binds such a resolver method as it is (Function.prototype.bind names it "bound <method>", the schema binds it again);
    // through its per-call context it would be an anonymous wrapper.
    for (const [type, field] of hot) expect(resolverOf(type, field).name, `${type}.${field}`).toMatch(new RegExp(`^(bound )+${field}$`));
    // The argument is still the schema's, with its default.
    const evidenceField = (schema.getType('EvidenceRequirement') as GraphQLObjectType).getFields().evidence!;
    const arg = evidenceField.args.find((a) => a.name === 'includeHistory');
    expect([String(arg?.type), arg?.defaultValue]).toEqual(['Boolean!', false]);
    // The page's plain properties have no resolver at all: graphql-jit reads them in place (properties-in-place.ts).
    const plain: [string, string][] = [
      ['Countermeasure', 'key'],
      ['Countermeasure', 'title'],
      ['Countermeasure', 'dueDate'],
      ['EvidenceRequirement', 'title'],
      ['Evidence', 'name'],
      ['Evidence', 'status'],
      ['EvidenceReview', 'decision'],
      ['EvidenceReview', 'at'],
    ];
    for (const [type, field] of plain) {
      expect((schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve, `${type}.${field}`).toBeUndefined();
    }
  });

  it('(f) reads only the columns the operation can ask of requirements, evidence and reviews; the answer is the full rows’ answer', async () => {
    const NARROW = 'id title evidence { id name status reviews { decision at } }';
    const narrow = await ask<{ countermeasures: { nodes: { id: string; requirements: unknown[] }[] } }>(
      `query($first: Int) { countermeasures(first: $first) { nodes { id requirements { ${NARROW} } } } }`,
      { first: 10 },
    );
    const sql = (table: string) => narrow.texts.find((q) => q.includes(`FROM "${table}" t`)) ?? '';
    // Each read names its columns; the ones no field of the operation reads are not read.
    expect(sql('countermeasure_requirements')).toContain('"title"');
    expect(sql('countermeasure_requirements')).not.toContain('"description"');
    expect(sql('evidence')).toContain('"name"');
    for (const unread of ['"description"', '"sha256"', '"statement"', '"uploaded_by_label"']) expect(sql('evidence')).not.toContain(unread);
    expect(sql('evidence_reviews')).toContain('"decision"');
    expect(sql('evidence_reviews')).not.toContain('"comment"');
    // The same selection of one item at a time (no look-ahead: every column) gives the same answer.
    const nodes = narrow.res.data.countermeasures.nodes;
    const one = `query($id: ID!) { countermeasure(id: $id) { id requirements { ${NARROW} } } }`;
    expect(nodes.some((n) => n.requirements.length > 0)).toBe(true);
    expect(nodes).toEqual(
      await perItem(
        nodes.map((n) => n.id),
        one,
      ),
    );

    // A field of another path that reads the same type widens the read: every field asked anywhere is read.
    const wider = await ask<{ countermeasures: { nodes: unknown[] } }>(
      `query($first: Int) { countermeasures(first: $first) { nodes { requirements { id evidence { id } } } }
         other: countermeasures(first: 1) { nodes { requirements { evidence { sha256 } } } } }`,
      { first: 3 },
    );
    expect(wider.texts.find((q) => q.includes('FROM "evidence" t WHERE t.requirement_id')) ?? '').toContain('"sha256"');
  });

  it('a page of 20 with every nested relation costs the statements of a page of 5 (no N+1)', async () => {
    const small = await ask<Page>(PLAIN, { first: 5 });
    const large = await ask<Page>(PLAIN, { first: 20 });
    expect(small.res.data.countermeasures.nodes).toHaveLength(5);
    expect(large.res.data.countermeasures.nodes).toHaveLength(20);
    expect(large.statements, `20: ${large.texts.join('\n')}\n5: ${small.texts.join('\n')}`).toBe(small.statements);
    // Measured at 12: the caller's session with its user (one statement), the count, the page, requirements, their evidence, the evidence's
    // countermeasures (by id), users (owners, contributors and uploaders in one batch), contributors,
    // transitions, due-date changes, sign-offs, reviews.
    expect(large.statements).toBeLessThanOrEqual(12);
    const tables = large.texts.map((s) => /FROM ("?\w+"?)/.exec(s)?.[1]?.replace(/"/g, ''));
    // The caller (read with its session, FROM auth_sessions), then one batch for everyone on the page.
    expect(tables.filter((x) => x === 'auth_sessions')).toHaveLength(1);
    expect(tables.filter((x) => x === 'users')).toHaveLength(1);
  });

  it('(e) an operation with an error is answered by graphql-js: the same page as graphql-jit gives, with the error and partial data', async () => {
    // Asked twice: graphql-jit compiles an operation the second time the server sees it (jit-execution.ts).
    await ask<Page>(PLAIN, { first: 20 });
    const jit = (await ask<Page>(PLAIN, { first: 20 })).res.data.countermeasures;
    // The same page beside a field the caller may not read (webhookDeliveries is for admins): the whole operation goes to graphql-js.
    const withForbidden = `query($first: Int) { countermeasures(first: $first) { totalCount nodes { ${ITEM} } } gates { key webhookDeliveries { id } } }`;
    const res = await t.gql<Page & { gates: unknown[] }>(withForbidden, { first: 20 }, executiveToken);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    expect(res.errors![0]!.path).toEqual(['gates', 0, 'webhookDeliveries']);
    expect(res.data!.gates).toEqual([{ key: gateKey, webhookDeliveries: null }]);
    expect(res.data!.countermeasures).toEqual(jit);

    // Both paths send the same kind of HTTP answer (the headers the other plugins add included).
    const post = (query: string) =>
      fetch(`${t.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${executiveToken}` },
        body: JSON.stringify({ query, variables: { first: 1 } }),
      });
    const [byJit, byGraphqlJs] = [await post(PLAIN), await post(withForbidden)];
    for (const r of [byJit, byGraphqlJs]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      // No ETag: the answer is never cached, and hashing a large page cost CPU on every request.
      expect(r.headers.get('etag')).toBeNull();
    }
    expect(byJit.headers.get('content-type')).toBe(byGraphqlJs.headers.get('content-type'));

    // NOT_FOUND for one countermeasure: the error, and no data (the field is not nullable).
    const missing = randomUUID();
    const notFound = await t.gql(ONE, { id: missing }, token);
    expect(notFound.data).toBeNull();
    expect(notFound.errors).toHaveLength(1);
    expect(notFound.errors![0]).toMatchObject({ path: ['countermeasure'], extensions: { code: 'NOT_FOUND' } });
  });
});
