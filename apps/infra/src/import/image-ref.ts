import { checkImageRef, type SpecIssue } from '@todo/service-spec';

/**
 * The cannot-map line for an image reference neither compose nor Kubernetes accepts (`A/B:1`: a
 * repository is lowercase): compose refuses it too ("invalid reference format"), so the spec keeps
 * it as written and the line names the fix, with the lowercase reference when that one is valid.
 */
export function imageRefLine(ref: string, why: string): string {
  const at = ref.search(/[:@][^/]*$/);
  const lower = at > 0 ? ref.slice(0, at).toLowerCase() + ref.slice(at) : ref.toLowerCase();
  const fixed: SpecIssue[] = [];
  checkImageRef(lower, '', fixed);
  const hint = lower !== ref && !fixed.length ? ` (e.g. "${lower}")` : '';
  return `${why}; compose refuses it too ("invalid reference format"), and the imported spec keeps it as written, so validation refuses it: write a valid reference in compose${hint} and import again, or set image.ref`;
}
