/**
 * A problem in what the user gave (a path, an environment variable, a file), not a
 * defect: the command line prints the message alone, with exit 1, and no stack.
 */
export class InputError extends Error {}
