// One mapping file in the editor: its parsed text (unsaved edits included), the snapshots last
// read from Entra and Halo, and the plan. Reading snapshots is explicit (Show Diff the first
// time, Refresh Snapshots, Dry Run, after Apply); edits re-plan in-process from the cached
// snapshots, debounced, so the diff follows typing without touching the network.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentLink } from '../core/agent-links';
import { connectionsOf } from '../core/directories';
import type { Plan } from '../core/changes';
import type { PlanState } from '../core/plan';
import type { Mapping } from '../core/mapping';
import type { ParsedMapping } from '../core/parse';
import type { LiveNames } from '../core/semantic';
import type { Connections, SecretLookup } from '../engine/connections';
import type { PlanRun } from '../engine/run';
import type { Snapshots } from '../engine/snapshot';
import type { PanelState } from '../../webview/protocol';
import { config } from './config';
import { coverageWarning, SnapshotScope, systemsOf, uncovered } from './coverage';
import type { DelegatedSignIns } from './delegatedSignIn';
import { SIMULATOR_FOLDER } from './constants';
import { describeError, NeedsTrustError, SimulatorStoppedError } from './errors';
import { liveNamesOf } from '../core/live-names';
import type { Logger } from './log';
import type { SecretStore } from './secretStore';
import type { SimulatorHost } from './simulator';
import { loadEngine } from './lazy';
import { isTrusted } from './trust';

export interface SessionServices {
  log: Logger;
  secrets: SecretStore;
  simulator: SimulatorHost;
  delegated: DelegatedSignIns;
  userAgent: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Detail reads done of those announced, for a notification's bar. */
  onDetail?: (done: number, total: number) => void;
  /** Entra from the delta cache beside the mapping (engine/entra-cache.ts) rather than in full. */
  incremental?: boolean;
}

export interface LoadedMapping {
  file: string;
  baseDir: string;
  text: string;
  /** The editor holds unsaved changes. */
  dirty: boolean;
  parsed: ParsedMapping;
  errors: number;
}

/** What the diff shows: the last good plan and how it relates to the mapping as it is now. */
export interface PlanView {
  plan: Plan;
  snapshotAt: string;
  plannedAt: string;
  /** Errors in the mapping as it is now (the plan is then of the last valid version). */
  mappingErrors: number;
  /** Why the current text could not be planned, when it could not (other than mapping errors). */
  problem: string | undefined;
  /** Entra connections read with a person's delegated sign-in (plan only, never apply). */
  delegated: string[];
}

interface Cache {
  snapshots: Snapshots;
  /** The agent links the read's plan started from: re-plans use the same. */
  agentLinks: AgentLink[];
  scope: SnapshotScope;
  delegated: string[];
  /** Every group name per tenant, when it could be listed (for did-you-mean). */
  groupNames: Record<string, string[]> | undefined;
  /** What the last plan of these snapshots worked out: an edit re-plans from it only what it can change (core/replan.ts). */
  state: PlanState | undefined;
}

export class MappingSession implements vscode.Disposable {
  private cache: Cache | undefined;
  private view: PlanView | undefined;
  private liveNamesMemo: LiveNames | undefined;
  private lastMapping: Mapping | null = null;
  private reading: Promise<PlanRun> | undefined;
  private busyMessage: string | undefined;
  private replanTimer: NodeJS.Timeout | undefined;
  private replanSeq = 0;
  private readonly changed = new vscode.EventEmitter<MappingSession>();
  /** The plan, the busy state or the mapping's validity changed. */
  readonly onDidChange = this.changed.event;
  private readonly namesChanged = new vscode.EventEmitter<void>();
  /** liveNames() would now return something else (snapshots read, dropped, group names listed). */
  readonly onDidChangeLiveNames = this.namesChanged.event;

  constructor(
    readonly uri: vscode.Uri,
    private readonly services: SessionServices,
  ) {}

  get file(): string {
    return this.uri.fsPath;
  }

  get planView(): PlanView | undefined {
    return this.view;
  }

  get plan(): Plan | undefined {
    return this.view?.plan;
  }

  get busy(): string | undefined {
    return this.busyMessage;
  }

  get hasSnapshots(): boolean {
    return this.cache !== undefined;
  }

  get isSimulator(): boolean {
    return this.services.simulator.isSimulatorMapping(this.uri);
  }

  /** The folder beside the mapping for journals and the limiter's log (the engine's stateDirFor). */
  get stateDir(): string {
    return path.join(path.dirname(this.file), '.halo-identity');
  }

  get displayName(): string {
    return vscode.workspace.asRelativePath(this.uri, vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1);
  }

