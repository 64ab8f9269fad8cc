/**
 * Resolves when `predicate` (sync or async) holds, polling every `intervalMs`; rejects naming `what` after
 * `timeoutMs`. Bounded, so a failing test ends instead of keeping jest alive.
 */
export async function eventually(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const { timeoutMs = 10000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
