// Writing names into YAML: most can stay plain, but a name that YAML would read as something else
// (a number, true, a comment, a flow separator) has to be quoted.

const SPECIAL = /^(?:true|false|null|~|yes|no|on|off|y|n)$/i;
const NUMBER = /^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

/** Whether `value` must be quoted to be read back as the same text (in a flow collection when `flow`). */
export function needsQuotes(value: string, flow = false): boolean {
  if (!value || value !== value.trim()) return true;
  if (SPECIAL.test(value) || NUMBER.test(value)) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return true;
  if (/: |:$| #|[\n\r\t]/.test(value)) return true;
  if (flow && /[,[\]{}]|:/.test(value)) return true;
  return false;
}

/** `value` as a YAML scalar: plain when that reads back the same, else double-quoted. */
export function formatScalar(value: string, flow = false): string {
  return needsQuotes(value, flow) ? JSON.stringify(value) : value;
}

/** `value` inside quotes the user already typed. */
export function escapeInQuotes(value: string, quote: '"' | "'"): string {
  return quote === "'" ? value.replace(/'/g, "''") : JSON.stringify(value).slice(1, -1);
}

/** Literal text inside a snippet. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** A value inside a snippet choice `${1|a,b|}`. */
export function escapeChoice(text: string): string {
  return text.replace(/[\\$}|,]/g, (c) => `\\${c}`);
}
