// Texts for fuzzing the YAML path scanner (yaml-path-fuzz.test.ts): the mapping fixtures and, as a
// user has them while typing, random edits of them (cut short, a line deleted, a stray '-', ':',
// '[' or quote, a line indented or dedented), generated from a fixed seed.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';

export const ROOT = join(__dirname, '../../..');

export interface FuzzText {
  name: string;
  text: string;
}

/** An edit of a base text: `del` characters at `at` replaced by `ins`. */
export type Edit = [at: number, del: number, ins: string];

export function applyEdit(text: string, [at, del, ins]: Edit): string {
  return text.slice(0, at) + ins + text.slice(at + del);
}

/** The mapping fixtures of the repository, by path. */
export function corpus(): FuzzText[] {
  const out: FuzzText[] = [
    { name: 'examples/halo-identity.yaml', text: readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8') },
    { name: 'EXAMPLE_MAPPING', text: EXAMPLE_MAPPING },
  ];
  for (const dir of ['test/fixtures/bad', 'test/fixtures/plans', 'test/vscode/workspace']) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) if (f.endsWith('.yaml')) out.push({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') });
  }
  return out;
}

/** A deterministic random number generator (mulberry32): floats in [0, 1). */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRAYS = ['-', ':', '[', '{', ']', '}', '"', "'", '#', ',', ' ', '- ', ': ', '\n', '|', '  ', '\t', '&a ', '*', '!t ', '? '];

/** `n` random edits of `text`, each with a name saying what it did. */
export function edits(text: string, rand: () => number, n: number): Array<{ name: string; edit: Edit }> {
  const out: Array<{ name: string; edit: Edit }> = [];
  const pick = (k: number) => Math.floor(rand() * k);
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
  const lineAt = () => {
    const l = pick(lineStarts.length);
    const start = lineStarts[l];
    const end = l + 1 < lineStarts.length ? lineStarts[l + 1] : text.length;
    return { l, start, end };
  };
  while (out.length < n) {
    const kind = pick(7);
    if (kind === 0) {
      const at = pick(text.length + 1);
      out.push({ name: `cut at ${at}`, edit: [at, text.length - at, ''] });
    } else if (kind === 1) {
      const { l, start, end } = lineAt();
      out.push({ name: `line ${l + 1} deleted`, edit: [start, end - start, ''] });
    } else if (kind === 2 || kind === 3) {
      const at = pick(text.length + 1);
      const s = STRAYS[pick(STRAYS.length)];
      out.push({ name: `${JSON.stringify(s)} inserted at ${at}`, edit: [at, 0, s] });
    } else if (kind === 4) {
      // An unclosed quote at the start of a value.
      const starts = [...text.matchAll(/[:-] (?=\S)/g)].map((m) => m.index! + 2);
      if (!starts.length) continue;
      const at = starts[pick(starts.length)];
      const q = rand() < 0.5 ? '"' : "'";
      out.push({ name: `${q} opened at ${at}`, edit: [at, 0, q] });
    } else if (kind === 5) {
      const { l, start } = lineAt();
      const dedent = text.slice(start, start + 2) === '  ' && rand() < 0.5;
      out.push({ name: `line ${l + 1} ${dedent ? 'dedented' : 'indented'}`, edit: dedent ? [start, 2, ''] : [start, 0, '  '] });
    } else {
      const at = pick(text.length + 1);
      const len = 1 + pick(12);
      out.push({ name: `${len} deleted at ${at}`, edit: [at, Math.min(len, text.length - at), ''] });
    }
  }
  return out;
}

/** `max` offsets of `text` (all of them when it is short), half of them near `site`. */
export function offsets(text: string, rand: () => number, max: number, site?: number): number[] {
  if (text.length + 1 <= max) return Array.from({ length: text.length + 1 }, (_, i) => i);
  const set = new Set<number>();
  if (site !== undefined) {
    for (let i = Math.max(0, site - 40); i <= Math.min(text.length, site + 40) && set.size < max / 2; i++) set.add(i);
  }
  while (set.size < max) set.add(Math.floor(rand() * (text.length + 1)));
  return [...set].sort((a, b) => a - b);
}
