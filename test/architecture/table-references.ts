/**
 * Finds the tables a TypeScript source names: in SQL (any string or template
 * literal: FROM, JOIN, UPDATE, INSERT INTO, DELETE FROM, TRUNCATE, LOCK, COPY,
 * ALTER/DROP TABLE, REFERENCES; quoted or not; upper case, or lower case in a
 * string that starts like a statement), as a query builder's table argument
 * (`.from('t')`, `.update('t')`, `.into('t')`...), and through an entity class
 * passed as a value (`getRepository(X)`, `@InjectRepository(X)`,
 * `TypeOrmModule.forFeature([X])`, `em.find(X, ...)`, `.from(X, 'x')`,
 * `updateIfVersion(em, X, ...)`...). Used by table-ownership.spec.ts.
 */

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

/** Splits a source into code (string contents blanked, comments removed) and its string literals. */
export function splitSource(src: string): { code: string; literals: Literal[] } {
  let code = '';
  const literals: Literal[] = [];
  let i = 0;
  let line = 1;
  // Template literals nest through ${ ... }: the brace depth at which each open template resumes, and its text so far.
  const templateStack: { depth: number; literal: Literal }[] = [];
  let depth = 0;
  let current: Literal | null = null;
  const push = (ch: string) => {
    code += ch === '\n' ? '\n' : ch;
  };
  const readTemplate = () => {
    // at the character after ` or after the } closing an interpolation
    while (i < src.length) {
      const ch = src[i]!;
      if (ch === '\\') {
        current!.text += src.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (ch === '`') {
        literals.push(current!);
        current = null;
        code += '``';
        i++;
        return;
      }
      if (ch === '$' && src[i + 1] === '{') {
        current!.text += ' ? ';
        code += '`${';
        templateStack.push({ depth, literal: current! });
        current = null;
        depth++;
        i += 2;
        return;
      }
      if (ch === '\n') {
        line++;
        code += '\n';
      }
      current!.text += ch;
      i++;
    }
  };
  while (i < src.length) {
    const ch = src[i]!;
    const next = src[i + 1];
    if (ch === '\n') {
      line++;
      push(ch);
      i++;
    } else if (ch === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (const c of src.slice(i, stop)) {
        if (c !== '\n') continue;
        line++;
        code += '\n';
      }
      i = stop;
    } else if (ch === '/' && regexMayStart(code)) {
      // A regular expression literal (its quotes are not strings): skipped, class brackets respected.
      let inClass = false;
      code += '/';
      i++;
      while (i < src.length && src[i] !== '\n') {
        const c = src[i]!;
        if (c === '\\') {
          i += 2;
          continue;
        }
        i++;
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
      }
      code += '/';
    } else if (ch === "'" || ch === '"') {
      const lit: Literal = { text: '', line };
      i++;
      while (i < src.length && src[i] !== ch && src[i] !== '\n') {
        if (src[i] === '\\') {
          lit.text += src.slice(i, i + 2);
          i += 2;
        } else lit.text += src[i++];
      }
      i++;
      literals.push(lit);
      code += ch + lit.text.replace(/[^\n]/g, ' ') + ch;
    } else if (ch === '`') {
      i++;
      current = { text: '', line };
      readTemplate();
    } else if (ch === '{') {
      depth++;
      push(ch);
      i++;
    } else if (ch === '}') {
      depth--;
      if (templateStack.length && templateStack[templateStack.length - 1]!.depth === depth) {
        // the interpolation ends: its template literal continues (one literal, placeholders as ' ? ')
        current = templateStack.pop()!.literal;
        i++;
        readTemplate();
      } else {
        push(ch);
        i++;
      }
    } else {
      push(ch);
      i++;
    }
  }
  return { code, literals };
}

/** A `/` starts a regular expression (not a division) after an operator, a bracket, a comma or a keyword. */
function regexMayStart(codeSoFar: string): boolean {
  const before = codeSoFar.replace(/\s+$/, '');
  if (before === '') return true;
  if (/[(,=:[!&|?{};+\-*%<>~^]$/.test(before)) return true;
  return /\b(return|typeof|case|do|else|in|of|void|yield|await)$/.test(before);
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

function stripComments(src: string): string {
  // Comments out, strings kept (a `//` inside a string stays).
  let out = '';
  let i = 0;
  let quote: string | null = null;
  while (i < src.length) {
    const ch = src[i]!;
    if (quote) {
      out += ch;
      if (ch === '\\') {
        out += src[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (ch === quote) quote = null;
      i++;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      out += ch;
      i++;
    } else if (ch === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
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
