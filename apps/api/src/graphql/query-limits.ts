import {
  GraphQLError,
  Kind,
  parse,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** The shape limits of one operation, checked before execution. */
export interface QueryShapeLimits {
  /** Nested selection sets, the operation's own counted as 1. */
  maxDepth: number;
  /** Aliased fields, counted as if every fragment were written out where it is spread. */
  maxAliases: number;
  /** Fields, counted as if every fragment were written out where it is spread. */
  maxFields: number;
  /**
   * Fields of one selection set that share a response name (its fragments
   * written out in it). GraphQL's OverlappingFieldsCanBeMerged compares such
   * fields pairwise: 650 \`a: id\` / \`a: name\` in 4,000 tokens took 0.6 s of CPU.
   */
  maxSameName: number;
}

/** What one selection set adds, relative to its own level, with every fragment expanded. */
interface Measure {
  depth: number;
  aliases: number;
  fields: number;
  /** The most fields sharing a response name in any one selection set within. */
  sameName: number;
  /** This selection set's own response names and how often each is selected (fragments written out). */
  names: Map<string, number>;
}

const ZERO: Measure = { depth: 0, aliases: 0, fields: 0, sameName: 0, names: new Map() };

/**
 * Query shape limits, a validation rule: an operation deeper than `maxDepth`,
 * with more than `maxAliases` aliases or more than `maxFields` fields once its
 * fragments are expanded, is refused (GRAPHQL_VALIDATION_FAILED, with
 * `extensions.reason`, the measured value and the limit).
 *
 * **Each fragment is measured once per document** (memoized), however often it
 * is spread: a chain of fragments that each spread the next twice expands to
 * 2^N fields, and is measured in N steps (its expanded size is a number that is
 * added, never a tree that is walked). The time of this rule is linear in the
 * document's size, and the document's size is capped before parsing (tokens,
 * bytes; see `parseLimits`). A fragment cycle is refused by GraphQL's own
 * NoFragmentCyclesRule; here it counts as empty, so that this rule terminates.
 *
 * The expanded field count is what bounds every later walk of the operation
 * (the cost analysis, execution's field collection), so it is checked here,
 * before any of them.
 *
 * Introspection (`__schema`, `__type`) is bounded by the schema itself and its
 * standard query is 15 levels deep: its depth is not counted (its fields and
 * aliases are). Introspection is off in production.
 */
export function queryLimitsRule(limits: QueryShapeLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    /** Measured fragments; `null` while one is being measured (a cycle reads it as empty). */
    const memo = new Map<string, Measure | null>();

    const fragment = (name: string): Measure => {
      const known = memo.get(name);
      if (known !== undefined) return known ?? ZERO;
      const def = fragments.get(name);
      if (!def) return ZERO;
      memo.set(name, null);
      const measured = measure(def.selectionSet);
      memo.set(name, measured);
      return measured;
    };

    const measure = (set: SelectionSetNode): Measure => {
      let depth = 0;
      let aliases = 0;
      let fields = 0;
      let sameName = 0;
      const names = new Map<string, number>();
      const add = (name: string, times: number) => names.set(name, (names.get(name) ?? 0) + times);
      for (const sel of set.selections) {
        let inner: Measure = ZERO;
        if (sel.kind === Kind.FIELD) {
          fields += 1;
          if (sel.alias) aliases += 1;
          add(sel.alias?.value ?? sel.name.value, 1);
          if (sel.selectionSet) {
            const child = measure(sel.selectionSet);
            inner = { ...child, depth: sel.name.value.startsWith('__') ? 0 : child.depth + 1 };
          }
        } else {
          // A fragment's own fields are written out into this selection set.
          inner = sel.kind === Kind.INLINE_FRAGMENT ? measure(sel.selectionSet) : fragment(sel.name.value);
          for (const [name, times] of inner.names) add(name, times);
        }
        depth = Math.max(depth, inner.depth);
        aliases += inner.aliases;
        fields += inner.fields;
        sameName = Math.max(sameName, inner.sameName);
      }
      for (const times of names.values()) sameName = Math.max(sameName, times);
      return { depth, aliases, fields, sameName, names };
    };

    return {
      OperationDefinition(node) {
        const m = measure(node.selectionSet);
        const depth = m.depth + 1;
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`The query is ${depth} levels deep; at most ${limits.maxDepth} are allowed`, {
              nodes: [node],
              extensions: { reason: 'QUERY_TOO_DEEP', depth, limit: limits.maxDepth },
            }),
          );
        }
        if (m.aliases > limits.maxAliases) {
          context.reportError(
            new GraphQLError(`The query uses ${count(m.aliases)} aliases; at most ${limits.maxAliases} are allowed`, {
              nodes: [node],
              extensions: { reason: 'TOO_MANY_ALIASES', aliases: m.aliases, limit: limits.maxAliases },
            }),
          );
        }
        if (m.sameName > limits.maxSameName) {
          context.reportError(
            new GraphQLError(
              `The query selects one name ${count(m.sameName)} times in one selection set once its fragments are expanded; at most ${limits.maxSameName} are allowed`,
              { nodes: [node], extensions: { reason: 'REPEATED_FIELD', times: m.sameName, limit: limits.maxSameName } },
            ),
          );
        }
        if (m.fields > limits.maxFields) {
          context.reportError(
            new GraphQLError(`The query selects ${count(m.fields)} fields once its fragments are expanded; at most ${limits.maxFields} are allowed`, {
              nodes: [node],
              extensions: { reason: 'TOO_MANY_FIELDS', fields: m.fields, limit: limits.maxFields },
            }),
          );
        }
      },
    };
  };
}

/** A count for a message: exact while it is, then in powers of ten (2^80 is not worth 25 digits). */
function count(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : `more than 10^${Math.floor(Math.log10(n))}`;
}

/**
 * The limits checked BEFORE GraphQL's own validation: the document parsed with
 * the token cap and measured by `queryLimitsRule` alone (linear in its size).
 * GraphQL's standard rules then see only documents within the limits (some of
 * them, OverlappingFieldsCanBeMerged in particular, are quadratic in what they
 * compare). Returns the parsed document, or the errors to answer with.
 */
export function checkQueryShape(
  schema: GraphQLSchema,
  source: string,
  limits: QueryShapeLimits & { maxTokens: number },
): { document: DocumentNode; errors: readonly GraphQLError[] } | { document?: undefined; errors: readonly GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    return { errors: [err instanceof GraphQLError ? err : new GraphQLError('Syntax error')] };
  }
  return { document, errors: validate(schema, document, [queryLimitsRule(limits)]) };
}
