// `demo` and `sim`: the product end to end against the built-in simulators, with no tenant, no
// credentials and no network beyond this machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../core/parse';
import { renderText, summaryLine } from '../core/render';
import { connect } from '../engine/connections';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { applyWith, planWith } from '../engine/run';
import { startSimulators, writeSimulatorFiles } from '../sim';
import { mixedMapping, mixedWorld } from '../sim/example-mixed';
import { parseModes } from '../sim/halo/modes';
import { generateWorld } from '../sim/world';
import type { Io } from './main';
import { runScimDemo } from './scim-demo';
import { Progress } from './progress';

export async function runDemo(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { users: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'string' }, 'halo-mode': { type: 'string' }, mixed: { type: 'boolean' }, scim: { type: 'boolean' } } });
  if (values.scim) return runScimDemo({ users: Number(values.users ?? 40), keep: values.keep }, io);
  const users = Number(values.users ?? 120);
  const out = (s: string) => io.stdout.write(s);
  const world = worldFor(values.mixed, users, values.seed);
  const others = [...(world.okta ?? []).map((o) => `an Okta org (${o.users.length} users)`), ...(world.google ?? []).map((g) => `a Google Workspace (${g.users.length} users)`)];
  out(`Halo Identity demo: a simulated Entra tenant (${users} users)${others.length ? `, ${others.join(', ')}` : ''} and Halo instance on this machine.\n`);
  out('No credentials and no network: every service runs over HTTPS with a certificate made just now, so MSAL and the Okta and Google sign-ins take their real paths.\n\n');
  const sims = await startSimulators({ world, haloModes: parseModes(values['halo-mode']) });
  const dir = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-demo-'));
  const progress = new Progress(io.stderr);
  try {
    const m = readMappingFile(writeSimulatorFiles(sims, dir, values.mixed ? mixedMapping() : undefined));
    const mapping = validMapping(m);
    const conns = await connect(mapping, { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? sims.env[name] : undefined) });
    try {
      out(`Mapping: the normative example${values.mixed ? ' plus an Okta customer and a Google Workspace partner' : ''}, pointed at the simulators (${m.file})\n\n`);
      const first = await planWith(conns, { onProgress: (msg) => progress.step(msg) });
      out(renderText(first.plan));
      out(`\n(${first.requests.halo} Halo requests for this plan)\n\nApplying…\n`);
      const result = await applyWith(conns, first, { allowOverThreshold: false, onProgress: (p) => progress.update(p.done, p.total, p.message) });
      progress.clear();
      out(`Applied ${result.applied}, failed ${result.failed}, stale ${result.stale}. Journal: ${values.keep ? result.journalFile : 'kept with --keep DIR'}\n\n`);
      const second = await planWith(conns, {});
      out(`Second plan: ${summaryLine(second.plan)}.\n`);
      const converged = second.plan.changes.length === 0;
      out(converged ? 'Converged: Halo now matches the mapping.\n' : 'Not converged: the second plan still has changes.\n');
      if (second.plan.errors.length) out(`${second.plan.errors.length} identities still need attention in their directory or in the mapping (listed above).\n`);
      return converged && !result.failed ? 0 : 1;
    } finally {
      conns.close();
    }
  } finally {
    progress.clear();
    await sims.stop();
    if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runSim(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, users: { type: 'string' }, seed: { type: 'string' }, dir: { type: 'string' }, 'halo-mode': { type: 'string' }, mixed: { type: 'boolean' } } });
  const port = values.port ? Number(values.port) : 0;
  const sims = await startSimulators({ world: worldFor(values.mixed, Number(values.users ?? 120), values.seed), haloPort: port, graphPort: port ? port + 1 : 0, haloModes: parseModes(values['halo-mode']) });
  const dir = path.resolve(values.dir ?? 'halo-identity-sim');
  const file = writeSimulatorFiles(sims, dir, values.mixed ? mixedMapping() : undefined);
  const m = readMappingFile(file);
  for (const d of m.parsed.diagnostics) io.stderr.write(`${file}:${formatDiagnostic(d)}\n`);
  io.stdout.write(
    [
      `Halo simulator:        ${sims.haloUrl}`,
      `Graph simulator:       ${sims.graphUrl}`,
      `Login simulator:       ${sims.loginUrl}`,
      ...sims.okta.map((o, i) => `Okta simulator:        ${o.url}${sims.okta.length > 1 ? ` (okta[${i}])` : ''}`),
      ...sims.google.map((g, i) => `Google simulator:      ${g.url}${sims.google.length > 1 ? ` (google[${i}])` : ''}`),
      `Halo answers as:       ${describeModes(sims.haloModes)}`,
      `Mapping:               ${file}`,
      `Simulator certificate: ${path.join(dir, 'simulator-ca.pem')}`,
      '',
      'The simulators accept only these made-up credentials; set them to plan or apply with the mapping above:',
      ...Object.entries(sims.env).map(([k, v]) => `  export ${k}=${shellValue(dir, k, v)}`),
      '',
      `Then: halo-identity plan ${path.relative(process.cwd(), file)}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sims.stop();
  return 0;
}

/** A value for `export`: one a shell would split or expand (a PEM key, a JSON key) goes in a file beside the mapping and is read from there. */
function shellValue(dir: string, name: string, value: string): string {
  if (/^[A-Za-z0-9._@:/+=-]*$/.test(value)) return value;
  const file = path.join(dir, `${name.toLowerCase().replace(/_/g, '-')}.${value.trimStart().startsWith('{') ? 'json' : 'pem'}`);
  fs.writeFileSync(file, value, { mode: 0o600 });
  return `"$(cat ${file})"`;
}

/** The example's world, or with --mixed the example's plus a customer's Okta org. */
function worldFor(mixed: boolean | undefined, users: number, seed: string | undefined) {
  const options = { users, seed: Number(seed ?? 1) };
  return mixed ? mixedWorld(options) : generateWorld(options);
}

function describeModes(modes: object): string {
  const documented = parseModes(undefined) as unknown as Record<string, string>;
  const other = Object.entries(modes as Record<string, string>).filter(([k, v]) => documented[k] !== v);
  return other.length ? `documented, except ${other.map(([k, v]) => `${k}=${v}`).join(', ')}` : 'its documents say (the default)';
}
