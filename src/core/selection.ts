// Applying part of a plan (Apply Selected in the panel, `apply --only` on the command line): the
// changes picked by their stable keys, plus what they cannot be applied without.
import { Change, changeKey, Plan } from './changes';
import { nameKey } from './values';

export interface PlanSelection {
  /** Everything to apply: the picked changes and the ones they need, in plan order. */
  changes: Change[];
  /** Changes not picked but needed by one that was: a site a picked user is to be placed in. */
  needed: Change[];
  /** Keys that name no change of this plan (Entra or Halo changed since they were taken). */
  unknown: string[];
}

const siteKey = (clientId: number, name: string) => `${clientId}\u0000${nameKey(name)}`;

export function selectChanges(plan: Plan, keys: Iterable<string>): PlanSelection {
  const wanted = new Set(keys);
  const picked = new Set(plan.changes.filter((c) => wanted.has(changeKey(c))));
  const found = new Set([...picked].map(changeKey));
  const sites = new Map(plan.changes.filter((c) => c.action === 'createSite' && c.site).map((c) => [siteKey(c.site!.clientId, c.site!.name), c]));
  const needed: Change[] = [];
  for (const c of picked) {
    // A user placed in a site still to be created: the user's body names the site by its new id.
    if (c.kind !== 'user' || !c.site || c.site.id !== null) continue;
    const site = sites.get(siteKey(c.site.clientId, c.site.name));
    if (site && !picked.has(site) && !needed.includes(site)) needed.push(site);
  }
  const all = new Set([...picked, ...needed]);
  return { changes: plan.changes.filter((c) => all.has(c)), needed, unknown: [...wanted].filter((k) => !found.has(k)) };
}
