/**
 * Where drivers write what they do. Lines never carry secrets: drivers build them from endpoints,
 * names, statuses and durations only. The engine's renderers and the tests pass their own.
 */
export interface Logger {
  debug(line: string): void;
  info(line: string): void;
  warn(line: string): void;
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };
