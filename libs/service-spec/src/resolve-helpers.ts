import type { DependencySpec, ServiceSpec } from './types';

/** The service a dependsOn entry names. */
export function dependencyName(d: string | DependencySpec): string {
  return typeof d === 'string' ? d : d.service;
}

/** Key of a mounted file inside its volume, derived from its path: readable, stable, a valid ConfigMap key. */
export function fileKey(path: string): string {
  return path.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'file';
}

/** Whether a service has any probe, i.e. something "healthy" can mean. */
export function hasHealthCheck(s: ServiceSpec): boolean {
  return Boolean(s.health?.liveness || s.health?.readiness);
}

/** The condition a dependency waits for, defaults filled. */
export function dependencyCondition(d: string | DependencySpec, target: ServiceSpec | undefined): 'healthy' | 'started' | 'completed' {
  if (typeof d !== 'string' && d.condition) return d.condition;
  if (target?.job) return 'completed';
  return target && hasHealthCheck(target) ? 'healthy' : 'started';
}
