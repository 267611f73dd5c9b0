// The built `halo-identity` command (dist/cli.js) run as a person or a pipeline runs it.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Any command, its output collected; `env` replaces the environment when given whole. */
export function runProcess(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Ran> {
  return runProcess(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
}
