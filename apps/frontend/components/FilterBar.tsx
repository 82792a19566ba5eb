'use client';

import { FILTER_LABELS, FILTERS, type Filter } from '@/lib/filters';

interface Props {
  value: Filter;
  counts: Record<Filter, number>;
  onChange(filter: Filter): void;
}

export function FilterBar({ value, counts, onChange }: Props) {
  return (
    <div className="filters" role="group" aria-label="Show todos">
      {FILTERS.map((filter) => (
        <button key={filter} type="button" aria-pressed={filter === value} onClick={() => onChange(filter)}>
          {FILTER_LABELS[filter]} <span className="count">({counts[filter]})</span>
        </button>
      ))}
    </div>
  );
}
