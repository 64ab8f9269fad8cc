/**
 * Runs `fn` over `items`, at most `limit` at a time, results in input order. Hundreds of VMs must not mean
 * hundreds of open vCenter tasks or SSH sessions at once (one sshd, one vCenter, both with connection limits).
 */
export async function boundedAll<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many guests or VMs the engine talks to at once. */
export const FAN_OUT = 16;
