// Directory sources (issue "Any directory Halo's own integrations read"): plan() at 10k in a mixed
// world (an Entra tenant with half, an Okta org and a Google Workspace with a quarter each) beside
// plan() at 10k from Entra alone, in one run, and the Okta and Google readers' requests against
// their floors (users pages + group member pages at the page sizes used). Written to bench/results.json and the "Directory sources" section of
// BENCHMARKS.md; `npm run bench` runs it, `npm run bench:sources` alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plan } from '../src/core/plan';
import { connect } from '../src/engine/connections';
import { readMappingFile, validMapping } from '../src/engine/mapping-file';
import { takeSnapshots } from '../src/engine/snapshot';
import { startSimulators, writeSimulatorFiles } from '../src/sim';
import { mixedMapping, mixedWorld } from '../src/sim/example-mixed';
import { generateWorld } from '../src/sim/world';
import { MEMBERS_PAGE as GOOGLE_MEMBERS_PAGE } from '../src/sources/google/groups';
import { USERS_PAGE as GOOGLE_USERS_PAGE } from '../src/sources/google/users';
import { MEMBERS_PAGE } from '../src/sources/okta/groups';
import { USERS_PAGE } from '../src/sources/okta/users';
import { median, round } from './lib';
import { benchMapping } from './tenant';

const ROOT = path.join(__dirname, '../..');
const START = '<!-- sources:start -->';
const END = '<!-- sources:end -->';
const RUNS = 7;
const WARMUPS = 5;
const SIZE = 10_000;

interface Requests {
  requests: number;
  lookups: number;
  floor: number;
  users: number;
}

interface World {
  label: string;
  planMs: number[];
  okta?: Requests;
  google?: Requests;
}

