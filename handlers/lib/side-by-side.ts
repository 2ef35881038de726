// Work run side by side that must all have stopped before the caller cleans up: Promise.all rejects on
// the first failure while the rest go on, so a work dir could be removed, or a relay closed, under an
// ffmpeg that is still running (and still running after the invocation has answered).

/**
 * Runs each job with a signal that aborts when `parent` does or when any job fails, and settles only
 * once every job has: the first failure is thrown (not the aborts it caused), otherwise every result.
 */
export async function sideBySide<T extends readonly unknown[]>(
  jobs: { readonly [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> },
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  let first: { error: unknown } | undefined;
  try {
    const settled = await Promise.allSettled(
      (jobs as readonly ((signal: AbortSignal) => Promise<unknown>)[]).map(async (job) => {
        try {
          return await job(controller.signal);
        } catch (error) {
          first ??= { error };
          controller.abort(error);
          throw error;
        }
      }),
    );
    if (first) throw first.error;
    return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
  } finally {
    parent?.removeEventListener('abort', onParentAbort);
  }
}
