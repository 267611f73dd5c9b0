// Schema text as shown in completion documentation and hovers.
import type { SchemaInfo } from '../../core/schema-walk';

function code(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return '`' + s.replace(/`/g, "'") + '`';
}

/** Description, allowed values (with what each means) and default, as markdown. */
export function schemaMarkdown(info: SchemaInfo): string {
  const parts: string[] = [];
  if (info.description) parts.push(info.description);
  if (info.enum.length > 1 || (info.enum.length === 1 && info.enum[0].description)) {
    const described = info.enum.some((e) => e.description);
    parts.push(
      described
        ? `Allowed values:\n${info.enum.map((e) => `- ${code(e.value)}${e.description ? `: ${e.description}` : ''}`).join('\n')}`
        : `Allowed values: ${info.enum.map((e) => code(e.value)).join(', ')}`,
    );
  }
  if (info.hasDefault) parts.push(`Default: ${code(info.default)}`);
  return parts.join('\n\n');
}

/** A short type label: `named | concurrent | unchanged`, `list`, `mapping`, `text`. */
export function typeLabel(info: SchemaInfo): string {
  if (info.enum.length) return info.enum.map((e) => String(e.value)).join(' | ');
  const names: Record<string, string> = { string: 'text', integer: 'number', number: 'number', boolean: 'true | false', array: 'list', object: 'mapping', null: 'empty' };
  const out = [...new Set(info.types.map((t) => names[t] ?? t))];
  if (!out.length && info.properties.length) return 'mapping';
  return out.join(' or ');
}
