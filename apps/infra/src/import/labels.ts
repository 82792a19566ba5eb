import type { ImportEntry } from './report';

type Note = (path: string, status: ImportEntry['status'], message: string) => void;

/** What Kubernetes takes as a label value and as a label or annotation key (the rules libs/service-spec validate-rules.ts checks). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * Compose labels (app.kubernetes.io/* already set aside) as spec labels and annotations. Compose
 * takes any key and value; Kubernetes takes a label value of at most 63 letters, digits, '-', '_'
 * and '.', and a key of [prefix/]name. A value it refuses moves to annotations, which take any
 * value and which compose writes as labels too (so compose keeps the label as it was); a key it
 * refuses for both is a cannot-map line with a suggested key. A label with no value is "".
 */
export function splitLabels(own: Record<string, string | null>, p: string, note: Note): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, raw] of Object.entries(own)) {
    const v = raw ?? '';
    const at = `${p}.labels.${k}`;
    if (!QUALIFIED_NAME.test(k)) {
      const suggested = k.replace(/[^-A-Za-z0-9_.]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') || 'label';
      note(at, 'unmapped', `"${k}" is not a key Kubernetes takes for a label or an annotation ([prefix/]name: a lowercase DNS prefix, and a name of 1-63 letters, digits, '-', '_', '.', starting and ending with a letter or digit): it is not in the output; rename it in compose (e.g. "${suggested}") and set it in labels or annotations`);
    } else if (v.length > 63 || !LABEL_VALUE.test(v)) {
      annotations[k] = v;
      note(at, 'decision', `the value ${JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v)} is not a Kubernetes label value (at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit): imported as an annotation, which compose writes as a label as before and Kubernetes as an annotation (label selectors do not see it)`);
    } else labels[k] = v;
  }
  return { labels, annotations };
}
