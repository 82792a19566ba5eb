'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApiClient } from '@/lib/api-client';
import { ApiError } from '@/lib/errors';
import { applyFilter, countTodos, sortTodos, type Filter } from '@/lib/filters';
import type { Todo, TodoApi, TodoPatch } from '@/lib/types';
import { AddTodoForm } from './AddTodoForm';
import { ChatPanel } from './ChatPanel';
import { FilterBar } from './FilterBar';
import { TodoItem } from './TodoItem';

const browserApi = createApiClient();

interface Props {
  api?: TodoApi;
  retryMs?: number;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.');
}

export function TodoApp({ api = browserApi, retryMs = 3000 }: Props) {
  const [todos, setTodos] = useState<Todo[] | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState('');
  const [status, setStatus] = useState('');

  const reload = useCallback(
    () =>
      api.listTodos().then(
        (list) => {
          setTodos(sortTodos(list));
          setLoadError(null);
        },
        (error: unknown) => setLoadError(asApiError(error)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  // Each failure stores a new error object, which schedules the next attempt.
  useEffect(() => {
    if (!loadError) return;
    const timer = setTimeout(() => void reload(), retryMs);
    return () => clearTimeout(timer);
  }, [loadError, reload, retryMs]);

  /** Runs a change, then reloads so the list always shows what the backend stored. */
  const mutate = useCallback(
    async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
      try {
        await action();
        setActionError('');
        setStatus(done);
        await reload();
        return true;
      } catch (error) {
        const apiError = asApiError(error);
        setActionError(apiError.message);
        if (apiError.unavailable) setLoadError(apiError);
        if (apiError.status === 404) await reload();
        return false;
      }
    },
    [reload],
  );

  const onAdd = (title: string) => mutate(() => api.createTodo(title), `Added "${title}".`);
  const onUpdate = (id: number, patch: TodoPatch) => {
    // Show the change at once (a checkbox that lags behind a click feels broken); the reload that follows corrects it on failure.
    setTodos((current) => current && current.map((todo) => (todo.id === id ? { ...todo, ...patch } : todo)));
    const label = patch.completed === undefined ? 'Saved.' : patch.completed ? 'Marked completed.' : 'Marked not completed.';
    return mutate(() => api.updateTodo(id, patch), label);
  };
  const onDelete = (id: number) => mutate(() => api.deleteTodo(id), 'Deleted.');

  const counts = useMemo(() => countTodos(todos ?? []), [todos]);
  const visible = useMemo(() => applyFilter(todos ?? [], filter), [todos, filter]);

  return (
    <main className="layout">
      <section className="panel todos" aria-labelledby="todos-heading">
        <h1 id="todos-heading">Todos</h1>
        {loadError && (
          <p className="banner error" role="alert">
            {loadError.unavailable ? loadError.message : `${loadError.message} Retrying…`}
          </p>
        )}
        <AddTodoForm onAdd={onAdd} />
        {actionError && !loadError && (
          <p className="banner warning" role="alert">
            {actionError}
          </p>
        )}
        {todos !== null && <FilterBar value={filter} counts={counts} onChange={setFilter} />}
        {todos === null && !loadError && <p role="status">Loading todos…</p>}
        {todos !== null && visible.length === 0 && (
          <p className="muted empty">{filter === 'all' ? 'Nothing to do yet. Add a todo above.' : `No ${filter} todos.`}</p>
        )}
        {visible.length > 0 && (
          <ul className="todo-list" aria-label={`${filter} todos`}>
            {visible.map((todo) => (
              <TodoItem key={todo.id} todo={todo} onUpdate={onUpdate} onDelete={onDelete} />
            ))}
          </ul>
        )}
        <p className="visually-hidden" aria-live="polite">
          {status}
        </p>
      </section>
      <ChatPanel api={api} onTodosChanged={reload} />
    </main>
  );
}
