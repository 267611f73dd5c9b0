// Work that reads both sides before asking the person something (Revert, applying an access
// review): the mapping's connections opened under a cancellable notification, kept open for the
// write that may follow. A failure is reported; cancelling is quiet.
import type { Connections } from '../../engine/connections';
import { isCancellation } from '../errors';
import { withCancellableProgress } from '../progress';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { reportFailure } from './failures';

/** `fn`'s result with the connections still open (the caller closes them), or undefined. */
export async function readConnected<T>(svc: Services, session: MappingSession, what: string, message: string, fn: (conns: Connections, signal: AbortSignal) => Promise<T>): Promise<{ conns: Connections; value: T } | undefined> {
  try {
    return await withCancellableProgress('Halo Identity', async (signal, report) => {
      report.message(message);
      const conns = await session.connect(await session.load(), signal);
      try {
        return { conns, value: await fn(conns, signal) };
      } catch (e) {
        conns.close();
        throw e;
      }
    });
  } catch (e) {
    if (!isCancellation(e)) reportFailure(svc, `${what} failed`, e, session);
    return undefined;
  }
}
