/**
 * Reads an endpoint of the local environment (set by the global setup). A missing one fails the test:
 * an integration test never skips because its server is absent.
 */
export function testenv(name: string): string {
  const value = process.env[`PRA_TESTENV_${name}`];
  if (value === undefined || value === '') throw new Error(`PRA_TESTENV_${name} is not set: the testenv service that provides it did not start`);
  return value;
}
