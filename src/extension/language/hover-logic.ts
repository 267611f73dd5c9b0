// Hover text for mapping files, without vscode: what the schema says about the key under the
// cursor, what an enum value means, and for a rule name what the last plan found.
import type { RuleStats } from '../../core/changes';
import { formatPath } from '../../core/diagnostic';
import { schemaAt } from '../../core/schema-walk';
import { scanYaml } from '../../core/yaml-path';
import { matches } from './completion-logic';
import { attributesAt, directoriesAt, fieldSource } from './attributes';
import type { Path, ScalarAt } from '../../core/yaml-path';
import { describeRuleStats, findRuleStats } from './rule-stats';
import { schemaMarkdown } from './schema-docs';

export interface HoverResult {
  /** Markdown. */
  markdown: string;
  start: number;
  end: number;
}

function attributeText(name: string, path: Path, values: ScalarAt[]): string | undefined {
  const bare = name.replace(/\[\d+\]$/, '');
  const a = attributesAt(path, values).find((x) => x.name === bare);
  return a ? `${a.detail} \`${bare}\`: ${a.description}` : undefined;
}

/**
 * The hover at `offset`, or undefined off any key or value. `rules` is the last plan's per-rule
 * statistics, undefined when there is no plan yet.
 */
export function hoverAt(text: string, offset: number, rules?: readonly RuleStats[]): HoverResult | undefined {
  const scan = scanYaml(text, offset);
  const tok = scan.token;
  if (!tok) return undefined;
  const path = tok.path;
  const info = schemaAt(path);
  if (!info) return undefined;
  const parts: string[] = [`**${formatPath(path)}**`];

  if (tok.part === 'key' && matches(path, ['agents', 'users'], '#', 'from', 'where', '*')) {
    const a = attributeText(String(path[4]), path, scan.values);
    if (a) parts.push(a);
  }
  if (tok.part === 'key' && matches(path, 'fields', ['users', 'agents'], '*')) {
    const noun = path[1] === 'users' ? 'user' : 'agent';
    const source = fieldSource(directoriesAt(path, scan.values), String(path[2]));
    parts.push(`Halo ${noun} field \`${path[2]}\`${source ? `, usually filled from \`${source}\`` : ''}.`);
  }
  if (tok.part === 'value') {
    const value = info.enum.find((e) => String(e.value) === tok.text);
    if (value?.description) parts.push(`\`${tok.text}\`: ${value.description}`);
    const attributePlace =
      matches(path, 'users', '#', 'siteFrom') ||
      (path[0] === 'fields' && path.length >= 3 && (path.length === 3 || typeof path[3] === 'number' || path[3] === 'from'));
    const a = attributePlace ? attributeText(tok.text, path, scan.values) : undefined;
    if (a) parts.push(a);
  }
  const docs = schemaMarkdown(info);
  if (docs) parts.push(docs);

  if (matches(path, ['agents', 'users'], '#', 'rule')) {
    const kind = path[0] === 'agents' ? 'agent' : 'user';
    const name = scan.values.find((v) => v.path.length === 3 && v.path[0] === path[0] && v.path[1] === path[1] && v.path[2] === 'rule')?.value;
    if (name !== undefined) {
      const stats = findRuleStats(rules, kind, name);
      if (stats) parts.push(`**Last plan:** ${describeRuleStats(stats)}`);
      else parts.push(rules ? '**Last plan:** this rule was not in it. Dry Run to see what it matches.' : 'Dry Run to see what this rule matches.');
    }
  }
  return { markdown: parts.join('\n\n'), start: tok.start, end: tok.end };
}
