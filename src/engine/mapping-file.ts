// Reading a mapping file from disk: size and encoding checked before parsing, so bad input gets
// a positioned message and never a stack trace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, parseMapping, ParsedMapping } from '../core/parse';
import type { Mapping } from '../core/mapping';

export interface MappingFile {
  file: string;
  baseDir: string;
  text: string;
  parsed: ParsedMapping;
}

/** The mapping has errors: nothing may be read or written with it. */
export class MappingInvalidError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    super(`${file} has ${n} error${n === 1 ? '' : 's'}`);
    this.name = 'MappingInvalidError';
  }
}

/** Mapping files are small; anything larger is refused before the YAML parser sees it. */
export const MAX_MAPPING_BYTES = 1024 * 1024;

export function readMappingFile(file: string): MappingFile {
  const full = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file} not found` : `cannot read ${file}: ${code ?? (e as Error).message}`);
  }
  const at0 = (message: string, code: string): Diagnostic => ({ severity: 'error', message, code, path: [], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  if (bytes.length > MAX_MAPPING_BYTES) {
    throw new MappingInvalidError(full, [at0(`the file is ${Math.round(bytes.length / 1024)} KiB; a mapping file may be at most ${MAX_MAPPING_BYTES / 1024} KiB`, 'file-too-large')]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const d = at0('the file is not valid UTF-8 text; save it as UTF-8', 'not-utf8');
    d.range = { start: at, end: { line: at.line, character: at.character + 1 } };
    throw new MappingInvalidError(full, [d]);
  }
  return { file: full, baseDir: path.dirname(full), text, parsed: parseMapping(text) };
}

/** The valid mapping, or MappingInvalidError with every error. */
export function validMapping(m: MappingFile): Mapping {
  if (!m.parsed.mapping) throw new MappingInvalidError(m.file, m.parsed.diagnostics);
  return m.parsed.mapping;
}

function firstInvalidUtf8(bytes: Buffer): { line: number; character: number } {
  let line = 0;
  let character = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >> 5 === 6 ? 2 : b >> 4 === 14 ? 3 : b >> 3 === 30 ? 4 : 0;
    const ok = len > 0 && i + len <= bytes.length && [...bytes.subarray(i + 1, i + len)].every((c) => c >> 6 === 2);
    if (!ok) return { line, character };
    if (b === 0x0a) {
      line++;
      character = 0;
    } else character++;
    i += len;
  }
  return { line, character };
}
