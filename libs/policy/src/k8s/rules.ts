import type { K8sRule } from './rule';
import { capabilities } from './rules/capabilities';
import { configMapSecrets } from './rules/configmap-secrets';
import { envSecretRef } from './rules/env-secret-ref';
import { hostNamespaces } from './rules/host-namespaces';
import { hostPath } from './rules/host-path';
import { hostPorts } from './rules/host-ports';
import { imageTagRule } from './rules/image-tag';
import { networkPolicyCoverage } from './rules/network-policy-coverage';
import { networkPolicyDefaultDeny } from './rules/network-policy-default-deny';
import { noSecretObjects } from './rules/no-secret-objects';
import { podDisruptionBudget } from './rules/pod-disruption-budget';
import { privilegeEscalation } from './rules/privilege-escalation';
import { privileged } from './rules/privileged';
import { probes } from './rules/probes';
import { readOnlyRoot } from './rules/read-only-root';
import { resources } from './rules/resources';
import { runAsNonRoot } from './rules/run-as-non-root';
import { runAsUser } from './rules/run-as-user';
import { seccomp } from './rules/seccomp';
import { serviceSelector } from './rules/service-selector';

export const K8S_RULES: readonly K8sRule[] = [
  runAsNonRoot, runAsUser, privilegeEscalation, capabilities, seccomp, privileged, hostNamespaces, hostPath,
  hostPorts, readOnlyRoot, probes, resources, imageTagRule, networkPolicyCoverage, networkPolicyDefaultDeny,
  podDisruptionBudget, serviceSelector, envSecretRef, configMapSecrets, noSecretObjects,
];
