import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestApp, type GqlResponse } from '../support/test-app';

/**
 * Hostile GraphQL requests (issue 11, points 1, 2 and 4): each limit holds for
 * a class of documents, and a refused request costs the server next to nothing.
 */

/** The limits' settings, given explicitly to every app of this file (TestApp keeps process.env between starts). */
const DEFAULTS = {
  GRAPHQL_MAX_BODY_BYTES: '102400',
  GRAPHQL_MAX_TOKENS: '2000',
  GRAPHQL_MAX_COST: '50000',
  GRAPHQL_COST_PER_MINUTE: '1000000',
  GRAPHQL_MAX_RESPONSE_BYTES: '8388608',
};

/** F0 spreads F1 twice, F1 spreads F2 twice ...: written out, 2^levels selections, in under 1 KB at 20 levels. */
function fragmentChain(levels: number): string {
  const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`);
  return `query { me { ...F0 } } ${defs.join(' ')} fragment F${levels} on User { id }`;
}

const costly = (aliases: number) =>
  `{ ${Array.from(
    { length: aliases },
    (_, i) => `a${i}: countermeasures(first: 100) { nodes { key requirements { title evidence { id reviews { decision comment } } } } }`,
  ).join(' ')} }`;

async function post(t: TestApp, body: string, token?: string): Promise<{ status: number; headers: Headers; json: GqlResponse }> {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as GqlResponse };
}

describe('hostile documents are refused before they cost anything', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await TestApp.start(DEFAULTS);
    token = await (await t.createUser(['TASK_FORCE'])).token();
  });
  afterAll(async () => t?.close());

  it('refuses an anonymous fragment chain of 20, 40 and 80 levels (2^80 selections written out) with the limits it breaks, and keeps serving', async () => {
    for (const levels of [20, 40, 80]) {
      const { status, json } = await post(t, JSON.stringify({ query: fragmentChain(levels) }));
      expect(status).toBe(400);
      expect(json.data).toBeUndefined();
      expect(json.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(json.errors![0]!.extensions!.reasons).toEqual(['TOO_MANY_FIELDS']);
    }
    const health = await fetch(`${t.baseUrl}/health`);
    expect(health.status).toBe(200);
  });

  it('refuses, before GraphQL compares them pairwise, more than 10 fields answering at one place (fragments and same-named parents merged)', async () => {
    const many = await post(t, JSON.stringify({ query: `{ me { ${'id '.repeat(600)} } }` }), token);
    expect(many.status).toBe(400);
    expect(many.json.errors![0]!.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'REPEATED_FIELD',
      times: 600,
      limit: 10,
    });
    const viaFragments = `{ me { ...A ...B ...C ...D } } ${['A', 'B', 'C', 'D'].map((f) => `fragment ${f} on User { id id id }`).join(' ')}`;
    expect((await post(t, JSON.stringify({ query: viaFragments }), token)).json.errors![0]!.extensions!.reason).toBe('REPEATED_FIELD');
    // 363 fields, 3 of a name at each level: parent.parent.parent.parent.parent.id answers 243 fields
    // (0.7 s of GraphQL's pairwise comparing, unchecked).
    const nested = (d: number): string => (d === 0 ? 'id' : Array.from({ length: 3 }, () => `parent { ${nested(d - 1)} }`).join(' '));
    const deep = await post(t, JSON.stringify({ query: `{ countermeasure(key: "CM-001") { ${nested(5)} } }` }), token);
    expect(deep.status).toBe(400);
    expect(deep.json.errors![0]!.extensions).toMatchObject({ reason: 'REPEATED_FIELD', times: 243, limit: 10 });
    // Within the limit, the same name twice is GraphQL as usual.
    expect((await post(t, JSON.stringify({ query: '{ me { id id email } }' }), token)).json.data).toBeDefined();
  });

  it('closes a WebSocket whose message is larger than GRAPHQL_MAX_BODY_BYTES (1009), before anyone is authenticated', async () => {
    const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(110_000) } }));
    expect(await closed).toBe(1009);
  });

  it('refuses a document over the token limit while parsing it (GRAPHQL_PARSE_FAILED), whatever it holds', async () => {
    const fields = Array.from({ length: 2100 }, () => 'id').join(' ');
    const { status, json } = await post(t, JSON.stringify({ query: `{ me { ${fields} } }` }), token);
    expect(status).toBe(400);
    expect(json.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(json.errors![0]!.message).toMatch(/Document contains more th\w+ 2000 tokens/);
  });

  it('answers a body over GRAPHQL_MAX_BODY_BYTES with 413 and a GraphQL-shaped error', async () => {
    const query = `{ me { id } } # ${'x'.repeat(110_000)}`;
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses the 30-alias nested query before running it, with its cost and the limit; one alias of it is an ordinary page', async () => {
    const thirty = await post(t, JSON.stringify({ query: costly(30) }), token);
    expect(thirty.status).toBe(400);
    expect(thirty.json.data).toBeUndefined();
    const ext = thirty.json.errors![0]!.extensions!;
    expect(ext).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COSTLY', limit: 50_000 });
    // 30 × (100 countermeasures × 10 requirements × 3 live evidence × 3 reviews × 2 fields, and the levels between).
    expect(ext.cost).toBeGreaterThan(30 * 100 * 10 * 3 * 3 * 2);
    const one = await post(t, JSON.stringify({ query: costly(1) }), token);
    expect(one.json.errors).toBeUndefined();
    expect(one.json.data).toEqual({ a0: { nodes: [] } });
  });

  it('prices a page by its `first`, also when given as a variable, and serves what is within the limit', async () => {
    // Two pages (late and blocked work, say) with their requirements, evidence, reviews and history.
    const page = `{ totalCount nodes { key requirements { title evidence { id sha256 reviews { decision comment } } } history { toStatus actorLabel } } }`;
    const q = `query($n: Int) { late: countermeasures(first: $n, filter: { overdue: true }) ${page} blocked: countermeasures(first: $n, filter: { statuses: [BLOCKED] }) ${page} }`;
    const small = await t.gql(q, { n: 10 }, token);
    expect(small.errors).toBeUndefined();
    expect(small.data).toMatchObject({ late: { totalCount: 0, nodes: [] }, blocked: { totalCount: 0, nodes: [] } });
    const big = await t.gql(q, { n: 100 }, token);
    expect(big.errors![0]!.extensions).toMatchObject({ reason: 'QUERY_TOO_COSTLY', limit: 50_000 });
    // Variables that do not fit are the variables' error, as without the cost rule.
    const missing = await t.gql(`query($n: Int!) { countermeasures(first: $n) { totalCount } }`, {}, token);
    expect(missing.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(missing.errors![0]!.message).toMatch(/\$n/);
  });

  it('sends /graphql answers with Cache-Control: no-store and X-Content-Type-Options: nosniff, refusals included', async () => {
    const ok = await post(t, JSON.stringify({ query: '{ me { id } }' }), token);
    expect(ok.status).toBe(200);
    const refused = await post(t, JSON.stringify({ query: costly(30) }), token);
    for (const { headers } of [ok, refused]) {
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('suggests field names outside production (they help developers)', async () => {
    const { json } = await post(t, JSON.stringify({ query: '{ me { emial } }' }), token);
    expect(json.errors![0]!.message).toMatch(/Did you mean "email"/);
  });
});

describe('budgets per caller, the answer size cap, production', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses a caller over its cost budget with TOO_MANY_REQUESTS and retryAfterSeconds, and serves another caller', async () => {
    t = await TestApp.start({ ...DEFAULTS, GRAPHQL_COST_PER_MINUTE: '2000' });
    const a = await (await t.createUser(['TASK_FORCE'])).token();
    const b = await (await t.createUser(['TASK_FORCE'])).token();
    const q = `{ countermeasures(first: 60) { nodes { key title status dueDate owner { displayName } } } }`; // 1 + 60 × (nodes 1 + 4 fields + owner 2) = 421 a call: 4 fit in 2,000, the 5th does not
    const answers: GqlResponse[] = [];
    for (let i = 0; i < 6; i++) answers.push(await t.gql(q, {}, a));
    const refused = answers.filter((r) => r.errors?.[0]?.extensions?.code === 'TOO_MANY_REQUESTS');
    expect(answers.slice(0, 4).every((r) => r.errors === undefined)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.errors![0]!.extensions).toMatchObject({ reason: 'COST_BUDGET_EXCEEDED', budgetPerMinute: 2000 });
    expect(refused[0]!.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await t.gql(q, {}, b)).errors).toBeUndefined();
  });

  it('replaces an answer over GRAPHQL_MAX_RESPONSE_BYTES by a RESPONSE_TOO_LARGE error', async () => {
    t = await TestApp.start({ ...DEFAULTS, GRAPHQL_MAX_RESPONSE_BYTES: '2048' });
    const token = await (await t.createUser(['ADMIN'])).token();
    for (let i = 0; i < 12; i++) await t.createUser(['TASK_FORCE'], { displayName: `長い名前の利用者 ${i} ${'あ'.repeat(40)}` });
    const res = await t.gql(`{ users(first: 50) { nodes { email displayName displayNameKana } } }`, {}, token);
    expect(res.data).toBeUndefined();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RESPONSE_TOO_LARGE', limit: 2048 });
    expect(res.errors![0]!.extensions!.bytes).toBeGreaterThan(2048);
    expect((await t.gql(`{ users(first: 2) { nodes { email } } }`, {}, token)).errors).toBeUndefined();
  });

  it('in production, gives no field suggestions (they reveal the schema introspection hides)', async () => {
    t = await TestApp.start({ ...DEFAULTS, NODE_ENV: 'production' });
    const token = await (await t.createUser(['TASK_FORCE'])).token();
    const { json } = await post(t, JSON.stringify({ query: '{ me { emial } countermeasure(key: "CM-001") { titel } }' }), token);
    expect(json.errors!.length).toBeGreaterThan(0);
    for (const e of json.errors!) expect(e.message).not.toMatch(/Did you mean/);
  });
});
