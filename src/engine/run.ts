// The engine's two entry points, shared by the CLI and the extension: plan (read both sides,
// compute the plan) and apply (plan, then write it with the journal).
import * as path from 'node:path';
import { AgentLink, nextAgentLinks } from '../core/agent-links';
import type { Plan } from '../core/changes';
import type { Mapping } from '../core/mapping';
import { directoryLabel } from '../core/directories';
import { partialReadBlock, recordRead } from '../core/partial-read';
import { plan as computePlan, planAndKeep, PlanOptions, PlanState, safetyBlock } from '../core/plan';
import { revertPlan } from '../core/revert';
import { applyPlan, ApplyOptions, ApplyResult } from './apply';
import { connect, ConnectOptions, Connections } from './connections';
import { Journal } from './journal';
import { readAgentLinks, writeAgentLinks } from './agent-links-file';
import { readHistory, writeHistory } from './read-history';
import { acquireRunLock } from './run-lock';
import { readUserLinks, writeUserLinks } from './user-links-file';
import { writtenUserLinks } from '../core/user-links';
import { Snapshots, takeSnapshots } from './snapshot';

export interface PlanRun {
  plan: Plan;
  snapshots: Snapshots;
  /** The agent links this plan started from (re-plans from the same snapshots use them too). */
  agentLinks: AgentLink[];
  /** Requests made to each side for this plan. */
  requests: { halo: number };
  /** Halo records in managed scope at plan time (what a percentage threshold is a share of). */
  managedRecords: number;
  /** With `keepState`: what the plan worked out, from which an edited mapping re-plans against these snapshots (core/replan.ts). */
  state?: PlanState;
}

export interface PlanWithOptions {
  signal?: AbortSignal;
  onProgress?: (m: string) => void;
  /** Bring each connection up to date from its cached snapshot where its API allows (see takeSnapshots). */
  incremental?: boolean;
  /** Detail reads done of those announced (only a Halo whose rows lack what the plan needs makes them). */
  onDetail?: (done: number, total: number) => void;
  /** Keep what the plan worked out (PlanRun.state), for re-plans of edits (the editor's). */
  keepState?: boolean;
}

export async function planWith(conns: Connections, options: PlanWithOptions = {}): Promise<PlanRun> {
  const before = conns.halo.requestCount;
  const snapshots = await takeSnapshots(conns, { signal: options.signal, onProgress: options.onProgress, onDetail: options.onDetail, incremental: options.incremental });
  const agentLinks = readAgentLinks(conns.stateDir);
  const matched: AgentLink[] = [];
  let managedRecords = 0;
  const planOptions: PlanOptions = { agentLinks, onAgentMatch: (l) => matched.push(l), onManagedRecords: (n) => (managedRecords = n) };
  const state = options.keepState ? planAndKeep(conns.mapping, snapshots.directories, snapshots.halo, planOptions) : undefined;
  const plan = state?.plan ?? computePlan(conns.mapping, snapshots.directories, snapshots.halo, planOptions);
  // A suspected partial read is remembered neither as the new count nor as the new links.
  if (!guardPartialRead(conns, plan, snapshots)) writeAgentLinks(conns.stateDir, nextAgentLinks(agentLinks, matched, snapshots.halo));
  return { plan, snapshots, agentLinks, requests: { halo: conns.halo.requestCount - before }, managedRecords, ...(state ? { state } : {}) };
}

/** Blocks the plan (true) when a connection returned far fewer users than last time; else remembers the counts. */
function guardPartialRead(conns: Connections, plan: Plan, snapshots: Snapshots): boolean {
  const history = readHistory(conns.stateDir);
  const suspected = partialReadBlock(snapshots.directories, history, conns.mapping.safety?.minEntraUsers, (t) => directoryLabel(conns.mapping, t));
  if (suspected) plan.blocked = suspected;
  else writeHistory(conns.stateDir, recordRead(snapshots.directories, history, snapshots.takenAt));
  return Boolean(suspected);
}

export async function runPlan(mapping: Mapping, options: ConnectOptions & { onProgress?: (m: string) => void }): Promise<PlanRun> {
  const conns = await connect(mapping, options);
  try {
    return await planWith(conns, options);
  } finally {
    conns.close();
  }
}

