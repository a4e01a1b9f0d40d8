/**
 * The structure of a remediation plan, as pure graph rules (no I/O):
 *
 * - **Parents** form a forest: an action plan breaks into sub-actions, each
 *   sub-action has at most one parent, and no item may end up above itself.
 * - **Dependencies** form a directed acyclic graph: "A depends on B" is the
 *   edge A → B, and no chain of edges may lead back to where it started.
 *
 * A link to the item itself is the shortest cycle and is refused like any other.
 * The two structures are checked separately (a sub-action may depend on a
 * sibling, or on an item of another branch).
 *
 * Both checks are iterative (an explicit stack, not recursion), so a chain of
 * any length cannot overflow the call stack, and both keep a visited set, so
 * they terminate even on a graph that already holds a cycle (a corrupt row).
 *
 * The caller reads the incident's whole edge set under the incident's lock
 * and passes it here; the lock is what makes "no cycle" hold under concurrent
 * changes (see CountermeasureLinksService).
 */

/** "countermeasureId depends on dependsOnId": the shape of a countermeasure_dependencies row. */
export interface DependencyEdge {
  readonly countermeasureId: string;
  readonly dependsOnId: string;
}

/**
 * The cycle that giving `childId` the parent `newParentId` would close, as the
 * chain of ids from the child up to the child again (`[child, newParent, ..., child]`),
 * or null when there is none (including when the parent is cleared).
 *
 * @param parentOf the current parent of each item (items without a parent may be absent or map to null)
 */
export function parentCyclePath(
  childId: string,
  newParentId: string | null,
  parentOf: ReadonlyMap<string, string | null>,
): string[] | null {
  if (newParentId === null) return null;
  const path = [childId];
  const seen = new Set<string>();
  for (let at: string | null | undefined = newParentId; at != null && !seen.has(at); at = parentOf.get(at)) {
    path.push(at);
    if (at === childId) return path;
    seen.add(at);
  }
  return null;
}

/** Whether giving `childId` the parent `newParentId` would put the child above itself. */
export function wouldCreateParentCycle(childId: string, newParentId: string | null, parentOf: ReadonlyMap<string, string | null>): boolean {
  return parentCyclePath(childId, newParentId, parentOf) !== null;
}

/**
 * The cycle that adding the edge `from` → `to` ("from depends on to") would
 * close, as `[from, to, ..., from]`, or null when there is none. Depth-first
 * search from `to` for a path back to `from` along the existing edges.
 */
export function dependencyCyclePath(from: string, to: string, edges: Iterable<DependencyEdge>): string[] | null {
  if (from === to) return [from, from];
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.countermeasureId);
    if (list) list.push(e.dependsOnId);
    else out.set(e.countermeasureId, [e.dependsOnId]);
  }
  // How each visited node was reached, to rebuild the path once `from` is found.
  const cameFrom = new Map<string, string | null>([[to, null]]);
  const stack = [to];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const next of out.get(node) ?? []) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      if (next === from) {
        const back: string[] = [];
        for (let at: string | null = from; at !== null; at = cameFrom.get(at)!) back.push(at);
        return [from, ...back.reverse()];
      }
      stack.push(next);
    }
  }
  return null;
}

/** Whether adding "from depends on to" would close a cycle of dependencies. */
export function wouldCreateDependencyCycle(from: string, to: string, edges: Iterable<DependencyEdge>): boolean {
  return dependencyCyclePath(from, to, edges) !== null;
}
