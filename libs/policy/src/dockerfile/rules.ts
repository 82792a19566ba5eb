import type { Rule } from '../core/types';
import type { DockerfileRule, ParsedDockerfile } from './model';
import { aptLists } from './rules/apt-lists';
import { basePinned } from './rules/base-pinned';
import { execForm } from './rules/exec-form';
import { healthcheck } from './rules/healthcheck';
import { noSecretEnv } from './rules/no-secret-env';
import { nonRootUser } from './rules/non-root-user';

/** dockerfile-copy-not-add was retired for trivy's DS-0005 (`nx run infra:scan-config`, docs/security.md). */
export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  basePinned, nonRootUser, healthcheck, execForm, noSecretEnv, aptLists,
];

/** The CLI reports per rule across all files, so each rule is lifted to a list of Dockerfiles. */
export const DOCKERFILE_LIST_RULES: ReadonlyArray<Rule<readonly ParsedDockerfile[]>> = DOCKERFILE_RULES.map((r) => ({
  id: r.id,
  description: r.description,
  check: (files: readonly ParsedDockerfile[]) => files.flatMap((df) => r.check(df)),
}));
