export * from './schema';
export * from './load';
export * from './state';
export { InputError, formatPath, type Problem } from './problems';
export * from './vpg-spec';
export * from './paths';
export * from './generate';
