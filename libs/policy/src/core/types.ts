/**
 * One broken expectation. `object` is what a waiver names: `Kind/namespace/name`
 * for Kubernetes objects, the file path for Dockerfiles and scanned files.
 */
export interface Violation {
  readonly rule: string;
  readonly object: string;
  readonly message: string;
}

export interface Rule<Input> {
  readonly id: string;
  readonly description: string;
  check(input: Input): Violation[];
}

export interface RuleOutcome {
  readonly rule: Rule<unknown>;
  readonly violations: Violation[];
  readonly waived: Array<{ violation: Violation; reason: string }>;
}
