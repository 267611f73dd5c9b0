// The apply journal: JSON lines, appended synchronously so a killed process leaves every line it
// wrote whole. A line before each batch is sent, and one per change after Halo answers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Change } from '../core/changes';

export type JournalResult = 'ok' | 'error' | 'stale' | 'skipped';

export interface JournalEntry {
  time: string;
  type: 'start' | 'batch' | 'change' | 'end' | 'note';
  [key: string]: unknown;
}

/** The journal could not be written: the apply stops, since a write it cannot record must not be sent. */
export class JournalError extends Error {
  constructor(file: string, cause: unknown) {
    super(`Cannot write the journal ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}): nothing more is sent to Halo.`);
    this.name = 'JournalError';
  }
}

export class Journal {
  private fd: number | null = null;

  constructor(readonly file: string | null) {}

  private write(entry: Omit<JournalEntry, 'time'>): void {
    if (!this.file) return;
    try {
      if (this.fd === null) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = fs.openSync(this.file, 'a');
      }
      fs.writeSync(this.fd, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
    } catch (e) {
      throw new JournalError(this.file, e);
    }
  }

  start(summary: unknown, blocked: unknown, override: boolean): void {
    this.write({ type: 'start', summary, blocked, override });
  }

  batch(kind: string, action: string, changes: Change[]): void {
    this.write({ type: 'batch', kind, action, count: changes.length, records: changes.map((c) => ({ haloId: c.haloId, entraId: c.entraId, name: c.name })) });
  }

  /** `written`: values known only when sent (the id of a site created earlier in this apply). */
  change(c: Change, result: JournalResult, extra: { haloId?: number | null; message?: string; written?: Record<string, unknown> } = {}): void {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(c.fields)) {
      before[k] = f.from;
      after[k] = extra.written && k in extra.written ? extra.written[k] : f.to;
    }
    this.write({
      type: 'change', action: c.action, kind: c.kind, haloId: extra.haloId ?? c.haloId, entraId: c.entraId, tenant: c.tenant, name: c.name, rule: c.rule,
      before, after, memberships: c.memberships ?? null, result, ...(extra.message ? { message: extra.message } : {}),
    });
  }

  note(message: string, data: Record<string, unknown> = {}): void {
    this.write({ type: 'note', message, ...data });
  }

  end(outcome: Record<string, unknown>): void {
    this.write({ type: 'end', ...outcome });
    this.close();
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads a journal back, skipping a torn last line (the process died mid-write). */
export function readJournal(file: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* torn line */
    }
  }
  return out;
}
