/**
 * Faults injected through the control endpoint. A rule matches requests by method and path (a regular
 * expression over the path and query) and fires `count` times (or forever when absent).
 */
export interface FaultRule {
  /** Regular expression tested against the request's path and query, e.g. `^/v1/vpgs`. */
  readonly path: string;
  readonly method?: string;
  /**
   * `latency` delays the answer; `status` answers with that HTTP status (nothing done); `drop` destroys the
   * connection (nothing done); `lose` does the call, then destroys the connection (the answer is lost).
   */
  readonly kind: 'latency' | 'status' | 'drop' | 'lose';
  readonly latencyMs?: number;
  readonly status?: number;
  count?: number;
}

export class Faults {
  private rules: { rule: FaultRule; pattern: RegExp }[] = [];

  add(rule: FaultRule): void {
    if (!['latency', 'status', 'drop', 'lose'].includes(rule.kind)) throw new Error(`unknown fault kind ${JSON.stringify(rule.kind)}: use latency, status, drop or lose`);
    this.rules.push({ rule: { ...rule }, pattern: new RegExp(rule.path) });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The rules this request triggers, each consuming one of its `count`. */
  take(method: string, pathAndQuery: string): FaultRule[] {
    const fired = this.rules
      .filter(({ rule, pattern }) => (rule.method === undefined || rule.method.toUpperCase() === method) && pattern.test(pathAndQuery))
      .map(({ rule }) => rule);
    for (const rule of fired) if (rule.count !== undefined) rule.count -= 1;
    this.rules = this.rules.filter(({ rule }) => rule.count === undefined || rule.count > 0);
    return fired;
  }
}
