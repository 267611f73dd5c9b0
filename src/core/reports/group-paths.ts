// How a user is in a group the mapping names: the chain of nested groups from the one that holds
// them directly up to the named one, as an auditor asks ("SG-Tier2 ⊂ SG-Halo-Agents").

/** Direct members of each group of a tree, by group id. */
export type GroupTree = ReadonlyMap<string, { name: string; users: ReadonlySet<string>; groups: readonly string[] }>;

/**
 * Group names from the innermost group holding `userId` directly out to `rootId`, shortest chain
 * first found (breadth first); undefined when the tree does not hold the user.
 */
export function groupPath(tree: GroupTree, rootId: string, userId: string): string[] | undefined {
  const parent = new Map<string, string | null>([[rootId, null]]);
  const queue = [rootId];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    const g = tree.get(id);
    if (!g) continue;
    if (g.users.has(userId)) {
      const chain: string[] = [];
      for (let at: string | null = id; at !== null; at = parent.get(at) ?? null) chain.push(tree.get(at)?.name ?? at);
      return chain;
    }
    for (const child of g.groups) {
      if (parent.has(child)) continue;
      parent.set(child, id);
      queue.push(child);
    }
  }
  return undefined;
}

export function formatPath(chain: string[]): string {
  return chain.join(' ⊂ ');
}
