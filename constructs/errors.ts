import type { IConstruct } from 'constructs';

/** A construct prop error thrown at construction time: names the construct path, the bad value and the fix. */
export class ConstructPropError extends Error {
  constructor(scope: IConstruct, prop: string, value: unknown, fix: string) {
    super(`${scope.node.path}: ${prop} = ${JSON.stringify(value)}: ${fix}`);
    this.name = 'ConstructPropError';
  }
}
