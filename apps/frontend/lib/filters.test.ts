import { applyFilter, countTodos, sortTodos } from './filters';
import type { Todo } from './types';

const make = (id: number, completed: boolean, created_at: string): Todo => ({
  id,
  title: `t${id}`,
  description: null,
  completed,
  created_at,
  updated_at: created_at,
});

const todos = [make(3, true, '2026-01-03'), make(1, false, '2026-01-01'), make(2, false, '2026-01-01')];

it('filters by state without mutating the input', () => {
  expect(applyFilter(todos, 'active').map((t) => t.id)).toEqual([1, 2]);
  expect(applyFilter(todos, 'completed').map((t) => t.id)).toEqual([3]);
  expect(applyFilter(todos, 'all')).toHaveLength(3);
  expect(applyFilter(todos, 'all')).not.toBe(todos);
});

it('counts every filter', () => {
  expect(countTodos(todos)).toEqual({ all: 3, active: 2, completed: 1 });
  expect(countTodos([])).toEqual({ all: 0, active: 0, completed: 0 });
});

it('sorts oldest first, then by id', () => {
  expect(sortTodos(todos).map((t) => t.id)).toEqual([1, 2, 3]);
});
