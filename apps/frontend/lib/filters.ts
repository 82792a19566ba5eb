import type { Todo } from './types';

export const FILTERS = ['all', 'active', 'completed'] as const;
export type Filter = (typeof FILTERS)[number];

export const FILTER_LABELS: Record<Filter, string> = { all: 'All', active: 'Active', completed: 'Completed' };

export function applyFilter(todos: readonly Todo[], filter: Filter): Todo[] {
  if (filter === 'active') return todos.filter((todo) => !todo.completed);
  if (filter === 'completed') return todos.filter((todo) => todo.completed);
  return [...todos];
}

export function countTodos(todos: readonly Todo[]): Record<Filter, number> {
  const completed = todos.filter((todo) => todo.completed).length;
  return { all: todos.length, active: todos.length - completed, completed };
}

/** Oldest first, so new todos land at the bottom where the add form is. */
export function sortTodos(todos: readonly Todo[]): Todo[] {
  return [...todos].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}
