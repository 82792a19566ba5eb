import type { K8sRule } from './rule';
import { configMapSecrets } from './rules/configmap-secrets';
import { envSecretRef } from './rules/env-secret-ref';
import { imageTagRule } from './rules/image-tag';
import { networkPolicyDefaultDeny } from './rules/network-policy-default-deny';
import { noSecretObjects } from './rules/no-secret-objects';
import { podDisruptionBudget } from './rules/pod-disruption-budget';
import { probes } from './rules/probes';
import { readOnlyRoot } from './rules/read-only-root';
import { resources } from './rules/resources';
import { runAsNonRoot } from './rules/run-as-non-root';
import { runAsUser } from './rules/run-as-user';

/**
 * Only the rules no field scanner covers, or that synth must run on the spec before writing
 * (naming the spec field, honouring the spec's gateWaivers). Retired for the field's own rules,
 * which `nx run infra:scan-config` runs (docs/security.md): pss-allow-privilege-escalation
 * (trivy KSV-0001), pss-capabilities (KSV-0003, KSV-0106), pss-seccomp (KSV-0030, KSV-0104),
 * pss-privileged (KSV-0017; kube-score container-security-context-privileged), pss-host-namespaces
 * (KSV-0008, KSV-0009, KSV-0010), pss-host-path (KSV-0023), pss-host-ports (KSV-0024),
 * network-policy-coverage (kube-score pod-networkpolicy), service-selector (kube-score service-targets-pod).
 */
export const K8S_RULES: readonly K8sRule[] = [
  runAsNonRoot, runAsUser, readOnlyRoot, probes, resources, imageTagRule, networkPolicyDefaultDeny,
  podDisruptionBudget, envSecretRef, configMapSecrets, noSecretObjects,
];
