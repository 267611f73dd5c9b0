// Which mapping file the commands, the status bar and the panel are about, and one session per
// mapping file. The current mapping is the active editor's halo-identity document, else the one
// last focused, else the haloIdentity.mappingFile setting in the first workspace folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { config } from './config';
import { ContextKey, LANGUAGE_ID } from './constants';
import { NoMappingError } from './errors';
import { MappingSession, SessionServices } from './session';
import { samePath } from './simulator';

export class Sessions implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: MappingSession; subscriptions: vscode.Disposable[] }>();
  private lastFocused: vscode.Uri | undefined;
  private currentUri: vscode.Uri | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly currentChanged = new vscode.EventEmitter<MappingSession | undefined>();
  private readonly sessionChanged = new vscode.EventEmitter<MappingSession>();
  private readonly namesChanged = new vscode.EventEmitter<MappingSession>();
  /** The current mapping became another one (or none). */
  readonly onDidChangeCurrent = this.currentChanged.event;
  /** A session's plan, busy state or validity changed. */
  readonly onDidChangeSession = this.sessionChanged.event;
  /** A session's live names changed. */
  readonly onDidChangeLiveNames = this.namesChanged.event;

  constructor(private readonly services: SessionServices) {
    const w = vscode.workspace;
    this.disposables.push(
      this.currentChanged,
      this.sessionChanged,
      this.namesChanged,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      w.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.find(e.document.uri)?.scheduleReplan();
      }),
      // Closing an editor with unsaved edits reverts the mapping to what is on disk.
      w.onDidCloseTextDocument((d) => this.find(d.uri)?.scheduleReplan()),
      w.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('haloIdentity.mappingFile')) this.update();
      }),
      w.onDidChangeWorkspaceFolders(() => this.update()),
      w.onDidGrantWorkspaceTrust(() => this.update()),
      services.simulator.onDidChange(({ running, mapping }) => {
        // Snapshots of stopped simulators describe systems that no longer exist.
        if (!running) this.find(mapping)?.dropSnapshots();
        this.update();
      }),
    );
    const watcher = w.createFileSystemWatcher('**/{halo-identity.yaml,*.halo-identity.yaml}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.update()),
      watcher.onDidDelete(() => this.update()),
      // Changes made outside the editor (git checkout, another tool); saves land here too, harmlessly.
      watcher.onDidChange((uri) => this.find(uri)?.scheduleReplan()),
    );
    this.update();
  }

  /** The session for a mapping file (made on first use). */
  get(uri: vscode.Uri): MappingSession {
    const key = uri.toString();
    let entry = this.sessions.get(key);
    if (!entry) {
      const session = new MappingSession(uri, this.services);
      entry = { session, subscriptions: [session.onDidChange((s) => this.sessionChanged.fire(s)), session.onDidChangeLiveNames(() => this.namesChanged.fire(session))] };
      this.sessions.set(key, entry);
    }
    return entry.session;
  }

  find(uri: vscode.Uri): MappingSession | undefined {
    return this.sessions.get(uri.toString())?.session;
  }

  all(): MappingSession[] {
    return [...this.sessions.values()].map((e) => e.session);
  }

  /** The current mapping's session, if there is a mapping. */
  current(): MappingSession | undefined {
    return this.currentUri ? this.get(this.currentUri) : undefined;
  }

  /** The session a command acts on: the given mapping file, else the current one. */
  require(uri?: vscode.Uri): MappingSession {
    if (uri instanceof vscode.Uri) return this.get(uri);
    const s = this.current();
    if (!s) throw new NoMappingError();
    return s;
  }

  /** Makes `uri` the current mapping, as if its editor had been focused. */
  focus(uri: vscode.Uri): MappingSession {
    this.lastFocused = uri;
    this.update();
    return this.get(uri);
  }

  private resolve(): vscode.Uri | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.languageId === LANGUAGE_ID && doc.uri.scheme === 'file') {
      this.lastFocused = doc.uri;
      return doc.uri;
    }
    if (this.lastFocused && fs.existsSync(this.lastFocused.fsPath)) return this.lastFocused;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return undefined;
    const file = path.resolve(folder.uri.fsPath, config.mappingFile(folder.uri));
    return fs.existsSync(file) ? vscode.Uri.file(file) : undefined;
  }

  update(): void {
    const next = this.resolve();
    const changed = next?.toString() !== this.currentUri?.toString() && !(next && this.currentUri && samePath(next, this.currentUri));
    this.currentUri = next;
    void vscode.commands.executeCommand('setContext', ContextKey.hasMapping, next !== undefined);
    this.updateJournalKey();
    if (changed) this.currentChanged.fire(this.current());
  }

  updateJournalKey(): void {
    const s = this.current();
    void vscode.commands.executeCommand('setContext', ContextKey.hasJournal, s ? latestJournal(s.stateDir) !== undefined : false);
  }

  dispose(): void {
    for (const { session, subscriptions } of this.sessions.values()) {
      for (const s of subscriptions) s.dispose();
      session.dispose();
    }
    this.sessions.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** The newest journal in a state folder. */
export function latestJournal(stateDir: string): string | undefined {
  const dir = path.join(stateDir, 'journals');
  let newest: { file: string; mtime: number } | undefined;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    const file = path.join(dir, name);
    const mtime = fs.statSync(file).mtimeMs;
    // Names carry the start time, so equal mtimes fall back to the name.
    if (!newest || mtime > newest.mtime || (mtime === newest.mtime && file > newest.file)) newest = { file, mtime };
  }
  return newest?.file;
}