/** Default journal path: in the state folder beside the mapping, one file per apply. */
export function defaultJournalPath(stateDir: string, now = new Date()): string {
  return path.join(stateDir, 'journals', `apply-${now.toISOString().replace(/[:.]/g, '-')}.jsonl`);
}

export interface ApplyRunOptions extends Omit<ApplyOptions, 'mapping' | 'halo' | 'journal' | 'planHalo'> {
  journalFile?: string;
  /** Who applies, for the lock's holder line (default "halo-identity apply"), and how long to wait for it. */
  lock?: { what?: string; waitMs?: number };
}

/**
 * Holds the run lock of the mapping's Halo (run-lock.ts) while `fn` writes: one apply at a time.
 * After waiting for another apply, Halo has changed since the plan: `fn` gets options that make
 * the apply read Halo afresh for its stale check.
 */
async function locked<T>(conns: Connections, options: ApplyRunOptions, fn: (options: ApplyRunOptions) => Promise<T>): Promise<T> {
  const lock = await acquireRunLock(conns.mapping.halo.url, options.lock?.what ?? 'halo-identity apply', { waitMs: options.lock?.waitMs });
  try {
    return await fn(lock.waited ? { ...options, planIsCurrent: false } : options);
  } finally {
    lock.release();
  }
}

/** Writes `plan` with a journal (the caller holds the run lock). */
async function journalled(conns: Connections, plan: Plan, options: ApplyRunOptions, planHalo?: PlanRun['snapshots']['halo']): Promise<ApplyResult & { journalFile: string }> {
  const journalFile = options.journalFile ?? defaultJournalPath(conns.stateDir);
  const journal = new Journal(journalFile);
  try {
    return { ...(await applyPlan(plan, { ...options, mapping: conns.mapping, halo: conns.halo, journal, planHalo })), journalFile };
  } finally {
    journal.close();
  }
}

export function applyWith(conns: Connections, run: PlanRun, options: ApplyRunOptions): Promise<ApplyResult & { journalFile: string }> {
  return locked(conns, options, async (current) => {
    const result = await journalled(conns, run.plan, current, run.snapshots.halo);
    // Only a Halo whose rows leave the link out keeps user links (engine/snapshot.ts).
    const links = readUserLinks(conns.stateDir);
    if (Object.keys(links).length && result.userLinks.length) writeUserLinks(conns.stateDir, writtenUserLinks(links, result.userLinks));
    // An admin who applied over a suspected partial read says the smaller directory is real.
    if (run.plan.blocked?.limit === 'minEntraUsers' && !result.failed && !result.cancelled) {
      writeHistory(conns.stateDir, recordRead(run.snapshots.directories, readHistory(conns.stateDir), run.snapshots.takenAt));
    }
    return result;
  });
}

/** Applies a plan made of given changes (revertWith's inverse, an access review's removals), under the run lock. */
export function applyPrepared(conns: Connections, plan: Plan, options: ApplyRunOptions): Promise<ApplyResult & { journalFile: string }> {
  return locked(conns, options, (current) => journalled(conns, plan, current));
}

/**
 * The thresholds over the records in managed scope now, for a prepared plan: counted from
 * `snapshots` when the caller has just read both sides, else from one read of its own.
 */
export async function gatePrepared(conns: Connections, prepared: Plan, snapshots?: Snapshots): Promise<Plan> {
  if (!prepared.changes.length) return prepared;
  let managed = 0;
  if (snapshots) computePlan(conns.mapping, snapshots.directories, snapshots.halo, { agentLinks: readAgentLinks(conns.stateDir), onManagedRecords: (n) => (managed = n) });
  else managed = (await planWith(conns)).managedRecords;
  return { ...prepared, blocked: safetyBlock(conns.mapping, prepared.summary, prepared.changes.length, managed) };
}

/**
 * The inverse of an apply (core/revert.ts), gated like any plan: the mapping's safety thresholds,
 * percentages taken of the records in managed scope now (one read of both sides).
 */
export function revertWith(conns: Connections, entries: unknown[], journalName: string): Promise<Plan> {
  return gatePrepared(conns, revertPlan(entries, journalName));
}
