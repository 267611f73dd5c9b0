// The `halo-identity` command: validate, plan, apply, demo, sim (DESIGN §5). Results go to stdout,
// progress and problems to stderr; no stack traces for expected failures, no secret ever printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { changeKey } from '../core/changes';
import { selectChanges } from '../core/selection';
import { Diagnostic, formatDiagnostic, ParsedMapping } from '../core/parse';
import { checkLiveNames } from '../core/semantic';
import { loadLiveNames, readLiveNames, saveLiveNames } from '../engine/live-names';
import { countLine, planJson, renderMarkdown, renderText } from '../core/render';
import { PlanInputError } from '../core/scope';
import { BlockedError } from '../engine/apply';
import { connect, Connections } from '../engine/connections';
import { MappingInvalidError, readMappingFile, validMapping } from '../engine/mapping-file';
import { applyWith, planWith, PlanRun } from '../engine/run';
import { Progress, detailBar } from './progress';
import { runDemo, runSim } from './demo';
import { runReport } from './report';
import { runRevert } from './revert';
import { runScim, SCIM_USAGE } from './scim';
import { runInit, runTest } from './setup';

const USAGE = `Usage: halo-identity <command> [options]

Commands:
  init [FILE] [--force]                write a new mapping file to fill in
  validate [FILE] [--live] [--names FILE] [--save-names FILE]
                                       check the mapping file (default ./halo-identity.yaml);
                                       --live also checks the names it uses (directory groups, Halo
                                       roles, teams, clients, sites, CABs) against a fresh read,
                                       --names against a file --save-names wrote
  test [FILE]                          sign in to Halo and each directory and check what the
                                       mapping needs is allowed; exit 1 when something is missing
  plan [FILE] [--json OUT] [--markdown OUT] [--detailed-exitcode] [--incremental]
                                       read the directories and Halo, show what would change
  apply [FILE] [--yes] [--journal OUT] [--allow-over-threshold] [--incremental] [--only KEY]...
        [--wait SECONDS]               plan, confirm, then write the changes to Halo; --only
                                       applies the changes with these keys (the "key" of each
                                       change in plan --json) and the sites they need; while
                                       another apply against the same Halo runs, refuse (or
                                       wait up to --wait seconds for it)
  --incremental                        read each directory from its cached snapshot
                                       (.halo-identity/) brought up to date the way its API
                                       allows (Entra: Graph delta queries; Okta: lastUpdated
                                       and lastMembershipUpdated filters)
  report access|licences|orphans [FILE] [--format csv|json|md] [--out FILE] [--all]
        [--idle-days N] [--licence-cost X] [--fail-on idle|orphans|ungranted]
        [--review-sheet] [--apply-review SHEET [--yes]]
                                       the access review (each grant and what grants it),
                                       licence hygiene (idle agents, named licences of people
                                       gone from the directory, a monthly cost), orphans; read-only;
                                       exit 2 with --fail-on when there is something;
                                       --review-sheet writes the access review to fill in
                                       (keep, revoke, fix in Entra), --apply-review removes
                                       what it revokes, confirmed and journalled
  revert JOURNAL [FILE] [--json OUT] [--markdown OUT] [--apply] [--yes] [--allow-over-threshold]
                                       the inverse of an apply, as a plan to review (then apply)
  demo [--users N] [--halo-mode M] [--mixed] [--scim]
                                       run everything against the built-in simulators;
                                       --mixed adds a customer's Okta org and a partner's
                                       Google Workspace beside the Entra tenant; --scim runs
                                       the SCIM bridge with simulated Entra and Okta pushing
  sim [--port N] [--users N] [--halo-mode M] [--mixed]
                                       run the simulators and print a mapping to use with them
${SCIM_USAGE}
  --halo-mode M                        how the Halo simulator answers where Halo's documents
                                       allow several readings: documented (default), older-rows,
                                       full-rows, post-empty, … (README: "Simulator modes")

Exit codes: 0 success; 1 error; plan --detailed-exitcode: 0 no changes, 2 changes; report --fail-on: 2 when found.`;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

