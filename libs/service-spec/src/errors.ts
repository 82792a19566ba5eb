/** One problem in a spec, at an exact path such as `services.backend.dependsOn[0]`. */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown with every problem found, so a user fixes them all in one pass. */
export class SpecValidationError extends Error {
  constructor(readonly issues: readonly SpecIssue[]) {
    super(
      `The service spec has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
    );
    this.name = 'SpecValidationError';
  }
}