  /** The mapping with the editor's unsaved edits, else as saved on disk. */
  async load(): Promise<LoadedMapping> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri.toString());
    let loaded: LoadedMapping;
    if (doc?.isDirty) {
      const { parseMapping } = await loadEngine();
      const text = doc.getText().replace(/^\uFEFF/, '');
      loaded = { file: this.file, baseDir: path.dirname(this.file), text, dirty: true, parsed: parseMapping(text), errors: 0 };
    } else {
      // Not dirty: the disk is the truth (an open document may lag a change made outside the editor).
      const { readMappingFile } = await loadEngine();
      loaded = { ...readMappingFile(this.file), dirty: false, errors: 0 };
    }
    loaded.errors = loaded.parsed.diagnostics.filter((d) => d.severity === 'error').length;
    if (loaded.parsed.typed) this.lastMapping = loaded.parsed.typed;
    return loaded;
  }

  /** Connections for the mapping as loaded, resolving references the way this session may. */
  async connect(loaded: LoadedMapping, signal?: AbortSignal): Promise<Connections> {
    const { validMapping, connect } = await loadEngine();
    const mapping = withSettings(validMapping(loaded), this.uri);
    return connect(mapping, {
      baseDir: loaded.baseDir,
      lookup: this.lookup(),
      signal,
      log: this.services.log.engine('engine'),
      signIn: this.services.delegated.tokensFor,
      userAgent: this.services.userAgent,
    });
  }

  private lookup(): SecretLookup {
    const sim = this.services.simulator.lookupFor(this.uri);
    if (sim) return sim;
    // A mapping Start Simulator wrote points at ports nobody listens on once it stopped.
    if (path.basename(path.dirname(this.file)) === SIMULATOR_FOLDER) throw new SimulatorStoppedError();
    // Reading a real tenant sends stored credentials to the mapping's URLs: only with trust.
    if (!isTrusted()) throw new NeedsTrustError('Reading the directories and Halo');
    return this.services.secrets.lookup();
  }

  /** Shows another plan than the mapping's (a revert's) in the panel until the next read or edit. */
  showPlan(plan: Plan, note: string): void {
    this.publish({ plan, snapshotAt: this.view?.snapshotAt ?? new Date().toISOString(), plannedAt: new Date().toISOString(), mappingErrors: 0, problem: note, delegated: [] });
  }

  /** Reads both sides afresh and plans. One read at a time: a second caller shares the first. */
  read(options: ReadOptions = {}): Promise<PlanRun> {
    if (this.reading) return this.reading;
    const run = this.readOpen(options).then(({ run, conns }) => {
      void this.readGroupNames(conns).finally(() => conns.close());
      return run;
    });
    this.reading = run.finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** As read(), keeping the connections open for an apply; the caller closes them. */
  async readOpen(options: ReadOptions = {}): Promise<{ run: PlanRun; conns: Connections }> {
    const { log } = this.services;
    this.setBusy('Reading the directories and Halo…');
    try {
      const loaded = await this.load();
      const started = Date.now();
      const conns = await this.connect(loaded, options.signal);
      try {
        const { planWith, directoryNeeds, haloNeeds } = await loadEngine();
        const run = await planWith(conns, {
          signal: options.signal,
          onProgress: (m) => {
            this.setBusy(m);
            options.onProgress?.(m);
          },
          onDetail: options.onDetail,
          incremental: options.incremental,
          keepState: true,
        });
        const delegated = conns.directories.filter((e) => e.personal).map((e) => e.name);
        this.cache = {
          snapshots: run.snapshots,
          agentLinks: run.agentLinks,
          scope: { directories: directoryNeeds(conns.mapping), halo: haloNeeds(conns.mapping), systems: systemsOf(conns.mapping), partialRoles: run.snapshots.halo.stats.partialRoles },
          delegated,
          groupNames: undefined,
          state: run.state,
        };
        this.liveNamesMemo = undefined;
        this.namesChanged.fire();
        log.info(`Planned ${this.displayName} in ${((Date.now() - started) / 1000).toFixed(1)} s (${run.requests.halo} Halo requests): ${summary(run.plan)}`);
        this.publish({ plan: run.plan, snapshotAt: run.snapshots.takenAt, plannedAt: new Date().toISOString(), mappingErrors: loaded.errors, problem: undefined, delegated });
        // Edits made while reading are planned from the new snapshots straight away.
        if (this.editorText() !== undefined && this.editorText() !== loaded.text) this.scheduleReplan();
        return { run, conns };
      } catch (e) {
        conns.close();
        throw e;
      }
    } finally {
      this.setBusy(undefined);
    }
  }

  private editorText(): string | undefined {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri.toString());
    return doc?.isDirty ? doc.getText().replace(/^\uFEFF/, '') : undefined;
  }

  /** Best effort, after the plan is shown: every group name, so typos in group names are caught. */
  private async readGroupNames(conns: Connections): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    try {
      const out: Record<string, string[]> = {};
      for (const conn of conns.directories) {
        const groups = await conn.groupNames({ log: this.services.log.engine(conn.source) });
        if (groups) out[conn.name] = [...new Set(groups.flatMap((g) => [g.displayName, g.id]))].sort();
      }
      if (this.cache === cache) {
        cache.groupNames = out;
        this.liveNamesMemo = undefined;
        this.namesChanged.fire();
      }
    } catch (e) {
      this.services.log.debug(`Group names not listed (group names stay unchecked): ${describeError(e)}`);
    }
  }

  /** Plans the mapping as it is now from the cached snapshots (no network). */
  async replan(): Promise<void> {
    const seq = ++this.replanSeq;
    let loaded: LoadedMapping;
    try {
      loaded = await this.load();
    } catch (e) {
      if (seq !== this.replanSeq || !this.view) return;
      const diagnostics = (e as { diagnostics?: unknown[] }).diagnostics;
      this.publish({ ...this.view, mappingErrors: diagnostics?.length ?? 1, problem: describeError(e) });
      return;
    }
    if (seq !== this.replanSeq) return;
    const cache = this.cache;
    const previous = this.view;
    if (!cache || !previous) {
      // Nothing to re-plan; listeners still learn whether the mapping is valid.
      this.changed.fire(this);
      return;
    }
    const mapping = loaded.parsed.mapping;
    if (!mapping) {
      this.publish({ ...previous, mappingErrors: loaded.errors, problem: undefined });
      return;
    }
    const { directoryNeeds, haloNeeds, planAndKeep, replan } = await loadEngine();
    if (seq !== this.replanSeq) return;
    const now: SnapshotScope = { directories: directoryNeeds(mapping), halo: haloNeeds(mapping), systems: systemsOf(mapping) };
    if (now.systems !== cache.scope.systems) {
      this.publish({ ...previous, mappingErrors: 0, problem: 'The mapping now points at another Halo instance or directory than the cached snapshots came from: run Refresh Snapshots.' });
      return;
    }
    try {
      const started = performance.now();
      // From the last plan's state: the same plan as plan() would make, redoing only what the edit can change.
      const state = cache.state ? replan(cache.state, mapping) : planAndKeep(mapping, cache.snapshots.directories, cache.snapshots.halo, { agentLinks: cache.agentLinks });
      cache.state = state;
      const warning = coverageWarning(uncovered(cache.scope, now));
      const p = warning ? { ...state.plan, warnings: [warning, ...state.plan.warnings] } : state.plan;
      this.services.log.debug(`Re-planned ${this.displayName} from cached snapshots in ${(performance.now() - started).toFixed(0)} ms.`);
      this.publish({ plan: p, snapshotAt: cache.snapshots.takenAt, plannedAt: new Date().toISOString(), mappingErrors: 0, problem: undefined, delegated: cache.delegated });
    } catch (e) {
      this.publish({ ...previous, mappingErrors: 0, problem: describeError(e) });
    }
  }

  /** Re-plans after the debounce of haloIdentity.diff.debounceMs. */
  scheduleReplan(): void {
    clearTimeout(this.replanTimer);
    this.replanTimer = setTimeout(() => {
      this.replanTimer = undefined;
      void this.replan().catch((e) => this.services.log.error(e as Error));
    }, config.debounceMs(this.uri));
  }

  /** The cached snapshots describe systems that are gone (the simulator stopped). */
  dropSnapshots(): void {
    this.cache = undefined;
    this.view = undefined;
    this.liveNamesMemo = undefined;
    this.changed.fire(this);
    this.namesChanged.fire();
  }

  liveNames(): LiveNames | undefined {
    if (!this.cache) return undefined;
    this.liveNamesMemo ??= liveNamesOf(this.cache.snapshots, this.cache.scope.halo, this.cache.groupNames, this.lastMapping);
    return this.liveNamesMemo;
  }

  /** What the diff panel receives; never anything secret. */
  panelState(): PanelState | undefined {
    const v = this.view;
    if (!v) return undefined;
    const canApply = isTrusted() && v.delegated.length === 0 && v.mappingErrors === 0 && !v.problem && v.plan.changes.length > 0;
    const directories = this.lastMapping ? Object.fromEntries(connectionsOf(this.lastMapping).map((c) => [c.name, c.directory.label])) : undefined;
    return { plan: v.plan, mappingFile: this.displayName, snapshotAt: v.snapshotAt, plannedAt: v.plannedAt, canApply, mappingErrors: v.mappingErrors, ...(directories ? { directories } : {}) };
  }

  setBusy(message: string | undefined): void {
    if (this.busyMessage === message) return;
    this.busyMessage = message;
    this.changed.fire(this);
  }

  private publish(view: PlanView): void {
    this.view = view;
    this.changed.fire(this);
  }

  dispose(): void {
    clearTimeout(this.replanTimer);
    this.changed.dispose();
    this.namesChanged.dispose();
  }
}

/** Halo paging, batching and pacing from the settings, where the mapping leaves them out. */
function withSettings(mapping: Mapping, scope: vscode.Uri): Mapping {
  const s = config.halo(scope);
  const h = mapping.halo;
  return { ...mapping, halo: { ...h, pageSize: h.pageSize ?? s.pageSize, batchSize: h.batchSize ?? s.batchSize, rateLimit: h.rateLimit ?? s.rateLimit } };
}

function summary(p: Plan): string {
  const s = p.summary;
  return `${s.create} create, ${s.update} update, ${s.reactivate} reactivate, ${s.deactivate} deactivate, ${s.createSite} sites; ${s.unchanged} unchanged; ${p.errors.length} errors`;
}
