import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { Loaders } from './loaders';
import { selectedColumns } from './selected-columns';

/**
 * Look-ahead for lists (issue 14): before a list resolver returns its items, it
 * reads the rest of the query (`info`) and loads, level by level, what the
 * items' nested fields will ask for, through the same per-request loaders the
 * field resolvers use (one batch per kind and level: a page of 50 items with
 * every nested field still costs a fixed number of SQL statements). The field
 * resolvers then find their values already loaded (`Loader.get`) and GraphQL
 * completes the subtree synchronously, instead of one promise per nested field
 * per item. Nothing is decided here: every field resolver still runs, with its
 * own rules; a field this table does not know is simply loaded as before, on
 * demand.
 */
export interface Relation {
  /**
   * Loads what this field holds for every parent (in one batch per loader) and
   * gives the children, for the look-ahead below them. `args`: the field's
   * arguments as the field resolver will see them.
   */
  load(loaders: Loaders, parents: readonly object[], args: Record<string, unknown>): Promise<object[]>;
  /** The children's GraphQL type, when the look-ahead goes on below them. */
  type?: string;
}

export type Relations = Record<string, Record<string, Relation>>;

const present = <T>(values: readonly (T | null | undefined)[]): T[] => values.filter((v): v is T => v != null);

const SIGN_OFFS: Relation = { load: async (l, cms) => (await l.evidence.signOffs.loadAll(ids(cms, 'id'))).flat() };

/** What the look-ahead knows how to load, by GraphQL type and field (each mirrors its field resolver). */
export const RELATIONS: Relations = {
  Countermeasure: {
    owner: { load: async (l, cms) => present(await l.user.loadAll(ids(cms, 'ownerId'))) },
    contributors: {
      load: async (l, cms) => {
        const rows = (await l.contributors.loadAll(ids(cms, 'id'))).flat();
        return present(await l.user.loadAll(rows.map((r) => r.userId)));
      },
    },
    requirements: { type: 'EvidenceRequirement', load: async (l, cms) => (await l.requirements.loadAll(ids(cms, 'id'))).flat() },
    history: { load: async (l, cms) => (await l.transitions.loadAll(ids(cms, 'id'))).flat() },
    dueDateChanges: { load: async (l, cms) => (await l.dueDateChanges.loadAll(ids(cms, 'id'))).flat() },
    // The standing sign-off is found among all of them (one loader for both fields).
    signOff: SIGN_OFFS,
    signOffs: SIGN_OFFS,
  },
  EvidenceRequirement: {
    evidence: {
      type: 'Evidence',
      load: async (l, reqs, args) =>
        (await l.evidence.byRequirement.loadAll(ids(reqs, 'id'))).flat().filter((e) => args['includeHistory'] || e.status === 'SUBMITTED'),
    },
  },
  Evidence: {
    reviews: { load: async (l, evidence) => (await l.evidence.reviews.loadAll(ids(evidence, 'id'))).flat() },
    uploadedBy: { load: async (l, evidence) => present(await l.user.loadAll(ids(evidence, 'uploadedById'))) },
    countermeasure: {
      type: 'Countermeasure',
      load: async (l, evidence) => present(await l.countermeasure.loadAll(ids(evidence, 'countermeasureId'))),
    },
  },
};

/** From a connection field to its items: `nodes` and `edges { node }`. */
export const CONNECTION_PATHS = [['nodes'], ['edges', 'node']] as const;

function ids(rows: readonly object[], key: string): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const v = (r as Record<string, unknown>)[key];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

/**
 * Loads ahead what the selection under the current field asks of `items`
 * (objects of GraphQL type `typeName`), following `paths` from the current
 * field to the items: `[['nodes'], ['edges', 'node']]` for a connection,
 * `[[]]` for a plain list or object.
 */
export async function lookAhead(
  loaders: Loaders,
  info: GraphQLResolveInfo,
  typeName: string,
  items: readonly object[],
  paths: readonly (readonly string[])[] = [[]],
  relations: Relations = RELATIONS,
): Promise<void> {
  if (items.length === 0) return;
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return;
  // The rows below are read with only the columns this operation can ask for.
  Object.assign(loaders.selected, selectedColumns(info));
  let sets: SelectionSetNode[] = [];
  for (const path of paths) {
    let current = info.fieldNodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
    for (const name of path) {
      current = (fieldsOf(info, null, current).get(name) ?? []).map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
    }
    sets = sets.concat(current);
  }
  await new Walk(loaders, info, relations).level(type, sets, items);
}

class Walk {
  /** Loads whose children need no look-ahead: started together at the end, so that one loader answers them in one batch. */
  private readonly deferred: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly loaders: Loaders,
    private readonly info: GraphQLResolveInfo,
    private readonly relations: Relations,
  ) {}

  async level(type: GraphQLObjectType, sets: SelectionSetNode[], parents: readonly object[], top = true): Promise<void> {
    const known = this.relations[type.name];
    if (known) {
      const fields = fieldsOf(this.info, type, sets);
      const now: Promise<void>[] = [];
      for (const [name, nodes] of fields) {
        const relation = known[name];
        const def = type.getFields()[name];
        if (!relation || !def) continue;
        for (const node of nodes) {
          const args = getArgumentValues(def, node, this.info.variableValues);
          const childType = relation.type ? this.info.schema.getType(relation.type) : undefined;
          const below = node.selectionSet ? [node.selectionSet] : [];
          if (isObjectType(childType) && below.length > 0 && this.relations[childType.name]) {
            now.push(relation.load(this.loaders, parents, args).then((children) => this.level(childType, below, children, false)));
          } else {
            this.deferred.push(() => relation.load(this.loaders, parents, args));
          }
        }
      }
      await Promise.all(now);
    }
    if (top) await Promise.all(this.deferred.map((load) => load()));
  }
}

/** The fields a selection asks of an object type (null: of any type), by field name, through fragments, honouring @skip/@include. */
function fieldsOf(
  info: GraphQLResolveInfo,
  type: GraphQLObjectType | null,
  sets: readonly SelectionSetNode[],
  into = new Map<string, FieldNode[]>(),
  seen = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const set of sets) {
    for (const sel of set.selections) {
      if (!included(info, sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const list = into.get(sel.name.value);
        if (list) list.push(sel);
        else into.set(sel.name.value, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (applies(info, type, sel.typeCondition?.name.value)) fieldsOf(info, type, [sel.selectionSet], into, seen);
      } else {
        const name = sel.name.value;
        const fragment = info.fragments[name];
        if (seen.has(name) || !fragment) continue;
        seen.add(name);
        if (applies(info, type, fragment.typeCondition.name.value)) fieldsOf(info, type, [fragment.selectionSet], into, seen);
      }
    }
  }
  return into;
}

function included(info: GraphQLResolveInfo, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.['if'] !== false;
}

function applies(info: GraphQLResolveInfo, type: GraphQLObjectType | null, condition: string | undefined): boolean {
  if (!condition || !type || condition === type.name) return true;
  const cond = info.schema.getType(condition);
  return !!cond && isAbstractType(cond) && info.schema.isSubType(cond, type);
}
