import {
  isAbstractType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * What a loader's rows must hold, for the loaders whose rows are only ever the
 * GraphQL sources of one type (each one's field resolver hands them to GraphQL
 * as they are, and nothing else reads them).
 */
interface RowNeeds {
  /** The GraphQL type whose sources the rows are. */
  type: string;
  /** Read by the loader and the field resolvers that hand the rows on (group keys, filters). */
  always: readonly string[];
  /** The type's fields that have their own resolver, with the properties each reads of its parent. */
  resolved: Readonly<Record<string, readonly string[]>>;
}

/** The page's per-request loaders whose reads may be narrowed (apps/api/src/common/loaders.ts). */
export const NARROWABLE_ROWS = {
  // Countermeasure.requirements (grouped by countermeasureId).
  requirements: { type: 'EvidenceRequirement', always: ['id', 'countermeasureId'], resolved: { evidence: ['id'] } },
  // EvidenceRequirement.evidence (grouped by requirementId, filtered on status unless includeHistory).
  evidenceByRequirement: {
    type: 'Evidence',
    always: ['id', 'requirementId', 'status'],
    resolved: { reviews: ['id'], downloadPath: ['kind', 'id'], uploadedBy: ['uploadedById'], countermeasure: ['countermeasureId'] },
  },
  // Evidence.reviews (grouped by evidenceId).
  reviews: { type: 'EvidenceReview', always: ['id', 'evidenceId'], resolved: {} },
} as const satisfies Record<string, RowNeeds>;

export type NarrowableRows = keyof typeof NARROWABLE_ROWS;

/** Per loader, the properties its rows need for this operation; absent: every column. */
export type SelectedColumns = { [K in NarrowableRows]?: ReadonlySet<string> };

const byOperation = new WeakMap<OperationDefinitionNode, SelectedColumns>();

/**
 * The columns an operation can ask of the narrowable loaders' rows (issue 14):
 * for each, the union over EVERY field selected on its type anywhere in the
 * operation (fragments, inline fragments, fields selected through an interface
 * or union the type belongs to; @skip/@include ignored: a superset), mapped to
 * the properties it reads: a property field reads the property of its name, a
 * field with its own resolver what `resolved` says. A field with a resolver that `resolved` does not know makes that loader
 * read every column, as before: a new field resolver can never find a property
 * missing. The rows then hold about a third of the values (a page of 50 items
 * read 20,000 values, and decoding them was about a fifth of its CPU), and the
 * answer is the same.
 */
export function selectedColumns(info: Pick<GraphQLResolveInfo, 'schema' | 'operation' | 'fragments'>): SelectedColumns {
  const cached = byOperation.get(info.operation);
  if (cached) return cached;
  const fields = fieldsByType(info);
  const out: SelectedColumns = {};
  for (const [loader, needs] of Object.entries(NARROWABLE_ROWS) as [NarrowableRows, RowNeeds][]) {
    const type = info.schema.getType(needs.type);
    if (!isObjectType(type)) continue;
    const props = new Set<string>(needs.always);
    let known = true;
    for (const name of fields.get(needs.type) ?? []) {
      const field = type.getFields()[name];
      if (!field) continue; // __typename
      if (readsItsProperty(field)) props.add(name);
      else if (needs.resolved[name]) for (const p of needs.resolved[name]) props.add(p);
      else known = false;
    }
    if (known) out[loader] = props;
  }
  byOperation.set(info.operation, out);
  return out;
}

/**
 * A field answered by its parent's property of the same name: no resolver
 * (GraphQL's default), or the one @nestjs/graphql gives every `@Field()` property
 * of an object type class (`rootFieldResolver`: `root[name]`, or the field's
 * defaultValue). Field resolvers (`@ResolveField`) are bound methods. Should
 * Nest rename it, every field counts as resolved, unknown, and every column is
 * read as before (the look-ahead spec checks that the narrowing happens).
 */
function readsItsProperty(field: GraphQLField<unknown, unknown>): boolean {
  return field.resolve === undefined || field.resolve.name === 'rootFieldResolver';
}

/** Every field name selected in the operation, by the object type it is selected on. */
function fieldsByType(info: Pick<GraphQLResolveInfo, 'schema' | 'operation' | 'fragments'>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (type: string, field: string) => {
    const set = out.get(type);
    if (set) set.add(field);
    else out.set(type, new Set([field]));
  };
  const narrowable = Object.values(NARROWABLE_ROWS).map((n) => n.type as string);
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [info.operation, ...Object.values(info.fragments)] };
  const typeInfo = new TypeInfo(info.schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        for (const type of concreteTypes(info.schema, parent, narrowable)) add(type, node.name.value);
      },
    }),
  );
  return out;
}

/** The object types a field selected on `parent` applies to, of those named. */
function concreteTypes(schema: GraphQLSchema, parent: GraphQLCompositeType, names: readonly string[]): string[] {
  if (!isAbstractType(parent)) return [parent.name];
  return names.filter((name) => {
    const t = schema.getType(name);
    return isObjectType(t) && schema.isSubType(parent, t);
  });
}
