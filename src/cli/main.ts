// The `halo-identity` command: validate, plan, apply, demo, sim (DESIGN §5). Results go to stdout,
// progress and problems to stderr; no stack traces for expected failures, no secret ever printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Plan } from '../core/changes';
import { Diagnostic, formatDiagnostic } from '../core/parse';
import { planJson, renderMarkdown, renderText, summaryLine } from '../core/render';
import { PlanInputError } from '../core/scope';
import { BlockedError } from '../engine/apply';
import { connect, Connections } from '../engine/connections';
import { MappingInvalidError, readMappingFile, validMapping } from '../engine/mapping-file';
import { applyWith, planWith, PlanRun } from '../engine/run';
import { Progress, detailBar } from './progress';
import { runDemo, runSim } from './demo';
import { runRevert } from './revert';

const USAGE = `Usage: halo-identity <command> [options]

Commands:
  validate [FILE]                      check the mapping file (default ./halo-identity.yaml)
  plan [FILE] [--json OUT] [--markdown OUT] [--detailed-exitcode] [--incremental]
                                       read Entra and Halo, show what would change
  apply [FILE] [--yes] [--journal OUT] [--allow-over-threshold] [--incremental]
                                       plan, confirm, then write the changes to Halo
  --incremental                        read Entra from its cached snapshot (.halo-identity/)
                                       brought up to date with Graph delta queries
  revert JOURNAL [FILE] [--json OUT] [--markdown OUT] [--apply] [--yes] [--allow-over-threshold]
                                       the inverse of an apply, as a plan to review (then apply)
  demo [--users N] [--halo-mode M]     run everything against the built-in simulators
  sim [--port N] [--users N] [--halo-mode M]
                                       run the simulators and print a mapping to use with them
  --halo-mode M                        how the Halo simulator answers where Halo's documents
                                       allow several readings: documented (default), older-rows,
                                       full-rows, post-empty, … (README: "Simulator modes")

Exit codes: 0 success; 1 error; plan --detailed-exitcode: 0 no changes, 2 changes.`;

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
      case 'validate':
        return validate(rest, io);
      case 'plan':
        return await planCommand(rest, io);
      case 'apply':
        return await applyCommand(rest, io);
      case 'revert':
        return await runRevert(rest, io, (what) => confirmText(what, io));
      case 'demo':
        return await runDemo(rest, io);
      case 'sim':
        return await runSim(rest, io);
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

function fileArg(positionals: string[]): string {
  return positionals[0] ?? 'halo-identity.yaml';
}

function validate(args: string[], io: Io): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  let m: { file: string; parsed: { diagnostics: Diagnostic[] } };
  try {
    m = readMappingFile(fileArg(positionals));
  } catch (e) {
    // A file refused before parsing (too large, not UTF-8) is reported like any other problem.
    if (!(e instanceof MappingInvalidError)) throw e;
    m = { file: e.file, parsed: { diagnostics: e.diagnostics } };
  }
  for (const d of m.parsed.diagnostics) io.stdout.write(`${m.file}:${formatDiagnostic(d)}\n`);
  const errors = m.parsed.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = m.parsed.diagnostics.length - errors;
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
    options: { yes: { type: 'boolean' }, journal: { type: 'string' }, 'allow-over-threshold': { type: 'boolean' }, incremental: { type: 'boolean' } },
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
      if (!run.plan.changes.length) {
        io.stderr.write('Nothing to apply.\n');
        return run.plan.errors.length ? 1 : 0;
      }
      if (run.plan.blocked && !values['allow-over-threshold']) throw new BlockedError(run.plan.blocked.reason);
      if (!values.yes && !(await confirm(run.plan, io))) return 1;
      const result = await applyWith(conns, run, {
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
      const clean = !result.failed && !result.stale && !result.skipped && !result.cancelled && !run.plan.errors.length;
      return clean ? 0 : 1;
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function confirm(plan: Plan, io: Io): Promise<boolean> {
  return confirmText(`apply ${plan.changes.length} changes (${summaryLine(plan)}) to Halo`, io);
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
