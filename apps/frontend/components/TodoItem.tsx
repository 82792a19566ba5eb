'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Todo, TodoPatch } from '@/lib/types';

interface Props {
  todo: Todo;
  onUpdate(id: number, patch: TodoPatch): Promise<boolean>;
  onDelete(id: number): Promise<boolean>;
}

export function TodoItem({ todo, onUpdate, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(todo.title);
  const [busy, setBusy] = useState(false);
  // Blur follows Escape and Enter; this stops that blur from saving a second time.
  const settled = useRef(false);
  const editField = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Focus follows the mode: into the field when editing starts, back to Edit when it ends.
  useEffect(() => {
    if (editing) editField.current?.focus();
    else if (wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  function startEdit() {
    settled.current = false;
    setDraft(todo.title);
    setEditing(true);
  }

  async function save() {
    if (settled.current) return;
    settled.current = true;
    const title = draft.trim();
    if (!title || title === todo.title) {
      setEditing(false);
      return;
    }
    setBusy(true);
    const saved = await onUpdate(todo.id, { title });
    setBusy(false);
    if (saved) setEditing(false);
    else settled.current = false;
  }

  function cancel() {
    settled.current = true;
    setDraft(todo.title);
    setEditing(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  }

  async function toggle() {
    setBusy(true);
    await onUpdate(todo.id, { completed: !todo.completed });
    setBusy(false);
  }

  const checkboxId = `todo-${todo.id}-done`;
  return (
    <li className={todo.completed ? 'todo completed' : 'todo'} data-testid="todo-item">
      <input
        id={checkboxId}
        type="checkbox"
        checked={todo.completed}
        onChange={toggle}
        disabled={busy}
        aria-label={`Mark "${todo.title}" as ${todo.completed ? 'not completed' : 'completed'}`}
      />
      <span className="todo-id" title={`Use this number with the assistant, e.g. “done ${todo.id}”`}>
        #{todo.id}
      </span>
      {editing ? (
        <input
          className="edit"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => void save()}
          aria-label={`Edit title of "${todo.title}"`}
          disabled={busy}
          ref={editField}
        />
      ) : (
        <span className="title">{todo.title}</span>
      )}
      {!editing && (
        <button
          ref={editButton}
          type="button"
          className="secondary"
          onClick={startEdit}
          aria-label={`Edit "${todo.title}"`}
        >
          Edit
        </button>
      )}
      <button
        type="button"
        className="danger"
        onClick={() => void onDelete(todo.id)}
        disabled={busy}
        aria-label={`Delete "${todo.title}"`}
      >
        Delete
      </button>
    </li>
  );
}
