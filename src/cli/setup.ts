// `halo-identity init` (a new mapping file) and `halo-identity test` (Test Connections): the
// command-line faces of the extension's New Mapping File and Test Connections.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { blankExample } from '../core/new-mapping';
import { testConnections } from '../engine/connection-test';
import { connect } from '../engine/connections';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { EXAMPLE_MAPPING } from '../sim/example-mapping';
import type { Io } from './main';

export function runInit(args: string[], io: Io): number {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  const file = positionals[0] ?? 'halo-identity.yaml';
  if (fs.existsSync(file) && !values.force) {
    io.stderr.write(`${file} already exists; nothing was written (--force replaces it).\n`);
    return 1;
  }
  fs.writeFileSync(file, blankExample(EXAMPLE_MAPPING));
  io.stdout.write(`Wrote ${file}. Fill in halo.url and entra[].tenantId, set the secrets it names as environment variables, then run "halo-identity validate ${file}" and "halo-identity test ${file}".\n`);
  return 0;
}

export async function runTest(args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const m = readMappingFile(positionals[0] ?? 'halo-identity.yaml');
  const conns = await connect(validMapping(m), { baseDir: m.baseDir });
  try {
    const checks = await testConnections(conns);
    for (const c of checks) {
      io.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.system} ${c.name}: ${c.detail}\n`);
      if (c.fix) io.stdout.write(`     fix: ${c.fix}\n`);
    }
    const failed = checks.filter((c) => !c.ok).length;
    io.stderr.write(failed ? `${failed} of ${checks.length} connections lack something the mapping needs.\n` : `All ${checks.length} connections have what the mapping needs.\n`);
    return failed ? 1 : 0;
  } finally {
    conns.close();
  }
}
