export * from './types';
export * from './resolved';
export * from './errors';
export { validate, validateMeaning, assertValid } from './validate';
export { validateShape } from './validate-shape';
export { resolve, dependencyOrder, type ResolveOptions } from './resolve';
export * from './images';
export { composeHealthCommand } from './health-command';
export { todoStack } from './stacks/todo';
