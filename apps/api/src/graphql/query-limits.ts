import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Query limits, checked before execution: a selection deeper than `maxDepth`
 * or with more than `maxAliases` aliases is refused (BAD_USER_INPUT via
 * GRAPHQL_VALIDATION_FAILED). Fragments are followed; a fragment cycle is
 * already refused by GraphQL's own rules. Page sizes are capped separately
 * (`first` ≤ 100), so depth × page size bounds the work of one request.
 */
export function queryLimitsRule(maxDepth: number, maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

    const measure = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; aliases: number } => {
      let deepest = depth;
      let aliases = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.alias) aliases++;
          // Introspection (__schema, __type) is bounded by the schema itself and its standard
          // query is 15 levels deep: it is not counted (introspection is off in production).
          if (sel.selectionSet && !sel.name.value.startsWith('__')) {
            const inner = measure(sel.selectionSet, depth + 1, seen);
            deepest = Math.max(deepest, inner.depth);
            aliases += inner.aliases;
          }
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const inner = measure(sel.selectionSet, depth, seen);
          deepest = Math.max(deepest, inner.depth);
          aliases += inner.aliases;
        } else {
          const frag = fragments.get(sel.name.value);
          if (frag && !seen.has(frag.name.value)) {
            const inner = measure(frag.selectionSet, depth, new Set([...seen, frag.name.value]));
            deepest = Math.max(deepest, inner.depth);
            aliases += inner.aliases;
          }
        }
      }
      return { depth: deepest, aliases };
    };

    return {
      OperationDefinition(node) {
        const { depth, aliases } = measure(node.selectionSet, 1, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`The query is ${depth} levels deep; at most ${maxDepth} are allowed`, { nodes: [node] }));
        }
        if (aliases > maxAliases) {
          context.reportError(new GraphQLError(`The query uses ${aliases} aliases; at most ${maxAliases} are allowed`, { nodes: [node] }));
        }
      },
    };
  };
}
