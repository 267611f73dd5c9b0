// Human renderings of a plan: plain text for terminals (like `terraform plan`) and Markdown for
// pull requests and the editor. Both group by action and show field-level from → to.
import type { Action, Change, FieldChange, Memberships, Plan } from './changes';
import { ACTIONS, changeKey } from './changes';

const SYMBOL: Record<Action, string> = { createSite: '+', create: '+', update: '~', reactivate: '^', deactivate: '-' };
const TITLE: Record<Action, string> = { createSite: 'Sites to create', create: 'To create', update: 'To update', reactivate: 'To reactivate', deactivate: 'To deactivate' };

export function summaryLine(plan: Plan): string {
  return `${counts(plan.summary)}; ${plan.summary.unchanged} unchanged`;
}

/** The summary line of some of a plan's changes (a selection). */
export function countLine(changes: Change[]): string {
  const n = (a: Action) => changes.filter((c) => c.action === a).length;
  return counts({ create: n('create'), update: n('update'), reactivate: n('reactivate'), deactivate: n('deactivate'), createSite: n('createSite') });
}

function counts(s: Record<Action, number>): string {
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.reactivate} to reactivate`, `${s.deactivate} to deactivate`];
  if (s.createSite) parts.push(`${s.createSite} site${s.createSite === 1 ? '' : 's'} to create`);
  return parts.join(', ');
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.changes.length === 0;
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  return JSON.stringify(v);
}

function describe(c: Change): string {
  const id = c.haloId !== null ? ` #${c.haloId}` : '';
  if (c.kind === 'site') return `site "${c.name}" under ${c.site?.clientName ?? 'client'}`;
  return `${c.kind} "${c.name}"${id}`;
}

function membershipLines(m: Memberships | undefined): string[] {
  const out: string[] = [];
  for (const [what, d] of Object.entries(m ?? {})) {
    if (!d) continue;
    const parts = [...d.add.map((x: string) => (d.why?.[x] ? `+${x} (${d.why[x]})` : `+${x}`)), ...d.remove.map((x: string) => `-${x}`)];
    if (parts.length) out.push(`${what}: ${parts.join(' ')}`);
  }
  for (const r of m?.cabs?.role ?? []) out.push(`CAB role on ${r.cab}: ${formatValue(r.from)} → ${formatValue(r.to)}`);
  return out;
}

function fieldLines(c: Change): string[] {
  return Object.entries(c.fields).map(([k, f]: [string, FieldChange]) => {
    const to = k === 'site_id' && c.site ? (c.site.id === null ? `new site "${c.site.name}"` : `${formatValue(f.to)} (${c.site.name})`) : formatValue(f.to);
    return c.action === 'create' || c.action === 'createSite' ? `${k}: ${to}` : `${k}: ${formatValue(f.from)} → ${to}`;
  });
}

export function renderText(plan: Plan): string {
  const lines: string[] = [`Plan: ${summaryLine(plan)}.`];
  if (plan.blocked) lines.push('', `BLOCKED: ${plan.blocked.reason}.`, 'Apply refuses this plan unless the threshold is explicitly overridden.');
  if (plan.errors.length) {
    lines.push('', `Errors (${plan.errors.length}): these identities are left alone until fixed.`);
    for (const e of plan.errors) lines.push(`  ! ${e.name ?? e.entraId ?? ''}${e.kind ? ` (${e.kind}${e.rule ? `, rule ${e.rule}` : ''})` : ''}${e.haloId ? ` #${e.haloId}` : ''}: ${e.message}`);
  }
  for (const w of plan.warnings) lines.push('', `Warning: ${w}`);
  for (const action of ACTIONS) {
    const list = plan.changes.filter((c) => c.action === action);
    if (!list.length) continue;
    lines.push('', `${TITLE[action]} (${list.length}):`);
    for (const c of list) {
      lines.push(`  ${SYMBOL[action]} ${describe(c)}${c.rule ? `  [rule ${c.rule}]` : ''}`);
      lines.push(`      ${c.reason}`);
      for (const l of [...fieldLines(c), ...membershipLines(c.memberships)]) lines.push(`      ${l}`);
    }
  }
  if (plan.orphans.length) {
    lines.push('', `Orphans (${plan.orphans.length}): active records in managed scope that no Entra identity claims.`);
    for (const o of plan.orphans) lines.push(`  ? ${o.kind} "${o.name}" #${o.haloId}`);
  }
  if (!plan.changes.length) lines.push('', 'No changes. Halo matches the mapping.');
  return lines.join('\n') + '\n';
}

const md = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);

export function renderMarkdown(plan: Plan): string {
  const s = plan.summary;
  const lines: string[] = ['# Halo Identity plan', '', '| create | update | reactivate | deactivate | sites | unchanged |', '| ---: | ---: | ---: | ---: | ---: | ---: |', `| ${s.create} | ${s.update} | ${s.reactivate} | ${s.deactivate} | ${s.createSite} | ${s.unchanged} |`];
  if (plan.blocked) lines.push('', `> **Blocked:** ${md(plan.blocked.reason)}.`);
  for (const w of plan.warnings) lines.push('', `> **Warning:** ${md(w)}`);
  if (plan.errors.length) {
    lines.push('', `## Errors (${plan.errors.length})`, '');
    for (const e of plan.errors) lines.push(`- **${md(e.name ?? e.entraId ?? '')}**${e.kind ? ` (${e.kind}${e.rule ? `, rule \`${e.rule}\`` : ''})` : ''}: ${md(e.message)}`);
  }
  for (const action of ACTIONS) {
    const list = plan.changes.filter((c) => c.action === action);
    if (!list.length) continue;
    lines.push('', `## ${TITLE[action]} (${list.length})`, '');
    for (const c of list) {
      lines.push(`- \`${SYMBOL[action]}\` **${md(describe(c))}**${c.rule ? ` — rule \`${c.rule}\`` : ''}: ${md(c.reason)}`);
      for (const l of [...fieldLines(c), ...membershipLines(c.memberships)]) lines.push(`  - ${md(l)}`);
    }
  }
  if (plan.orphans.length) {
    lines.push('', `## Orphans (${plan.orphans.length})`, '');
    for (const o of plan.orphans) lines.push(`- ${o.kind} **${md(o.name)}** #${o.haloId}`);
  }
  if (!plan.changes.length) lines.push('', 'No changes. Halo matches the mapping.');
  return lines.join('\n') + '\n';
}

/**
 * Plan JSON: stable key order and formatting, so equal plans are byte-identical. Each change
 * carries its stable `key`, which `apply --only` and the panel's selection use.
 */
export function planJson(plan: Plan): string {
  return JSON.stringify({ ...plan, changes: plan.changes.map((c) => ({ key: changeKey(c), ...c })) }, null, 2) + '\n';
}
