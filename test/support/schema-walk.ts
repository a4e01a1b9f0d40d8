import {
  buildClientSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
  getIntrospectionQuery,
} from 'graphql';
import type { TestApp } from './test-app';

export interface Operation {
  kind: 'query' | 'mutation' | 'subscription';
  name: string;
  document: string;
  variables: Record<string, unknown>;
}

export async function fetchSchema(app: TestApp): Promise<GraphQLSchema> {
  const res = await app.gql<IntrospectionQuery>(getIntrospectionQuery());
  if (!res.data) throw new Error(`introspection failed: ${JSON.stringify(res.errors)}`);
  return buildClientSchema(res.data);
}

/** A well-typed placeholder value, so that an operation passes GraphQL validation and reaches the guard. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) out[f.name] = sample(f.type);
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'ID':
        return '00000000-0000-4000-8000-000000000000';
      case 'DateTime':
        return '2026-01-01T00:00:00.000Z';
      // A real day: with 'x' an operation taking a required LocalDate was refused as BAD_USER_INPUT
      // before its access rule ran, and the walk would not show who it lets through.
      case 'LocalDate':
        return '2026-01-01';
      // An object (a passkey's answer): with 'x' the variable is refused before the access rule runs.
      case 'JSONObject':
        return {};
      default:
        return 'x';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

function operationFor(kind: Operation['kind'], field: GraphQLField<unknown, unknown>): Operation {
  const args = field.args;
  const varDefs = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const callArgs = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const variables: Record<string, unknown> = {};
  for (const a of args) if (isNonNullType(a.type)) variables[a.name] = sample(a.type);
  const named = getNamedType(getNullableType(field.type));
  const selection = isObjectType(named) ? ' { __typename }' : '';
  const document = `${kind} Walk${varDefs ? `(${varDefs})` : ''} { ${field.name}${callArgs ? `(${callArgs})` : ''}${selection} }`;
  return { kind, name: field.name, document, variables };
}

/** Every query and mutation of the schema, each as a callable operation. */
export function allOperations(schema: GraphQLSchema): Operation[] {
  const ops: Operation[] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) ops.push(operationFor(kind, field));
  }
  return ops.sort((a, b) => `${a.kind}.${a.name}`.localeCompare(`${b.kind}.${b.name}`));
}

/** Every subscription of the schema, each as an operation (to send over WebSocket). */
export function allSubscriptions(schema: GraphQLSchema): Operation[] {
  const type = schema.getSubscriptionType();
  if (!type) return [];
  return Object.values(type.getFields())
    .map((field) => operationFor('subscription', field))
    .sort((a, b) => a.name.localeCompare(b.name));
}
