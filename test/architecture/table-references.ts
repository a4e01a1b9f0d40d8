/**
 * Finds the tables a TypeScript source names: in SQL (any string or template
 * literal: FROM, JOIN, UPDATE, INSERT INTO, DELETE FROM, TRUNCATE, LOCK, COPY,
 * ALTER/DROP TABLE, REFERENCES; quoted or not; upper case, or lower case in a
 * string that starts like a statement), as a query builder's table argument
 * (`.from('t')`, `.update('t')`, `.into('t')`...), and through an entity class
 * passed as a value (`getRepository(X)`, `@InjectRepository(X)`,
 * `TypeOrmModule.forFeature([X])`, `em.find(X, ...)`, `.from(X, 'x')`,
 * `updateIfVersion(em, X, ...)`...). Used by table-ownership.spec.ts. The source is
 * read with the TypeScript compiler's parser, so strings, templates, regular
 * expressions and comments are told apart as the compiler tells them.
 */

import ts from 'typescript';

export type Access = 'read' | 'write' | 'repository';

export interface TableReference {
  table: string;
  access: Access;
  line: number;
  /** What was found, for the failure message. */
  how: string;
}

interface Literal {
  text: string;
  line: number;
}

/**
 * A source read by the TypeScript compiler's own parser (no hand-made lexer): its
 * string and template literals (template parts joined with ' ? ' where an
 * interpolation was), its regular expressions and its comments, as ranges.
 */
function parts(src: string): { literals: Literal[]; blanks: [number, number][]; comments: [number, number][] } {
  const sf = ts.createSourceFile('source.ts', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const literals: Literal[] = [];
  const blanks: [number, number][] = [];
  const comments = new Map<number, number>();
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    for (const r of ts.getLeadingCommentRanges(src, node.pos) ?? []) comments.set(r.pos, r.end);
    const start = node.getStart(sf);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      literals.push({ text: src.slice(start + 1, node.end - 1), line: lineOf(start) });
      blanks.push([start + 1, node.end - 1]);
      return;
    }
    if (ts.isTemplateExpression(node)) {
      // head `...${, middles }...${, tail }...`: their raw text, one literal; interpolations are code
      const pieces = [node.head, ...node.templateSpans.map((span) => span.literal)];
      literals.push({ text: pieces.map((p) => p.rawText ?? '').join(' ? '), line: lineOf(start) });
      for (const p of pieces) {
        const from = p.getStart(sf) + 1;
        blanks.push([from, ts.isTemplateTail(p) ? p.end - 1 : p.end - 2]);
      }
    }
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      blanks.push([start + 1, src.lastIndexOf('/', node.end - 1)]);
      return;
    }
    for (const child of node.getChildren(sf)) visit(child);
  };
  visit(sf);
  return { literals, blanks, comments: [...comments] };
}

/** `src` with the given ranges turned into spaces (line breaks kept, so lines still count). */
function blank(src: string, ranges: readonly [number, number][]): string {
  // Indexed by UTF-16 unit, as TypeScript's positions are.
  const out = src.split('');
  for (const [from, to] of ranges) for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  return out.join('');
}

/** Splits a source into code (string contents blanked, comments removed) and its string literals. */
export function splitSource(src: string): { code: string; literals: Literal[] } {
  const p = parts(src);
  return { code: blank(src, [...p.blanks, ...p.comments]), literals: p.literals };
}

/** Comments out, strings kept (a `//` inside a string stays). */
function stripComments(src: string): string {
  return blank(src, parts(src).comments);
}

