import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_EXCEPTIONS, READ_MODELS, TABLE_OWNERS } from './table-owners';
import { createdTables, entityDeclarations, tableReferences, type TableReference } from './table-references';

/**
 * Each table has one owning context (../shared/CONVENTIONS.md): code outside the
 * owner never names it in SQL nor uses its entity class with a repository or a
 * manager; it asks the owner's exported methods (or, where the dependency points
 * the other way, a port the asking context declares and the owner provides).
 * dependency-cruiser sees imports, not SQL: this check sees the SQL.
 * The map, the declared read models and the exceptions: table-owners.ts.
 */

const root = path.resolve(__dirname, '../..');
const owners: Record<string, string> = TABLE_OWNERS;
const tables = new Set(Object.keys(owners));

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'dist' ? [] : walk(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
const sources = [...walk(path.join(root, 'libs')), ...walk(path.join(root, 'apps'))]
  .filter((f) => !/\.(spec|e2e-spec)\.ts$/.test(f))
  .map(rel);
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

/** Entity class → table, over libs/; and which lib declares it. */
function entities(): { byClass: Map<string, string>; declaredIn: Map<string, string> } {
  const byClass = new Map<string, string>();
  const declaredIn = new Map<string, string>();
  for (const f of sources.filter((s) => s.startsWith('libs/'))) {
    for (const [cls, table] of entityDeclarations(read(f))) {
      byClass.set(cls, table);
      declaredIn.set(table, contextOf(f)!);
    }
  }
  return { byClass, declaredIn };
}

/** libs/<name>/... → name; apps/... → 'apps'. */
function contextOf(file: string): string | null {
  const m = /^libs\/([^/]+)\//.exec(file);
  if (m) return m[1]!;
  return file.startsWith('apps/') ? 'apps' : null;
}

interface Violation {
  file: string;
  ref: TableReference;
  owner: string;
  advice: string;
}

/**
 * The violations in one file, given the rules. Pure over its inputs, so the
 * self-test below can run it on synthetic sources.
 */
export function violationsIn(
  file: string,
  src: string,
  rules: {
    owners: Record<string, string>;
    entityTables: ReadonlyMap<string, string>;
    readModels: readonly { path: string; reads: readonly string[] }[];
    appExceptions: readonly { path: string; tables: readonly string[] }[];
  },
): Violation[] {
  const ctx = contextOf(file);
  const found = tableReferences(src, new Set(Object.keys(rules.owners)), rules.entityTables);
  const out: Violation[] = [];
  for (const ref of found) {
    const owner = rules.owners[ref.table]!;
    if (ctx === owner) continue;
    if (ctx === 'apps') {
      if (rules.appExceptions.some((e) => file.startsWith(e.path) && e.tables.includes(ref.table))) continue;
      out.push({
        file,
        ref,
        owner,
        advice: `an app holds no business rule and names no table: call a service of libs/${owner} (or list the exception with its reason in APP_EXCEPTIONS)`,
      });
      continue;
    }
    const model = rules.readModels.find((m) => file === m.path || (m.path.endsWith('/') && file.startsWith(m.path)));
    if (model && ref.access === 'read' && model.reads.includes(ref.table)) continue;
    const advice = model
      ? ref.access === 'read'
        ? `this read model may read only the tables declared for it: declare ${ref.table} in READ_MODELS (a reviewed change) or ask libs/${owner}'s exported methods`
        : `a read model only SELECTs; a ${ref.access === 'write' ? 'write or lock' : 'repository'} of ${ref.table} goes through libs/${owner}'s exported methods`
      : `ask libs/${owner}'s exported methods (add one there if none fits); where libs/${owner} depends on this lib, declare a port here and let libs/${owner} provide it`;
    out.push({ file, ref, owner, advice });
  }
  return out;
}

function describeViolation(v: Violation): string {
  return `${v.file}:${v.ref.line} names ${v.ref.table} (${v.ref.how}, ${v.ref.access}); the table belongs to libs/${v.owner}: ${v.advice}`;
}

describe('every table has one owning context', () => {
  const { byClass, declaredIn } = entities();

  it('the map lists every table: each @Entity, with the lib that declares it as owner, and each CREATE TABLE of migrations/', () => {
    const problems: string[] = [];
    for (const [table, lib] of declaredIn) {
      if (!(table in owners))
        problems.push(`${table} (an @Entity in libs/${lib}) has no owner: add it to TABLE_OWNERS in test/architecture/table-owners.ts`);
      else if (owners[table] !== lib)
        problems.push(`${table} is declared by libs/${lib} but TABLE_OWNERS says ${owners[table]}: the owner declares the entity`);
    }
    const migrationDir = path.join(root, 'migrations');
    for (const f of fs.readdirSync(migrationDir).filter((n) => n.endsWith('.ts'))) {
      for (const table of createdTables(fs.readFileSync(path.join(migrationDir, f), 'utf8'))) {
        if (!(table in owners))
          problems.push(
            `${table} (CREATE TABLE in migrations/${f}) has no owner: add it to TABLE_OWNERS in test/architecture/table-owners.ts`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it('the map lists no table that no longer exists, and names only real contexts', () => {
    const migrationText = fs
      .readdirSync(path.join(root, 'migrations'))
      .map((n) => fs.readFileSync(path.join(root, 'migrations', n), 'utf8'))
      .join('\n');
    const created = new Set(createdTables(migrationText));
    const stale = Object.keys(owners).filter((t) => t !== 'migrations' && !declaredIn.has(t) && !created.has(t));
    expect(stale).toEqual([]);
    const contexts = new Set(fs.readdirSync(path.join(root, 'libs')));
    expect(Object.values(owners).filter((o) => !contexts.has(o))).toEqual([]);
  });

  it('code outside the owner names no table in SQL nor uses its entity with a repository (read models: declared SELECTs only)', () => {
    const rules = { owners, entityTables: byClass, readModels: READ_MODELS, appExceptions: APP_EXCEPTIONS };
    const violations = sources.flatMap((f) => violationsIn(f, read(f), rules));
    expect(violations.map(describeViolation)).toEqual([]);
  });

  it('each declared read of a read model is still made (the list says exactly what the projection reads)', () => {
    const unused: string[] = [];
    for (const m of READ_MODELS) {
      const files = sources.filter((f) => f === m.path || (m.path.endsWith('/') && f.startsWith(m.path)));
      const made = new Set(files.flatMap((f) => tableReferences(read(f), tables, byClass).map((r) => r.table)));
      for (const t of m.reads) if (!made.has(t)) unused.push(`${m.path} declares ${t} but no longer reads it: remove it from READ_MODELS`);
    }
    expect(unused).toEqual([]);
  });

  describe('the check itself catches what it must, and only that', () => {
    const owners = {
      countermeasures: 'countermeasures',
      countermeasure_requirements: 'countermeasures',
      audit_trail: 'audit-trail',
      evidence: 'evidence',
    };
    const entityTables = new Map([
      ['RequirementEntity', 'countermeasure_requirements'],
      ['CountermeasureEntity', 'countermeasures'],
    ]);
    const rules = { owners, entityTables, readModels: [{ path: 'libs/dashboard/', reads: ['countermeasures'] }], appExceptions: [] };
    const caught = (file: string, src: string) => violationsIn(file, src, rules).map((v) => `${v.ref.table}:${v.ref.access}`);

    it.each([
      ['raw SELECT', "em.query('SELECT seq FROM countermeasures WHERE id = $1')", 'countermeasures:read'],
      ['quoted, with the schema', 'em.query(`SELECT 1 FROM "public"."countermeasures" c`)', 'countermeasures:read'],
      [
        'a JOIN in a template string across lines',
        'em.query(`SELECT t.seq\n  FROM x t\n  JOIN countermeasures c ON c.id = t.id`)',
        'countermeasures:read',
      ],
      [
        'an UPDATE in lower case',
        'em.query(`update countermeasure_requirements set evidence_total = 0`)',
        'countermeasure_requirements:write',
      ],
      ['INSERT INTO', 'em.query(`INSERT INTO countermeasures (id) VALUES ($1)`)', 'countermeasures:write'],
      ['DELETE FROM', "em.query('DELETE FROM countermeasures')", 'countermeasures:write'],
      ['TRUNCATE', "em.query('TRUNCATE countermeasures')", 'countermeasures:write'],
      ['LOCK TABLE', "em.query('LOCK TABLE countermeasures IN SHARE MODE')", 'countermeasures:write'],
      ['SELECT ... FOR UPDATE', "em.query('SELECT id FROM countermeasures FOR UPDATE')", 'countermeasures:write'],
      [
        'a sub-select inside a query builder',
        "qb.andWhere('e.cm IN (SELECT c.id FROM countermeasures c WHERE c.incident_id = :i)')",
        'countermeasures:read',
      ],
      ['reading the trail JSON', "em.query(`SELECT t.after->>'ownerId' FROM audit_trail t`)", 'audit_trail:read'],
      ['a table after an interpolation', 'em.query(`SELECT ${cols} FROM countermeasures`)', 'countermeasures:read'],
      [
        'getRepository(Entity)',
        'this.em.getRepository(RequirementEntity).update({ id }, { x: 1 })',
        'countermeasure_requirements:repository',
      ],
      [
        '@InjectRepository(Entity)',
        'constructor(@InjectRepository(CountermeasureEntity) repo: Repository<CountermeasureEntity>) {}',
        'countermeasures:repository',
      ],
      ['a manager call', 'await em.findOne(CountermeasureEntity, { where: { id } })', 'countermeasures:repository'],
      ['forFeature', 'TypeOrmModule.forFeature([EvidenceEntity, RequirementEntity])', 'countermeasure_requirements:repository'],
      ['a helper taking the entity', 'await updateIfVersion(this.em, CountermeasureEntity, id, v, set, now)', 'countermeasures:repository'],
      [
        'a query builder on the table name',
        "em.createQueryBuilder().update('countermeasure_requirements').set({})",
        'countermeasure_requirements:write',
      ],
    ])('catches %s', (_what, src, expected) => {
      expect(caught('libs/evidence/src/x.ts', src)).toContain(expected);
    });

    it.each([
      ['the owner itself', 'libs/countermeasures/src/x.ts', "em.query('SELECT seq FROM countermeasures')"],
      [
        'a type, an import, a relation',
        'libs/evidence/src/x.ts',
        "import { CountermeasureEntity } from '@app/countermeasures';\nlet c: CountermeasureEntity; const r: Repository<CountermeasureEntity>[] = [];\n@ManyToOne(() => CountermeasureEntity) ref?: CountermeasureEntity;\nfunction f(x: Pick<CountermeasureEntity, 'id'>): CountermeasureEntity[] { return []; }",
      ],
      [
        'prose in a message',
        'libs/evidence/src/x.ts',
        "throw new Error('Remove it from countermeasures first; evidence from countermeasures is kept')",
      ],
      ['a comment', 'libs/evidence/src/x.ts', '// SELECT seq FROM countermeasures\n/* UPDATE countermeasure_requirements */'],
      ['a column or alias of the same name', 'libs/evidence/src/x.ts', "em.query('SELECT e.countermeasures_count FROM evidence e')"],
      ['a declared read of a read model', 'libs/dashboard/src/x.ts', "em.query('SELECT count(*) FROM countermeasures')"],
    ])('lets pass %s', (_what, file, src) => {
      expect(caught(file, src)).toEqual([]);
    });

    it('refuses a read model what is not declared, or any write', () => {
      expect(caught('libs/dashboard/src/x.ts', "em.query('SELECT 1 FROM countermeasure_requirements')")).toEqual([
        'countermeasure_requirements:read',
      ]);
      expect(caught('libs/dashboard/src/x.ts', "em.query('UPDATE countermeasures SET x = 1')")).toEqual(['countermeasures:write']);
      expect(caught('libs/dashboard/src/x.ts', 'em.getRepository(CountermeasureEntity).find()')).toEqual(['countermeasures:repository']);
    });

    it('refuses an app any table', () => {
      expect(caught('apps/api/src/x.ts', "ds.query('SELECT 1 FROM countermeasures')")).toEqual(['countermeasures:read']);
    });

    it('names the file, the table, its owner and what to do', () => {
      const [v] = violationsIn('libs/evidence/src/x.ts', "\n\nem.query('UPDATE countermeasure_requirements SET a = 1')", rules);
      expect(describeViolation(v!)).toBe(
        "libs/evidence/src/x.ts:3 names countermeasure_requirements (SQL UPDATE countermeasure_requirements, write); the table belongs to libs/countermeasures: ask libs/countermeasures's exported methods (add one there if none fits); where libs/countermeasures depends on this lib, declare a port here and let libs/countermeasures provide it",
      );
    });
  });
});
