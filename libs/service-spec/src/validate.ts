import { SpecIssue, SpecValidationError } from './errors';
import type { StackSpec } from './types';
import { checkEnvironments } from './validate-environments';
import { checkObjectSizes, stringLimits } from './validate-limits';
import { checkProfiles } from './validate-profiles';
import { dnsLabel } from './validate-rules';
import { checkUnresolvedInterpolation } from './validate-interpolation';
import { checkService, findCycles } from './validate-service';
import { hugeNumbers, validateShape } from './validate-shape';

/** Phase 2: meaning. Assumes the shape is right. */
export function validateMeaning(spec: StackSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  dnsLabel(spec.name, 'name', 'stack name', out);
  const names = new Set<string>();
  spec.services.forEach((s, i) => {
    dnsLabel(s.name, `services[${i}].name`, 'service name', out);
    if (names.has(s.name)) out.push({ path: `services[${i}].name`, message: `duplicate service name "${s.name}"` });
    names.add(s.name);
  });
  // A database's StatefulSet is governed by the Service `<name>-headless` (libs/k8s/src/service.ts).
  spec.services.forEach((s, i) => {
    const db = spec.services.find((d) => d.role === 'database' && !d.job && `${d.name}-headless` === s.name);
    if (db) out.push({ path: `services[${i}].name`, message: `"${s.name}" is the name of the headless Service that database "${db.name}" gets on Kubernetes: rename this service` });
  });
  if (spec.services.length === 0) out.push({ path: 'services', message: 'a stack needs at least one service' });
  for (const s of spec.services) checkService(s, spec, names, out);
  for (const cycle of findCycles(spec.services)) {
    out.push({ path: `services.${cycle[0]}.dependsOn`, message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  checkEnvironments(spec, names, out);
  checkProfiles(spec, out);
  checkUnresolvedInterpolation(spec, out);
  checkObjectSizes(spec, out);
  return out;
}

/** Every problem in the spec, shape first; empty when valid. */
export function validate(spec: unknown): SpecIssue[] {
  // Sizes and control characters first: cheap, and nothing later has to read a 50 MB string.
  const strings = stringLimits(spec);
  if (strings.length) return strings;
  const shape = validateShape(spec);
  if (shape.length) return shape;
  const huge = hugeNumbers(spec);
  if (huge.length) return huge;
  return validateMeaning(spec as StackSpec);
}

/** Throws a SpecValidationError listing every problem. */
export function assertValid(spec: unknown): asserts spec is StackSpec {
  const issues = validate(spec);
  if (issues.length) throw new SpecValidationError(issues);
}
