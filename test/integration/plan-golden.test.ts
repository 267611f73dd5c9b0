// The plan JSON of the normative example and of a two-tenant mapping, byte for byte, against
// seeded simulator worlds: what the planner decides must not move when its inputs do not.
// UPDATE_GOLDEN=1 rewrites the files (only after a change meant to alter plans).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planJson } from '../../src/core/render';
import { planWith } from '../../src/engine/run';
import { generateWorld } from '../../src/sim/world';
import { SimEnv, startSimEnv } from '../support/sim-env';

const DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'plans');
const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'halo-identity.yaml'), 'utf8');

function checkGolden(name: string, json: string): void {
  const file = path.join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, json);
  assert.equal(json, fs.readFileSync(file, 'utf8'), `${name} differs from the plan it recorded`);
}

async function goldenPlan(env: SimEnv): Promise<string> {
  const conns = await env.connect();
  try {
    return planJson((await planWith(conns)).plan);
  } finally {
    conns.close();
  }
}

describe('plan JSON is byte-identical to the recorded plans', () => {
  const envs: SimEnv[] = [];
  after(() => Promise.all(envs.map((e) => e.close())));

  it('the normative example over an 800-user world', async () => {
    const env = await startSimEnv({ worldOptions: { users: 800, seed: 7 }, mapping: EXAMPLE, haloModes: {} });
    envs.push(env);
    checkGolden('example-800.json', await goldenPlan(env));
  });

  it('two Entra tenants feeding two clients', async () => {
    const text = fs.readFileSync(path.join(DIR, 'two-tenants.yaml'), 'utf8');
    const world = generateWorld({ users: 300, seed: 21 });
    const customer = generateWorld({ users: 150, seed: 22, tenantId: '11111111-2222-4333-8444-555555555555', domain: 'fabrikam.example' });
    world.graph.push(customer.graph[0]);
    const env = await startSimEnv({ world, mapping: text, haloModes: {} });
    envs.push(env);
    env.sims.env.FABRIKAM_CLIENT_ID = customer.graph[0].clientId;
    env.sims.env.FABRIKAM_CLIENT_SECRET = customer.graph[0].clientSecret;
    checkGolden('two-tenants.json', await goldenPlan(env));
  });
});

before(() => fs.mkdirSync(DIR, { recursive: true }));
