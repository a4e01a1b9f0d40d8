import { describe, expect, it } from 'vitest';
import {
  dependencyCyclePath,
  parentCyclePath,
  wouldCreateDependencyCycle,
  wouldCreateParentCycle,
  type DependencyEdge,
} from './plan-graph';

const parents = (pairs: [child: string, parent: string | null][]) => new Map(pairs);
const edges = (pairs: [from: string, to: string][]): DependencyEdge[] =>
  pairs.map(([countermeasureId, dependsOnId]) => ({ countermeasureId, dependsOnId }));
const chain = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

describe('parents: an action plan breaks into sub-actions, never above itself', () => {
  it('allows a first parent, a new parent and clearing the parent', () => {
    const p = parents([['B', 'A']]);
    expect(wouldCreateParentCycle('C', 'A', p)).toBe(false);
    expect(wouldCreateParentCycle('B', 'C', p)).toBe(false); // moving B under C
    expect(wouldCreateParentCycle('B', null, p)).toBe(false);
    expect(parentCyclePath('B', null, p)).toBeNull();
  });

  it('refuses the item as its own parent (a self-loop)', () => {
    expect(wouldCreateParentCycle('A', 'A', new Map())).toBe(true);
    expect(parentCyclePath('A', 'A', new Map())).toEqual(['A', 'A']);
  });

  it('refuses a parent that is the child of the item', () => {
    expect(parentCyclePath('A', 'B', parents([['B', 'A']]))).toEqual(['A', 'B', 'A']);
  });

  it('refuses closing A → B → C (A above B above C) by putting C above A, and names the chain', () => {
    const p = parents([
      ['B', 'A'],
      ['C', 'B'],
    ]);
    expect(parentCyclePath('A', 'C', p)).toEqual(['A', 'C', 'B', 'A']);
  });

  it('allows a parent in another branch of the same tree, and siblings under one parent', () => {
    const p = parents([
      ['B', 'A'],
      ['C', 'A'],
      ['D', 'B'],
    ]);
    expect(wouldCreateParentCycle('C', 'D', p)).toBe(false);
    expect(wouldCreateParentCycle('D', 'C', p)).toBe(false);
    expect(wouldCreateParentCycle('B', 'D', p)).toBe(true);
    expect(wouldCreateParentCycle('A', 'D', p)).toBe(true);
  });

  it('handles a chain of 50 000 levels without recursion, both ways', () => {
    const ids = chain(50_000);
    const p = new Map(ids.slice(1).map((id, i) => [id, ids[i]!] as [string, string])); // n1 under n0, n2 under n1, ...
    expect(wouldCreateParentCycle(ids[0]!, ids.at(-1)!, p)).toBe(true);
    expect(parentCyclePath(ids[0]!, ids.at(-1)!, p)).toHaveLength(50_001);
    expect(wouldCreateParentCycle(ids.at(-1)!, 'elsewhere', p)).toBe(false);
    expect(wouldCreateParentCycle('new', ids.at(-1)!, p)).toBe(false);
  });

  it('terminates on a stored cycle that does not involve the item (a corrupt row) and does not invent one', () => {
    const p = parents([
      ['X', 'Y'],
      ['Y', 'X'],
    ]);
    expect(wouldCreateParentCycle('A', 'X', p)).toBe(false);
  });

  it('treats an unknown parent id as the top of its own tree', () => {
    expect(wouldCreateParentCycle('A', 'unknown', parents([['A', null]]))).toBe(false);
  });
});

describe('dependencies: a directed graph without cycles', () => {
  it('allows a first edge, a parallel path and a diamond', () => {
    expect(wouldCreateDependencyCycle('A', 'B', [])).toBe(false);
    const diamond = edges([
      ['A', 'B'],
      ['A', 'C'],
      ['B', 'D'],
    ]);
    expect(wouldCreateDependencyCycle('C', 'D', diamond)).toBe(false);
    expect(wouldCreateDependencyCycle('A', 'D', diamond)).toBe(false); // a shortcut is no cycle
  });

  it('refuses an item depending on itself (a self-loop)', () => {
    expect(dependencyCyclePath('A', 'A', [])).toEqual(['A', 'A']);
    expect(wouldCreateDependencyCycle('A', 'A', edges([['A', 'B']]))).toBe(true);
  });

  it('refuses the reverse of an existing edge', () => {
    expect(dependencyCyclePath('B', 'A', edges([['A', 'B']]))).toEqual(['B', 'A', 'B']);
  });

  it('refuses closing A → B → C with C → A, and names the cycle in order', () => {
    const e = edges([
      ['A', 'B'],
      ['B', 'C'],
    ]);
    expect(dependencyCyclePath('C', 'A', e)).toEqual(['C', 'A', 'B', 'C']);
  });

  it('finds the cycle through one branch of many, and ignores edges that lead elsewhere', () => {
    const e = edges([
      ['B', 'X1'],
      ['B', 'X2'],
      ['X2', 'X3'],
      ['B', 'Y1'],
      ['Y1', 'Y2'],
      ['Y2', 'A'],
      ['Z', 'A'], // into A, but not reachable from B
    ]);
    expect(dependencyCyclePath('A', 'B', e)).toEqual(['A', 'B', 'Y1', 'Y2', 'A']);
    expect(wouldCreateDependencyCycle('Z', 'B', e)).toBe(false); // B leads to A, never to Z
    expect(wouldCreateDependencyCycle('A', 'Z', e)).toBe(true); // Z → A is stored
  });

  it('does not mistake a duplicate edge for a cycle', () => {
    expect(wouldCreateDependencyCycle('A', 'B', edges([['A', 'B']]))).toBe(false);
  });

  it('handles a chain of 50 000 edges without recursion, both ways', () => {
    const ids = chain(50_000);
    const e = edges(ids.slice(1).map((id, i) => [ids[i]!, id] as [string, string])); // n0 → n1 → ... → n99999
    const path = dependencyCyclePath(ids.at(-1)!, ids[0]!, e);
    expect(path).toHaveLength(50_001);
    expect(path![0]).toBe(ids.at(-1));
    expect(path![1]).toBe(ids[0]);
    expect(path!.at(-1)).toBe(ids.at(-1));
    expect(wouldCreateDependencyCycle(ids[0]!, ids.at(-1)!, e)).toBe(false);
  });

  it('visits each node once on a dense graph (a complete DAG of 400 nodes, ~80 000 edges)', () => {
    const ids = chain(400);
    const e: DependencyEdge[] = [];
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) e.push({ countermeasureId: ids[i]!, dependsOnId: ids[j]! });
    expect(wouldCreateDependencyCycle(ids.at(-1)!, ids[0]!, e)).toBe(true);
    expect(wouldCreateDependencyCycle(ids[0]!, ids.at(-1)!, e)).toBe(false);
  });

  it('terminates on a stored cycle that does not involve the new edge (a corrupt row) and does not invent one', () => {
    const e = edges([
      ['B', 'X'],
      ['X', 'Y'],
      ['Y', 'X'],
    ]);
    expect(wouldCreateDependencyCycle('A', 'B', e)).toBe(false);
  });

  it('accepts any iterable of edges, e.g. rows streamed from a query', () => {
    function* rows() {
      yield { countermeasureId: 'A', dependsOnId: 'B' };
    }
    expect(wouldCreateDependencyCycle('B', 'A', rows())).toBe(true);
  });
});
