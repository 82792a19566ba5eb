'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApiClient, newIdempotencyKey } from '@/lib/api-client';
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

/** A change that did not reach the backend, kept so the person can send it again with one click. */
interface FailedChange {
  description: string;
  retry(): Promise<boolean>;
}

export function TodoApp({ api = browserApi, retryMs = 3000 }: Props) {
  const [todos, setTodos] = useState<Todo[] | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState('');
  const [failed, setFailed] = useState<FailedChange | null>(null);
  const [retriedAdd, setRetriedAdd] = useState<{ title: string } | null>(null);
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

  /**
   * Runs a change, then reloads so the list always shows what the backend stored.
   * On failure `undo` puts back what the screen showed before, and a change the
   * backend never got (service down) is offered again.
   */
  const mutate = useCallback(
    async (action: () => Promise<unknown>, done: string, change: FailedChange, undo?: () => void): Promise<boolean> => {
      try {
        await action();
        setActionError('');
        setFailed(null);
        setStatus(done);
        await reload();
        return true;
      } catch (error) {
        undo?.();
        const apiError = asApiError(error);
        if (apiError.unavailable) {
          setActionError('');
          setFailed(change);
          setLoadError(apiError);
          return false;
        }
        setFailed(null);
        setActionError(apiError.message);
        if (apiError.status === 412) {
          const current = (apiError.body as { current?: Todo } | null)?.current;
          if (current) setTodos((list) => list && sortTodos(list.map((todo) => (todo.id === current.id ? current : todo))));
          else await reload();
        }
        if (apiError.status === 404) await reload();
        return false;
      }
    },
    [reload],
  );

  // One Idempotency-Key per add, kept when the same add is offered again: if the first attempt
  // was saved but its answer lost, the backend answers the retry with that todo instead of a second one.
  const onAdd = (title: string, idempotencyKey = newIdempotencyKey()): Promise<boolean> =>
    mutate(() => api.createTodo(title, undefined, idempotencyKey), `Added "${title}".`, {
      description: `Adding "${title}"`,
      // The field still holds the title (nothing typed is lost on failure); once added, it must not be added twice.
      retry: async () => {
        const added = await onAdd(title, idempotencyKey);
        if (added) setRetriedAdd({ title });
        return added;
      },
    });

  const onUpdate = (id: number, patch: TodoPatch): Promise<boolean> => {
    const before = todos?.find((todo) => todo.id === id);
    // Show the change at once (a checkbox that lags behind a click feels broken); put it back if the save fails.
    setTodos((current) => current && current.map((todo) => (todo.id === id ? { ...todo, ...patch } : todo)));
    const undo = () => before && setTodos((current) => current && current.map((todo) => (todo.id === id ? before : todo)));
    const title = before?.title ?? `#${id}`;
    const label = patch.completed === undefined ? 'Saved.' : patch.completed ? 'Marked completed.' : 'Marked not completed.';
    const description =
      patch.completed === undefined ? `Renaming "${title}"` : `Marking "${title}" as ${patch.completed ? 'completed' : 'not completed'}`;
    return mutate(() => api.updateTodo(id, patch, before?.version), label, { description, retry: () => onUpdate(id, patch) }, undo);
  };

  const onDelete = (id: number): Promise<boolean> => {
    const title = todos?.find((todo) => todo.id === id)?.title ?? `#${id}`;
    return mutate(() => api.deleteTodo(id), 'Deleted.', { description: `Deleting "${title}"`, retry: () => onDelete(id) });
  };

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
        {failed && (
          <div className="banner warning" role="alert">
            <span>
              {failed.description} was not saved
              {loadError ? ': the todo service is unavailable.' : '. The todo service is back.'}
            </span>{' '}
            <button type="button" className="secondary" onClick={() => void failed.retry()}>
              Try again
            </button>
          </div>
        )}
        <AddTodoForm onAdd={onAdd} addedElsewhere={retriedAdd} />
        {actionError && (
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
      <ChatPanel api={api} onTodosChanged={reload} exampleId={todos?.[0]?.id} />
    </main>
  );
}
