/** One line of the import report: a compose field and what became of it. */
export interface ImportEntry {
  /** Compose path, e.g. `services.db.healthcheck`. */
  readonly path: string;
  /**
   * mapped: carried over as is. decision: carried over with a choice the user must confirm
   * (the spec says what was chosen). unmapped: the spec cannot express it; it is not in the output.
   */
  readonly status: 'mapped' | 'decision' | 'unmapped';
  readonly message: string;
}

const HEADINGS = { decision: 'Needs a decision', unmapped: 'Cannot map', mapped: 'Mapped' } as const;

/** The report as Markdown: decisions first, then what cannot map, then what mapped. */
export function formatReport(source: string, entries: readonly ImportEntry[]): string {
  const lines = [`# Import report: ${source}`, ''];
  const counts = (['decision', 'unmapped', 'mapped'] as const).map((s) => `${entries.filter((e) => e.status === s).length} ${HEADINGS[s].toLowerCase()}`);
  lines.push(`${counts.join(', ')}.`, '');
  for (const status of ['decision', 'unmapped', 'mapped'] as const) {
    const list = entries.filter((e) => e.status === status);
    if (!list.length) continue;
    lines.push(`## ${HEADINGS[status]}`, '');
    for (const e of list) lines.push(`- \`${e.path}\`: ${e.message}`);
    lines.push('');
  }
  return lines.join('\n');
}
