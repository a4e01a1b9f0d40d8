import {
  buildSchema,
  parse,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedColumns } from './selected-columns';

/** A schema shaped like the app's (property fields answered by rootFieldResolver, field resolvers by bound methods). */
function schema() {
  const s = buildSchema(`
    interface Named { id: ID! name: String! }
    type Query { page: [Countermeasure!]! }
    type Countermeasure { id: ID! requirements: [EvidenceRequirement!]! }
    type EvidenceRequirement implements Named { id: ID! name: String! title: String! description: String! evidence: [Evidence!]! riskNote: String }
    type Evidence implements Named { id: ID! name: String! sha256: String! uploadedBy: User reviews: [EvidenceReview!]! downloadPath: String }
    type EvidenceReview { id: ID! decision: String! comment: String! }
    type User { id: ID! }
  `);
  const rootFieldResolver = (root: Record<string, unknown>, _a: unknown, _c: unknown, info: { fieldName: string }) => root[info.fieldName];
  const method = function () {
    return null;
  };
  for (const name of ['EvidenceRequirement', 'Evidence', 'EvidenceReview']) {
    const type = s.getType(name) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) field.resolve = rootFieldResolver;
  }
  const resolved = (type: string, field: string) =>
    ((s.getType(type) as GraphQLObjectType).getFields()[field]!.resolve = method.bind(null));
  resolved('EvidenceRequirement', 'evidence');
  resolved('EvidenceRequirement', 'riskNote'); // a field resolver the narrowing does not know
  resolved('Evidence', 'uploadedBy');
  resolved('Evidence', 'reviews');
  resolved('Evidence', 'downloadPath');
  return s;
}

function infoOf(query: string): Pick<GraphQLResolveInfo, 'schema' | 'operation' | 'fragments'> {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return { schema: schema(), operation, fragments };
}

const sorted = (s: ReadonlySet<string> | undefined) => (s ? [...s].sort() : 'every column');

describe('the columns an operation can ask of the narrowable loaders’ rows', () => {
  it('are the loader’s own keys plus what each selected field reads, through fragments, inline fragments and interfaces', () => {
    const selected = selectedColumns(
      infoOf(`
        query { page { requirements { ...R ... on Named { name } } } }
        fragment R on EvidenceRequirement { title evidence { ... on Evidence { downloadPath } uploadedBy { id } reviews { decision } __typename } }`),
    );
    expect(sorted(selected.requirements)).toEqual(['countermeasureId', 'id', 'name', 'title']);
    expect(sorted(selected.evidenceByRequirement)).toEqual(['id', 'kind', 'name', 'requirementId', 'status', 'uploadedById']);
    expect(sorted(selected.reviews)).toEqual(['decision', 'evidenceId', 'id']);
  });

  it('are every column of a loader whose type has a selected field with a resolver the narrowing does not know', () => {
    const selected = selectedColumns(infoOf(`query { page { requirements { title riskNote evidence { sha256 } } } }`));
    expect(selected.requirements).toBeUndefined();
    expect(sorted(selected.evidenceByRequirement)).toEqual(['id', 'requirementId', 'sha256', 'status']);
  });

  it('are the union of every place the operation selects the type, whatever the path', () => {
    const selected = selectedColumns(
      infoOf(`query { a: page { requirements { evidence { id } } } b: page { requirements { evidence { sha256 reviews { comment } } } } }`),
    );
    expect(sorted(selected.evidenceByRequirement)).toEqual(['id', 'requirementId', 'sha256', 'status']);
    expect(sorted(selected.reviews)).toEqual(['comment', 'evidenceId', 'id']);
  });
});
