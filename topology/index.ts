export * from './schema';
export * from './load';
export * from './state';
export { InputError, LineInputError, formatPath, lineProblem, type Problem } from './problems';
export * from './guestinfo';
export * from './vpg-spec';
export * from './vpg-nics';
export * from './paths';
export * from './generate';
