// Run async tasks with a bound on how many are in flight; the first failure wins and stops the rest.

export async function allLimited<T>(tasks: Array<(signal: AbortSignal) => Promise<T>>, limit: number, outer?: AbortSignal): Promise<T[]> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const results = new Array<T>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < tasks.length) {
      const i = next++;
      try {
        results[i] = await tasks[i](signal);
      } catch (error) {
        // Keep the first cause, not the cancellations it provoked in siblings.
        if (!failure) failure = { error };
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