const SQL_VERB_START = /^\s*\(?\s*(select|insert|update|delete|with|lock|truncate|copy|alter|create|drop)\b/i;
const TABLE_AFTER = String.raw`(?:ONLY\s+)?(?:TABLE\s+)?(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:"?public"?\s*\.\s*)?"?([A-Za-z_][A-Za-z0-9_]*)"?(?![\w."(])`;
const SQL_REF = new RegExp(
  String.raw`\b(DELETE\s+FROM|INSERT\s+INTO|FROM|JOIN|UPDATE|INTO|TRUNCATE|LOCK|COPY|REFERENCES|ALTER\s+TABLE|DROP\s+TABLE|CREATE\s+TABLE)\s+${TABLE_AFTER}`,
  'gi',
);
const LOCKING_READ = /\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b/i;

/** Tables named in SQL inside one string literal. */
export function sqlReferences(
  text: string,
  tables: ReadonlySet<string>,
): { table: string; access: 'read' | 'write'; keyword: string; index: number }[] {
  const found: { table: string; access: 'read' | 'write'; keyword: string; index: number }[] = [];
  const statementLike = SQL_VERB_START.test(text);
  const locks = LOCKING_READ.test(text);
  for (const m of text.matchAll(SQL_REF)) {
    const keyword = m[1]!;
    const table = m[2]!.toLowerCase();
    if (!tables.has(table)) continue;
    if (keyword !== keyword.toUpperCase() && !statementLike) continue; // prose, not SQL
    const kw = keyword.toUpperCase().replace(/\s+/g, ' ');
    const reads = kw === 'FROM' || kw === 'JOIN' || kw === 'REFERENCES';
    found.push({ table, access: reads && !locks ? 'read' : 'write', keyword: kw, index: m.index! });
  }
  return found;
}

const BUILDER_TABLE_ARG =
  /\.(from|innerJoin|leftJoin|innerJoinAndSelect|leftJoinAndSelect|innerJoinAndMapOne|leftJoinAndMapOne|innerJoinAndMapMany|leftJoinAndMapMany|into|update|delete|insert|getRepository|query)\(\s*(['"`])"?([A-Za-z_][A-Za-z0-9_]*)"?\2/g;
const BUILDER_READS = new Set([
  'from',
  'innerJoin',
  'leftJoin',
  'innerJoinAndSelect',
  'leftJoinAndSelect',
  'innerJoinAndMapOne',
  'leftJoinAndMapOne',
  'innerJoinAndMapMany',
  'leftJoinAndMapMany',
]);

/** Every table a source names, with how. `entityTables`: entity class name → table. */
export function tableReferences(src: string, tables: ReadonlySet<string>, entityTables: ReadonlyMap<string, string>): TableReference[] {
  const refs: TableReference[] = [];
  const split = splitSource(src);
  const literals = split.literals;
  // Import and re-export lists name classes without using them.
  const code = split.code.replace(/\b(?:import|export)\s+(?:type\s+)?\{[^}]*\}\s*from\s*(['"])[^'"]*\1/g, (m) => m.replace(/[^\n]/g, ' '));
  for (const lit of literals) {
    for (const r of sqlReferences(lit.text, tables)) {
      refs.push({ table: r.table, access: r.access, line: lit.line + lineAt(lit.text, r.index) - 1, how: `SQL ${r.keyword} ${r.table}` });
    }
  }
  // Query-builder calls with the table as a string: read the source with strings kept, comments removed.
  const withStrings = stripComments(src);
  for (const m of withStrings.matchAll(BUILDER_TABLE_ARG)) {
    const table = m[3]!.toLowerCase();
    if (!tables.has(table)) continue;
    refs.push({
      table,
      access: BUILDER_READS.has(m[1]!) ? 'read' : 'write',
      line: lineAt(withStrings, m.index!),
      how: `.${m[1]}('${table}')`,
    });
  }
  // Entity classes used as values: an argument or array element (never a type position).
  for (const [cls, table] of entityTables) {
    const re = new RegExp(
      String.raw`(\.(?:from|innerJoin|leftJoin|innerJoinAndSelect|leftJoinAndSelect)\(\s*|[(\[,]\s*)${cls}\s*(?=[,)\]])`,
      'g',
    );
    for (const m of code.matchAll(re)) {
      const viaBuilderRead = m[1]!.startsWith('.');
      refs.push({
        table,
        access: viaBuilderRead ? 'read' : 'repository',
        line: lineAt(code, m.index!),
        how: viaBuilderRead ? `${m[1]!.trim()}${cls}` : `${cls} as a value (repository/manager)`,
      });
    }
  }
  return refs;
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** `@Entity('table')` ... `class Name`: entity class name → table, in one source. */
export function entityDeclarations(src: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of src.matchAll(/@Entity\(\s*['"]([a-z_][a-z0-9_]*)['"][^)]*\)[\s\S]*?\bclass\s+([A-Za-z0-9_]+)/g)) map.set(m[2]!, m[1]!);
  return map;
}

/** Tables created by migrations (`CREATE TABLE "x"`, quoted or not). */
export function createdTables(src: string): string[] {
  return [...src.matchAll(/CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?/gi)].map((m) =>
    m[1]!.toLowerCase(),
  );
}
