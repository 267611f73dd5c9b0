// `revert JOURNAL [FILE]`: the inverse of an apply as a plan to review; with --apply, applied
// through the same path as any plan (fresh read, stale check, confirmation, journal).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { renderMarkdown, renderText, planJson } from '../core/render';
import { revertPlan } from '../core/revert';
import { connect } from '../engine/connections';
import { readJournal } from '../engine/journal';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { applyPrepared, revertWith } from '../engine/run';
import type { Io } from './main';
import { Progress } from './progress';

export async function runRevert(args: string[], io: Io, confirm: (summary: string) => Promise<boolean>): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'string' }, markdown: { type: 'string' }, apply: { type: 'boolean' }, yes: { type: 'boolean' }, journal: { type: 'string' }, 'allow-over-threshold': { type: 'boolean' } },
  });
  const [journalFile, mappingFile = 'halo-identity.yaml'] = positionals;
  if (!journalFile) throw new Error('revert needs the journal of the apply to revert: halo-identity revert JOURNAL [FILE]');
  if (!fs.existsSync(journalFile)) throw new Error(`${journalFile} not found`);
  const plan = revertPlan(readJournal(journalFile), path.basename(journalFile));
  io.stdout.write(renderText(plan));
  if (values.json) fs.writeFileSync(values.json, planJson(plan));
  if (values.markdown) fs.writeFileSync(values.markdown, renderMarkdown(plan));
  if (!values.apply || !plan.changes.length) return 0;

  const m = readMappingFile(mappingFile);
  const conns = await connect(validMapping(m), { baseDir: m.baseDir });
  const progress = new Progress(io.stderr);
  try {
    // The same gate as apply: the mapping's thresholds, over the records in managed scope now.
    progress.step('Reading the directories and Halo to check the safety thresholds');
    const gated = await revertWith(conns, readJournal(journalFile), path.basename(journalFile));
    if (gated.blocked && !values['allow-over-threshold']) {
      io.stderr.write(`Revert refused: ${gated.blocked.reason}. Run again with --allow-over-threshold to revert anyway.\n`);
      return 1;
    }
    if (!values.yes && !(await confirm(`revert ${gated.changes.length} changes${gated.blocked ? ` over the safety threshold (${gated.blocked.reason})` : ''}`))) return 1;
    const result = await applyPrepared(conns, gated, {
      journalFile: values.journal,
      allowOverThreshold: values['allow-over-threshold'],
      lock: { what: 'halo-identity revert' },
      onProgress: (p) => progress.update(p.done, p.total, p.message),
    });
    progress.clear();
    io.stdout.write(`\nRevert: ${result.applied} applied, ${result.failed} failed, ${result.stale} stale.\nJournal: ${result.journalFile}\n`);
    for (const p of result.problems) io.stdout.write(`  ! ${p.action} ${p.kind} "${p.name}": ${p.message}\n`);
    return result.failed || result.stale || result.skipped ? 1 : 0;
  } finally {
    progress.clear();
    conns.close();
  }
}
