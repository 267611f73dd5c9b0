// Typed access to test/vscode/shim.js, the plain-Node launcher of code-server and Chromium that
// @vscode/test-electron spawns; the UI tests reuse it rather than launching things a second way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const root = path.resolve(__dirname, '..', '..', '..');
export const shimPath = path.join(root, 'test', 'vscode', 'shim.js');

export interface CodeServer {
  url: string;
  port: number;
  /** The server's recent stdout and stderr, for failure messages. */
  output: string[];
  /** Stops the server and its process group, and waits for it to exit. */
  stop(): Promise<void>;
}

export interface ProfileOptions {
  home: string;
  userDataDir: string;
  extensionsDir: string;
}

export interface StartOptions extends ProfileOptions {
  smokeTestDriver?: boolean;
  untrusted?: boolean;
  verbose?: boolean;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface Harness {
  paths: { root: string; testDir: string; node: string; codeServer: string; chromium: string; runs: string; artifacts: string };
  checkSetup(): void;
  scratch(prefix: string): string;
  startCodeServer(options: StartOptions): Promise<CodeServer>;
  codeServerCli(args: string[], options: ProfileOptions): Promise<string>;
  launchChromium(profileDir: string, options?: Record<string, unknown>): Promise<BrowserContext>;
}

// A runtime require: the shim is plain JS outside the TypeScript program.
export const harness = require(shimPath) as Harness;

export function version(): string {
  return (require(path.join(root, 'package.json')) as { version: string }).version;
}

/** Where `npm run package` leaves the .vsix. */
export function vsixPath(): string {
  return path.join(root, `halo-identity-${version()}.vsix`);
}

/** What runs leave in a workspace (the simulators' folder, journals, dry-run plans): never fixture. */
const GENERATED = /^(halo-identity-sim|\.halo-identity)(\/|$)|\.plan\.(json|md)$/;

/** A scratch copy of a fixture folder, so a run neither sees nor leaves files of another run. */
export function copyFixture(fixture: string, to: string): void {
  fs.cpSync(fixture, to, { recursive: true, filter: src => !GENERATED.test(path.relative(fixture, src)) });
}
