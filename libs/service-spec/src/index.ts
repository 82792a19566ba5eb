export * from './types';
export * from './resolved';
export * from './errors';
export { validate, validateMeaning, assertValid } from './validate';
export { validateShape } from './validate-shape';
export { resolve, dependencyOrder, dependencyName, fileKey, hasHealthCheck, type ResolveOptions } from './resolve';
export { isPinnedImage, mirrorImage, builtImageRef } from './images';
export { secretVariable } from './secret-variables';
export { todoStack } from './stacks/todo';
