// One apply at a time against one Halo: two cron jobs, or a pipeline and the editor, on this
// machine. The lock is a directory (mkdir is atomic) named after the Halo URL, holding who took it
// and when; a holder that died (same host, process gone) is taken over under a second directory,
// so that two processes cannot both take over the same dead lock.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  user: string;
  /** What holds it, e.g. "halo-identity apply" or "VS Code: Apply". */
  what: string;
  /** ISO time the lock was taken. */
  since: string;
  halo: string;
  /** This taking of the lock: a release removes only the lock it took. */
  token: string;
}

export class RunLockedError extends Error {
  constructor(readonly owner: LockOwner | undefined, readonly lockDir: string) {
    super(
      owner
        ? `Another apply against ${owner.halo} is running: ${owner.what} (process ${owner.pid} on ${owner.host}, user ${owner.user}) since ${owner.since}. Nothing was written; try again when it has finished${owner.host === os.hostname() ? '' : `, or remove ${lockDir} if that machine's run is known to be gone`}.`
        : `Another apply holds ${lockDir}; nothing was written.`,
    );
    this.name = 'RunLockedError';
  }
}

/** Where locks live: HALO_IDENTITY_LOCK_DIR, else ~/.halo-identity/locks (one machine, every checkout). */
export function lockRoot(): string {
  return process.env.HALO_IDENTITY_LOCK_DIR || path.join(os.homedir(), '.halo-identity', 'locks');
}

const TAKEOVER_STALE_MS = 30_000;
const POLL_MS = 250;

export interface RunLock {
  /** Whether another apply held it first: what was read before is then no longer current. */
  waited: boolean;
  release(): void;
}

/**
 * Takes the lock for `haloUrl`, waiting up to `waitMs` (default 0: refuse at once) while another
 * live process holds it. Throws RunLockedError.
 */
export async function acquireRunLock(haloUrl: string, what: string, opts: { waitMs?: number; root?: string } = {}): Promise<RunLock> {
  const halo = haloUrl.replace(/\/+$/, '').toLowerCase();
  const dir = path.join(opts.root ?? lockRoot(), createHash('sha256').update(halo).digest('hex').slice(0, 24));
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), user: userName(), what, since: new Date().toISOString(), halo, token: randomUUID() };
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (let waited = false; ; waited = true) {
    if (tryTake(dir, owner) || takeOverDead(dir, owner)) return { waited, release: () => release(dir, owner) };
    if (Date.now() >= deadline) throw new RunLockedError(readOwner(dir), dir);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function tryTake(dir: string, owner: LockOwner): boolean {
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify(owner) + '\n');
  return true;
}

/** Only a holder known to be dead is replaced; one on another machine is never guessed at. */
function takeOverDead(dir: string, owner: LockOwner): boolean {
  const guard = `${dir}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover left behind by a process killed in the middle of one.
    if (Date.now() - fs.statSync(guard, { throwIfNoEntry: false })!.mtimeMs > TAKEOVER_STALE_MS) fs.rmSync(guard, { recursive: true, force: true });
    return false;
  }
  try {
    const held = readOwner(dir);
    // No owner file: a holder between its mkdir and its write (alive), unless that was long ago.
    if (!held) {
      const age = Date.now() - (fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age < TAKEOVER_STALE_MS) return false;
    } else if (held.host !== owner.host || alive(held.pid)) return false;
    fs.rmSync(dir, { recursive: true, force: true });
    return tryTake(dir, owner);
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

function release(dir: string, owner: LockOwner): void {
  const held = readOwner(dir);
  if (held?.token === owner.token) fs.rmSync(dir, { recursive: true, force: true });
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
