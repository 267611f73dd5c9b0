// One line per rule from the last plan, shared by CodeLens and hover.
import type { RuleStats } from '../../core/changes';

export type RuleKind = 'agent' | 'user';

/** `matches 42 identities · 3 to create · 1 to update · 1 to deactivate`; `from` says where (`Okta (customers)`) when the file reads several directories. */
export function describeRuleStats(s: RuleStats, from?: string): string {
  const parts = [`matches ${s.matched} ${s.matched === 1 ? 'identity' : 'identities'}${from ? ` in ${from}` : ''}`];
  const changes: Array<[number, string]> = [
    [s.create, 'to create'],
    [s.update, 'to update'],
    [s.reactivate, 'to reactivate'],
    [s.deactivate, 'to deactivate'],
  ];
  for (const [n, what] of changes) if (n > 0) parts.push(`${n} ${what}`);
  if (parts.length === 1) parts.push('no changes');
  return parts.join(' · ');
}

export function findRuleStats(rules: readonly RuleStats[] | undefined, kind: RuleKind, rule: string): RuleStats | undefined {
  return rules?.find((r) => r.kind === kind && r.rule === rule);
}

/** The lens title above a rule: its stats, or what to do to get them. */
export function ruleLensTitle(rules: readonly RuleStats[] | undefined, kind: RuleKind, rule: string, from?: string): string {
  const stats = findRuleStats(rules, kind, rule);
  if (stats) return describeRuleStats(stats, from);
  return rules ? 'not in the last plan · Dry Run to see matches' : 'Dry Run to see matches';
}