async function measure(label: string, mixed: boolean): Promise<World> {
  const world = mixed ? mixedWorld({ users: SIZE / 2, customers: SIZE / 4, partners: SIZE / 4, seed: 41 }) : generateWorld({ users: SIZE, seed: 41 });
  const sims = await startSimulators({ world });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-bench-sources-'));
  try {
    const fast: Array<[Array<string | number>, unknown]> = [[['halo', 'rateLimit'], { requests: 1_000_000, windowSeconds: 1 }]];
    const m = readMappingFile(writeSimulatorFiles(sims, dir, mixed ? benchMapping(fast, mixedMapping()) : benchMapping(fast)));
    const conns = await connect(validMapping(m), { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? sims.env[name] : undefined) });
    try {
      const before = { okta: sims.requests.okta.length, google: sims.requests.google.length };
      const snapshots = await takeSnapshots(conns);
      const okta = sims.requests.okta.slice(before.okta).filter((r) => r.path !== '/oauth2/v1/token');
      const google = sims.requests.google.slice(before.google).filter((r) => r.path !== '/token');
      const planMs: number[] = [];
      for (let i = 0; i < WARMUPS + RUNS; i++) {
        const t0 = process.hrtime.bigint();
        plan(conns.mapping, snapshots.directories, snapshots.halo);
        if (i >= WARMUPS) planMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const out: World = { label, planMs };
      const org = world.okta?.[0];
      if (org) {
        // The floor: every users page (the active, then the deactivated) and every member page of the groups read.
        const deprovisioned = org.users.filter((u) => u.status === 'DEPROVISIONED').length;
        const read = new Set(snapshots.directories.tenants.find((t) => t.tenant === 'customers')!.groups.map((g) => g.id));
        const memberPages = org.groups.filter((g) => read.has(g.id)).reduce((n, g) => n + Math.max(1, Math.ceil(g.members.length / MEMBERS_PAGE)), 0);
        const floor = Math.ceil((org.users.length - deprovisioned) / USERS_PAGE) + Math.max(1, Math.ceil(deprovisioned / USERS_PAGE)) + memberPages;
        const lookups = okta.filter((r) => r.path === '/api/v1/groups').length;
        out.okta = { requests: okta.length, lookups, floor, users: org.users.length };
      }
      const partner = world.google?.[0];
      if (partner) {
        // The floor: every users page, and every member page of each group read, nested ones included.
        const byId = new Map(partner.groups.map((g) => [g.id, g]));
        const named = snapshots.directories.tenants.find((t) => t.tenant === 'partners')!.groups.map((g) => g.id);
        const seen = new Set<string>();
        const walk = (id: string) => {
          if (seen.has(id)) return;
          seen.add(id);
          for (const m of byId.get(id)?.members ?? []) if (m.type === 'GROUP') walk(m.id);
        };
        named.forEach(walk);
        const memberPages = [...seen].reduce((n, id) => n + Math.max(1, Math.ceil((byId.get(id)?.members.length ?? 0) / GOOGLE_MEMBERS_PAGE)), 0);
        const floor = Math.ceil(partner.users.length / GOOGLE_USERS_PAGE) + memberPages;
        // Finding a group by name lists the groups (200 a page); by address or id, one get.
        const lookups = google.filter((r) => r.path === '/admin/directory/v1/groups' || /^\/admin\/directory\/v1\/groups\/[^/]+$/.test(r.path)).length;
        out.google = { requests: google.length, lookups, floor, users: partner.users.length };
      }
      return out;
    } finally {
      conns.close();
    }
  } finally {
    await sims.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSources(): Promise<void> {
  const entra = await measure('Entra only', false);
  const mixed = await measure('Entra + Okta + Google Workspace', true);
  const ratio = round(median(mixed.planMs) / median(entra.planMs));
  const o = mixed.okta!;
  const g = mixed.google!;
  const requestRatio = round((o.requests - o.lookups) / o.floor);
  const googleRatio = round((g.requests - g.lookups) / g.floor);
  const resultsFile = path.join(ROOT, 'bench', 'results.json');
  const figures = (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Array<{ name: string }>).filter((f) => !f.name.startsWith('sources.'));
  const timing = (w: World) => ({ median: round(median(w.planMs)), min: round(Math.min(...w.planMs)), max: round(Math.max(...w.planMs)) });
  figures.push({ name: 'sources.plan.time.10k.entra', unit: 'ms', ...timing(entra), runs: RUNS } as { name: string });
  figures.push({ name: 'sources.plan.time.10k.mixed', unit: 'ms', ...timing(mixed), runs: RUNS, ratioToEntraOnly: ratio } as { name: string });
  figures.push({ name: 'sources.okta.requests.2.5k', unit: 'requests ÷ floor', value: requestRatio, requests: o.requests, groupLookups: o.lookups, floor: o.floor, withinBudget: requestRatio <= 1.1, budget: { kind: 'maximum', value: 1.1 } } as { name: string });
  figures.push({ name: 'sources.google.requests.2.5k', unit: 'requests ÷ floor', value: googleRatio, requests: g.requests, groupLookups: g.lookups, floor: g.floor, withinBudget: googleRatio <= 1.1, budget: { kind: 'maximum', value: 1.1 } } as { name: string });
  fs.writeFileSync(resultsFile, JSON.stringify(figures, null, 2) + '\n');
  const t = (w: World) => `${round(median(w.planMs))} ms (${round(Math.min(...w.planMs))}–${round(Math.max(...w.planMs))})`;
  const lines = [
    START,
    '## Directory sources',
    '',
    `plan() at ${SIZE.toLocaleString('en-GB')} identities from snapshots in memory, median of ${RUNS} runs after ${WARMUPS} warm-ups, both worlds measured in this one run: the example's Entra tenant alone, and a mixed world (the example's tenant with ${(SIZE / 2).toLocaleString('en-GB')} users, an Okta org and a Google Workspace of ${(SIZE / 4).toLocaleString('en-GB')} each feeding Fabrikam, the mixed mapping of \`src/sim/example-mixed.ts\`).`,
    '',
    '| world | plan() | ÷ Entra only |',
    '| --- | --- | --- |',
    `| ${entra.label} | ${t(entra)} | 1 |`,
    `| ${mixed.label} | ${t(mixed)} | ${ratio} |`,
    '',
    `Requests of one full read of each (token requests aside), ÷ the floor. Okta (${o.users.toLocaleString('en-GB')} users): users pages at ${USERS_PAGE} (the active users, then the deactivated ones, which Okta leaves out of a plain list) + member pages at ${MEMBERS_PAGE} of each group the mapping names. Google Workspace (${g.users.toLocaleString('en-GB')} users): users pages at ${GOOGLE_USERS_PAGE} + member pages at ${GOOGLE_MEMBERS_PAGE} of each group read, the nested ones included. Finding a group (Okta by name: \`q=\`; Google by name: the groups list, by address or id: one get) is counted apart.`,
    '',
    '| directory | requests | group lookups | floor | (requests − lookups) ÷ floor | within 1.1 × |',
    '| --- | --- | --- | --- | --- | --- |',
    `| Okta | ${o.requests} | ${o.lookups} | ${o.floor} | ${requestRatio} | ${requestRatio <= 1.1 ? 'yes' : '**no**'} |`,
    `| Google Workspace | ${g.requests} | ${g.lookups} | ${g.floor} | ${googleRatio} | ${googleRatio <= 1.1 ? 'yes' : '**no**'} |`,
    END,
  ];
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  const section = lines.join('\n');
  fs.writeFileSync(file, doc.includes(START) ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
  process.stderr.write(`sources: mixed plan ${ratio} × Entra only; Okta requests ${requestRatio} × floor, Google ${googleRatio} × floor\n`);
}

if (require.main === module) {
  benchSources().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
