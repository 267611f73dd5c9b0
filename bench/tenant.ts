// The benchmark tenants: seeded worlds of 1 000 to 100 000 Entra users with 2 000 groups, and the
// example mapping with percentage thresholds so that the big initial syncs are not blocked.
import { parseDocument } from 'yaml';
import { EXAMPLE_MAPPING } from '../src/sim/example-mapping';
import type { WorldOptions } from '../src/sim/world';

export const SEED = 20_250_501;
export const GROUPS = 2000;
/** Share of the in-scope Entra staff already in Halo: "a Halo that already holds most of them". */
export const HALO_SHARE = 0.7;

export function worldOptions(users: number, seed = SEED): WorldOptions {
  return { users, seed, groups: GROUPS, haloShare: HALO_SHARE, anomalies: true };
}

/** The example mapping, thresholds as shares; optional changes such as a rate limit. */
export function benchMapping(changes: Array<[Array<string | number>, unknown]> = [], base = EXAMPLE_MAPPING): string {
  const doc = parseDocument(base);
  // An initial sync changes more records than Halo holds (its creates count too), and a share may
  // not exceed 100 %: maxChanges goes, while a share of deactivations still guards against a bad read.
  doc.setIn(['safety', 'maxDeactivations'], '10%');
  doc.deleteIn(['safety', 'maxChanges']);
  for (const [p, v] of changes) doc.setIn(p, v);
  return doc.toString();
}

/** The one-line edit the re-plan benchmark makes: where the job title comes from. */
export function editedMapping(text: string, variant: number): string {
  const from = '    title: jobTitle\n';
  if (!text.includes(from)) throw new Error('the bench mapping has no "title: jobTitle" line to edit');
  return text.replace(from, variant % 2 ? '    title: department\n' : '    title: [jobTitle, department]\n');
}
