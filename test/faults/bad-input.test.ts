// Every broken mapping in test/fixtures/bad, plus a file over 1 MiB and one that is not UTF-8
// (generated here rather than committed), through the BUILT CLI's `validate`: a positioned, human
// message on stdout per problem, exit 1 when there is an error, no stack trace, nothing written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, record, ROOT } from './support';

const DIR = path.join(ROOT, 'test/fixtures/bad');

function validate(file: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.HALO_IDENTITY_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'validate', file], { cwd, env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const listing = (dir: string) => fs.readdirSync(dir, { recursive: true }).map(String).sort();

describe('bad input: every broken mapping is refused by the built CLI with a positioned message', () => {
  let tmp: string;
  const inputs: Array<{ name: string; file: string; expected: string[] | null }> = [];

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: npm run build first`);
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.yaml')).sort()) {
      const expected = fs.readFileSync(path.join(DIR, f.replace(/\.yaml$/, '.expected')), 'utf8').split('\n').filter((l) => l.trim());
      inputs.push({ name: f, file: path.join(DIR, f), expected });
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-bad-'));
    const valid = fs.readFileSync(path.join(ROOT, 'examples/halo-identity.yaml'), 'utf8');
    const gen = (name: string, content: string | Buffer) => {
      fs.writeFileSync(path.join(tmp, name), content);
      inputs.push({ name: `(generated) ${name}`, file: path.join(tmp, name), expected: null });
    };
    // Valid YAML, just far too much of it: refused before parsing.
    gen('huge.yaml', valid + '\n# padding\n'.repeat(Math.ceil((1024 * 1024) / 10) + 10));
    gen('latin1.yaml', Buffer.concat([Buffer.from(valid.replace('Head Office', 'Head Office\n    #')), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]));
    gen('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, 'utf16le')]));
    gen('binary.yaml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('refuses each one, positioned, without a stack trace, writing nothing', async () => {
    assert.ok(inputs.length >= 64, `${inputs.length} bad inputs`);
    const before = { fixtures: listing(DIR), tmp: listing(tmp) };
    const failures: string[] = [];
    let rejected = 0;
    const queue = [...inputs];
    const worker = async () => {
      for (let x = queue.shift(); x; x = queue.shift()) {
        const r = await validate(x.file, path.dirname(x.file));
        const lines = r.stdout.split('\n').filter((l) => l.trim());
        const hasError = x.expected ? x.expected.some((l) => / error: /.test(l)) : true;
        const problems: string[] = [];
        if (r.code !== (hasError ? 1 : 0)) problems.push(`exit ${r.code}`);
        if (!lines.length) problems.push('no message on stdout');
        for (const l of lines) if (!l.startsWith(`${x.file}:`) || !/^:\d+:\d+: (error|warning): \S.{5,}/.test(l.slice(x.file.length))) problems.push(`not FILE:LINE:COL: severity: message: ${l.slice(0, 200)}`);
        if (/\n\s+at /.test(`\n${r.stdout}\n${r.stderr}`)) problems.push('stack trace');
        // The CLI reads the file as the editor does (a BOM is not a column); otherwise it says what the parser says.
        const bom = fs.readFileSync(x.file).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
        if (x.expected && !bom) assert.deepEqual(lines.map((l) => l.slice(x.file.length + 1)), x.expected, x.name);
        if (problems.length) failures.push(`${x.name}: ${problems.join('; ')}\n${r.stdout}${r.stderr}`);
        else if (hasError) rejected++;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.deepEqual(failures, []);
    assert.deepEqual({ fixtures: listing(DIR), tmp: listing(tmp) }, before, 'nothing written next to the inputs');
    const warningsOnly = inputs.filter((x) => x.expected && !x.expected.some((l) => / error: /.test(l))).map((x) => x.name);
    record({
      id: 'bad-input-corpus',
      area: 'input',
      input: `${inputs.length} broken mapping files (${inputs.length - 4} in test/fixtures/bad, 4 generated: > 1 MiB, Latin-1, UTF-16, binary)`,
      expected: 'exit 1; FILE:LINE:COL: error: message on stdout; no stack trace; nothing written',
      observed: `${rejected} rejected with positioned errors; ${warningsOnly.length} warning-only by design (exit 0): ${warningsOnly.join(', ')}`,
      faultsInjected: inputs.length,
      passed: true,
      files: inputs.map((x) => x.name),
      inputs: inputs.length,
      rejected,
      warningOnly: warningsOnly.length,
    });
  });
});