const defaultIo: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : s + '\n');
  try {
    switch (command) {
      case 'init':
        return runInit(rest, io);
      case 'validate':
        return await validate(rest, io);
      case 'test':
        return await runTest(rest, io);
      case 'plan':
        return await planCommand(rest, io);
      case 'apply':
        return await applyCommand(rest, io);
      case 'report':
        return await runReport(rest, io, (what) => confirmText(what, io));
      case 'revert':
        return await runRevert(rest, io, (what) => confirmText(what, io));
      case 'demo':
        return await runDemo(rest, io);
      case 'sim':
        return await runSim(rest, io);
      case 'scim':
        return await runScim(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE + '\n');
        return command === undefined ? 1 : 0;
      default:
        err(`Unknown command "${command}".\n\n${USAGE}`);
        return 1;
    }
  } catch (e) {
    return reportFailure(e, err);
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/** Expected failures become one clear message; only a real bug shows a stack (with --debug). */
export function reportFailure(e: unknown, err: (s: string) => void): number {
  if (e instanceof MappingInvalidError) {
    for (const d of e.diagnostics) err(`${e.file}:${formatDiagnostic(d)}`);
    err(`${e.message}; nothing was read or written.`);
  } else if (e instanceof PlanInputError) {
    err(`The mapping names things Halo does not have; nothing was written:\n  - ${e.problems.join('\n  - ')}`);
  } else if (e instanceof BlockedError) {
    err(e.message.replace('Override explicitly', 'Run again with --allow-over-threshold'));
  } else if (e instanceof Error) {
    err(`Error: ${e.message}`);
    if (process.env.HALO_IDENTITY_DEBUG) err(e.stack ?? '');
  } else {
    err(`Error: ${String(e)}`);
  }
  return 1;
}

/** A number of seconds given on the command line (0 when absent). */
function seconds(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} takes a number of seconds, not "${value}"`);
  return n;
}

function fileArg(positionals: string[]): string {
  return positionals[0] ?? 'halo-identity.yaml';
}

async function validate(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { live: { type: 'boolean' }, names: { type: 'string' }, 'save-names': { type: 'string' } } });
  let m: { file: string; baseDir?: string; parsed: ParsedMapping | { diagnostics: Diagnostic[] } };
  try {
    m = readMappingFile(fileArg(positionals));
  } catch (e) {
    // A file refused before parsing (too large, not UTF-8) is reported like any other problem.
    if (!(e instanceof MappingInvalidError)) throw e;
    m = { file: e.file, parsed: { diagnostics: e.diagnostics } };
  }
  let diagnostics = m.parsed.diagnostics;
  const wantsLive = values.live || values.names !== undefined;
  if (wantsLive && 'mapping' in m.parsed && m.parsed.mapping) {
    const parsed = m.parsed;
    const live = values.names !== undefined ? loadLiveNames(values.names) : await withConnections(m.file, io, undefined, (conns) => readLiveNames(conns));
    if (values['save-names']) saveLiveNames(values['save-names'], live);
    diagnostics = [...diagnostics, ...checkLiveNames(parsed, live)];
  } else if (wantsLive) {
    io.stderr.write('The names it uses are not checked until the file itself is valid.\n');
  }
  for (const d of diagnostics) io.stdout.write(`${m.file}:${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  io.stderr.write(errors ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.\n` : `Valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.\n`);
  return errors ? 1 : 0;
}

async function withConnections<T>(file: string, io: Io, signal: AbortSignal | undefined, fn: (conns: Connections, progress: Progress) => Promise<T>): Promise<T> {
  const m = readMappingFile(file);
  const mapping = validMapping(m);
  for (const d of m.parsed.diagnostics) io.stderr.write(`${m.file}:${formatDiagnostic(d)}\n`);
  const progress = new Progress(io.stderr);
  const conns = await connect(mapping, {
    baseDir: m.baseDir,
    signal,
    log: (level, message) => {
      if (level === 'warn' || level === 'error') {
        progress.clear();
        io.stderr.write(`${level}: ${message}\n`);
      }
    },
  });
  try {
    return await fn(conns, progress);
  } finally {
    progress.clear();
    conns.close();
  }
}

function writeOutputs(run: PlanRun, json: string | undefined, markdown: string | undefined): void {
  if (json) fs.writeFileSync(json, planJson(run.plan));
  if (markdown) fs.writeFileSync(markdown, renderMarkdown(run.plan));
}

async function planCommand(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'string' }, markdown: { type: 'string' }, 'detailed-exitcode': { type: 'boolean' }, incremental: { type: 'boolean' } },
  });
  return withConnections(fileArg(positionals), io, undefined, async (conns, progress) => {
    const run = await planWith(conns, { onProgress: (m) => progress.step(m), onDetail: detailBar(progress), incremental: values.incremental });
    progress.clear();
    io.stdout.write(renderText(run.plan));
    writeOutputs(run, values.json, values.markdown);
    if (values['detailed-exitcode']) return run.plan.changes.length ? 2 : 0;
    return 0;
  });
}

async function applyCommand(args: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean' }, journal: { type: 'string' }, 'allow-over-threshold': { type: 'boolean' }, incremental: { type: 'boolean' }, only: { type: 'string', multiple: true }, wait: { type: 'string' } },
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr.write('\nCancelling after the batch in flight (Ctrl-C again to stop at once; the journal tells what was written).\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await withConnections(fileArg(positionals), io, controller.signal, async (conns, progress) => {
      const run = await planWith(conns, { signal: controller.signal, onProgress: (m) => progress.step(m), onDetail: detailBar(progress), incremental: values.incremental });
      progress.clear();
      io.stdout.write(renderText(run.plan));
      const selection = values.only ? selectChanges(run.plan, values.only) : undefined;
      if (selection) {
        for (const k of selection.unknown) io.stderr.write(`--only ${k}: no such change in this plan (the directory or Halo changed since the key was taken); left out.\n`);
        for (const c of selection.needed) io.stderr.write(`Also applying ${c.action} ${c.kind} "${c.name}": a selected user is placed there.\n`);
      }
      const chosen = selection?.changes ?? run.plan.changes;
      if (!chosen.length) {
        io.stderr.write('Nothing to apply.\n');
        return run.plan.errors.length || selection?.unknown.length ? 1 : 0;
      }
      if (run.plan.blocked && !values['allow-over-threshold']) throw new BlockedError(run.plan.blocked.reason);
      if (!values.yes && !(await confirmText(`apply ${chosen.length} change${chosen.length === 1 ? '' : 's'} (${countLine(chosen)}) to Halo`, io))) return 1;
      const keys = new Set(chosen.map(changeKey));
      const result = await applyWith(conns, run, {
        lock: { what: 'halo-identity apply', waitMs: seconds(values.wait, '--wait') * 1000 },
        only: selection ? (c) => keys.has(changeKey(c)) : undefined,
        // Only a prompt lets time pass between this plan's read and the writes.
        planIsCurrent: values.yes,
        journalFile: values.journal,
        allowOverThreshold: values['allow-over-threshold'],
        signal: controller.signal,
        onProgress: (p) => progress.update(p.done, p.total, p.message),
      });
      progress.clear();
      const parts = [`${result.applied} applied`, `${result.failed} failed`, `${result.stale} stale`];
      if (result.skipped) parts.push(`${result.skipped} not attempted`);
      io.stdout.write(`\nApply: ${parts.join(', ')}.${result.cancelled ? ' Cancelled.' : ''}\n`);
      for (const p of result.problems) io.stdout.write(`  ! ${p.action} ${p.kind} "${p.name}": ${p.message}\n`);
      if (result.stoppedBy && !result.cancelled) io.stdout.write(`Stopped: ${result.stoppedBy}\n`);
      io.stdout.write(`Journal: ${path.relative(process.cwd(), result.journalFile) || result.journalFile}\n`);
      const clean = !result.failed && !result.stale && !result.skipped && !result.cancelled && !run.plan.errors.length && !selection?.unknown.length;
      return clean ? 0 : 1;
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Without --yes a write needs a person: a terminal prompt, else a refusal. */
async function confirmText(what: string, io: Io): Promise<boolean> {
  if (!io.stdin.isTTY) {
    io.stderr.write('Refusing to write to Halo without confirmation: no terminal to ask. Run with --yes in pipelines.\n');
    return false;
  }
  io.stderr.write(`\nAbout to ${what}. Type "yes" to continue: `);
  const answer = await new Promise<string>((resolve) => {
    io.stdin.setEncoding('utf8');
    io.stdin.once('data', (d) => resolve(String(d).trim()));
    io.stdin.resume();
  });
  io.stdin.pause();
  if (answer !== 'yes') io.stderr.write('Not applied.\n');
  return answer === 'yes';
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
