// A live test environment: both simulators over real HTTP(S), a mapping file pointing at them in
// a temporary folder, and connections made the way the CLI makes them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { connect, Connections } from '../../src/engine/connections';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { SimulatorOptions, Simulators, startSimulators, writeSimulatorFiles } from '../../src/sim';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';
import { NAMED_MODES } from '../../src/sim/halo/modes';
import type { ResolvedEntraConnection } from '../../src/sources/entra/connection';
import { EntraDirectory } from '../../src/sources/entra/source';

export interface SimEnv {
  sims: Simulators;
  dir: string;
  file: string;
  connect(overrides?: { signal?: AbortSignal; directoryTimeoutMs?: number }): Promise<Connections>;
  close(): Promise<void>;
}

/** The example mapping with some settings changed (paths like ['safety', 'maxDeactivations']). */
export function exampleWith(changes: Array<[Array<string | number>, unknown]>): string {
  const doc = parseDocument(EXAMPLE_MAPPING);
  for (const [p, v] of changes) {
    if (v === undefined) doc.deleteIn(p);
    else doc.setIn(p, v);
  }
  return doc.toString();
}

/**
 * HALO_SIM_MODE=<mode of DESIGN §6a> runs the suites that use this environment against that
 * reading of Halo's documents instead of the documented default (a test that sets its own modes wins).
 */
function modesFromEnv(): SimulatorOptions['haloModes'] {
  const name = process.env.HALO_SIM_MODE;
  if (!name) return undefined;
  if (!NAMED_MODES[name]) throw new Error(`HALO_SIM_MODE=${name} is not one of ${Object.keys(NAMED_MODES).join(', ')}`);
  return NAMED_MODES[name];
}

/** Whether the suites run against the documented default (no HALO_SIM_MODE, or `documented`): what exact request counts assume. */
export function onDocumentedHalo(): boolean {
  return !process.env.HALO_SIM_MODE || process.env.HALO_SIM_MODE === 'documented';
}

export async function startSimEnv(options: SimulatorOptions & { mapping?: string } = {}): Promise<SimEnv> {
  const sims = await startSimulators({ haloModes: modesFromEnv(), ...options });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-test-'));
  const file = writeSimulatorFiles(sims, dir, options.mapping);
  return {
    sims,
    dir,
    file,
    async connect(overrides = {}) {
      const m = readMappingFile(file);
      return connect(validMapping(m), {
        baseDir: m.baseDir,
        lookup: (kind, name) => (kind === 'env' ? sims.env[name] : undefined),
        haloBackoffMs: [20, 40, 80],
        directoryRetry: { maxAttempts: 3, baseDelayMs: 20, timeoutMs: overrides.directoryTimeoutMs },
        signal: overrides.signal,
      });
    },
    async close() {
      await sims.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The resolved Entra connection behind a mapping's first directory (for the Entra reader's own entry points). */
export function entraOf(conns: Connections, index = 0): ResolvedEntraConnection {
  const d = conns.directories.filter((c) => c.source === 'entra')[index];
  if (!(d instanceof EntraDirectory)) throw new Error(`no Entra connection #${index}`);
  return d.conn;
}
