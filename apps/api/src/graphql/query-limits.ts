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
   * Fields that answer at one place of the result: one response name in one
   * selection set, fragments written out, and the fields under same-named
   * fields counted together (\`u { u { id } } u { u { id } }\` selects \`u.u\`
   * twice). GraphQL's OverlappingFieldsCanBeMerged compares such fields
   * pairwise, and their sub-selections with each other: 363 nested \`u\`
   * fields, three of a name per level, took 0.7 s of CPU in 1,000 tokens.
   */
  maxSameName: number;
}

/** What one selection set adds, relative to its own level, with every fragment expanded. */
interface Measure {
  depth: number;
  aliases: number;
  fields: number;
}

const ZERO: Measure = { depth: 0, aliases: 0, fields: 0 };

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
      for (const sel of set.selections) {
        let inner: Measure = ZERO;
        if (sel.kind === Kind.FIELD) {
          fields += 1;
          if (sel.alias) aliases += 1;
          if (sel.selectionSet) {
            const child = measure(sel.selectionSet);
            inner = { ...child, depth: sel.name.value.startsWith('__') ? 0 : child.depth + 1 };
          }
        } else {
          inner = sel.kind === Kind.INLINE_FRAGMENT ? measure(sel.selectionSet) : fragment(sel.name.value);
        }
        depth = Math.max(depth, inner.depth);
        aliases += inner.aliases;
        fields += inner.fields;
      }
      return { depth, aliases, fields };
    };

    /**
     * The most fields that answer at one place of the result. Walks the
     * operation with its fragments written out, so it runs only once the
     * expanded size is known to be within maxFields: each field is visited
     * once, in the group of its response name under its parents' group.
     */
    type Placed = readonly [set: SelectionSetNode, via: ReadonlySet<string>];
    /** Selections this walk has visited: bounded, whatever fragments (or invalid cycles) the document holds. */
    let walked = 0;
    const TOO_FAR = Symbol('too far');
    const sameNameAt = (sets: readonly Placed[]): number => {
      const groups = new Map<string, Placed[]>();
      const counts = new Map<string, number>();
      // \`via\`: the fragments spread on the way here, so that a cycle (refused by GraphQL's own rule) ends the walk.
      const collect = (set: SelectionSetNode, via: ReadonlySet<string>): void => {
        for (const sel of set.selections) {
          if (++walked > 2 * limits.maxFields) throw TOO_FAR;
          if (sel.kind === Kind.FIELD) {
            const name = sel.alias?.value ?? sel.name.value;
            counts.set(name, (counts.get(name) ?? 0) + 1);
            if (sel.selectionSet) {
              const group = groups.get(name);
              if (group) group.push([sel.selectionSet, via]);
              else groups.set(name, [[sel.selectionSet, via]]);
            }
          } else if (sel.kind === Kind.INLINE_FRAGMENT) {
            collect(sel.selectionSet, via);
          } else if (!via.has(sel.name.value)) {
            const def = fragments.get(sel.name.value);
            if (def) collect(def.selectionSet, new Set([...via, sel.name.value]));
          }
        }
      };
      for (const [set, via] of sets) collect(set, via);
      let most = 0;
      for (const n of counts.values()) most = Math.max(most, n);
      for (const children of groups.values()) most = Math.max(most, sameNameAt(children));
      return most;
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
        if (m.fields > limits.maxFields) {
          context.reportError(
            new GraphQLError(
              `The query selects ${count(m.fields)} fields once its fragments are expanded; at most ${limits.maxFields} are allowed`,
              {
                nodes: [node],
                extensions: { reason: 'TOO_MANY_FIELDS', fields: m.fields, limit: limits.maxFields },
              },
            ),
          );
        }
        // Only once the expanded size is bounded: this walk writes the fragments out.
        let sameName = 0;
        if (m.fields <= limits.maxFields) {
          try {
            sameName = sameNameAt([[node.selectionSet, new Set()]]);
          } catch (err) {
            if (err !== TOO_FAR) throw err;
            // Only a fragment cycle (refused by GraphQL's NoFragmentCyclesRule) walks further than the expanded size.
            sameName = Infinity;
          }
        }
        if (sameName > limits.maxSameName) {
          context.reportError(
            new GraphQLError(
              `The query selects ${count(sameName)} fields that answer at one place of the result (one name, fragments and same-named parents merged); at most ${limits.maxSameName} are allowed`,
              { nodes: [node], extensions: { reason: 'REPEATED_FIELD', times: sameName, limit: limits.maxSameName } },
            ),
          );
        }
      },
    };
  };
}

/** A count for a message: exact while it is, then in powers of ten (2^80 is not worth 25 digits). */
function count(n: number): string {
  if (!Number.isFinite(n)) return 'too many';
  return Number.isSafeInteger(n) ? String(n) : `more than 10^${Math.floor(Math.log10(n))}`;
}

/**
 * The limits checked BEFORE GraphQL's own validation: the document parsed with
 * the token cap and measured by `queryLimitsRule` alone (linear in its size).
 * GraphQL's standard rules then see only documents within the limits (some of
 * them, OverlappingFieldsCanBeMerged in particular, are quadratic in what they
 * compare). Returns the errors: a syntax error (the token cap included), or the
 * limits broken; none when the document is within them.
 */
export function checkQueryShape(
  schema: GraphQLSchema,
  source: string,
  limits: QueryShapeLimits & { maxTokens: number },
): readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    return [err instanceof GraphQLError ? err : new GraphQLError('Syntax error')];
  }
  return validate(schema, document, [queryLimitsRule(limits)]);
}
