// "Did you mean" for misspelt keys and names: restricted Damerau-Levenshtein distance
// (a transposition such as "clinet" → "client" costs one edit, as people mistype).

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2: number[] = new Array(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur: number[] = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

export interface SuggestOptions {
  /** At most this many suggestions (default 3). */
  max?: number;
}

/**
 * Candidates close to `word`, best first. Case is ignored when measuring (a case-only difference
 * ranks first), and a candidate that starts with the word (or the reverse) counts as close, so
 * "Service" suggests "Service Desk".
 */
export function suggest(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string[] {
  const max = options.max ?? 3;
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored: Array<{ c: string; score: number }> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (c === word || seen.has(c)) continue;
    seen.add(c);
    const lc = c.toLowerCase();
    let score: number;
    if (lc === w) score = 0;
    else {
      const d = editDistance(w, lc);
      if (d <= limit) score = d;
      else if ((w.length >= 3 && lc.startsWith(w)) || (lc.length >= 3 && w.startsWith(lc))) score = limit + 0.5;
      else continue;
    }
    scored.push({ c, score });
  }
  scored.sort((x, y) => x.score - y.score || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, max).map((s) => s.c);
}

/** ` (did you mean "x"?)`, or "" when there is nothing to suggest. */
export function didYouMean(suggestions: string[]): string {
  return suggestions.length ? ` (did you mean "${suggestions[0]}"?)` : '';
}
