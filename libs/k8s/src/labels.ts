import type { ResolvedService, ResolvedStack } from '@todo/service-spec';

/** Labels that select a service's pods: stable across releases, so selectors never change. */
export function selectorLabels(stack: ResolvedStack, s: ResolvedService): Record<string, string> {
  return { 'app.kubernetes.io/instance': `${stack.name}-${stack.environment}`, 'app.kubernetes.io/name': s.name };
}

/** Recommended labels for every object of a service, with the spec's own labels. */
export function serviceLabels(stack: ResolvedStack, s: ResolvedService): Record<string, string> {
  return {
    ...s.labels,
    ...selectorLabels(stack, s),
    'app.kubernetes.io/component': s.role,
    'app.kubernetes.io/part-of': stack.name,
    'app.kubernetes.io/managed-by': 'todo-infra',
  };
}

/** Pod labels: the spec's own labels, then the recommended ones (which selectors rely on, so they win). */
export function podLabels(stack: ResolvedStack, s: ResolvedService): Record<string, string> {
  return { ...s.labels, ...serviceLabels(stack, s) };
}

/** Labels for stack-wide objects (namespace, policies, ingress). */
export function stackLabels(stack: ResolvedStack): Record<string, string> {
  return {
    'app.kubernetes.io/instance': `${stack.name}-${stack.environment}`,
    'app.kubernetes.io/part-of': stack.name,
    'app.kubernetes.io/managed-by': 'todo-infra',
  };
}
