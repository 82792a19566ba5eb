'use client';

import { useState, type FormEvent } from 'react';

interface Props {
  onAdd(title: string): Promise<boolean>;
  disabled?: boolean;
  /** A title that was added another way (the "Try again" of a failed add): the field lets go of it. */
  addedElsewhere?: { title: string } | null;
}

export function AddTodoForm({ onAdd, disabled = false, addedElsewhere = null }: Props) {
  const [title, setTitle] = useState('');
  const [hint, setHint] = useState('');
  const [busy, setBusy] = useState(false);

  // Adjusted while rendering (React's pattern for state that follows a prop), not in an effect.
  const [seen, setSeen] = useState(addedElsewhere);
  if (addedElsewhere !== seen) {
    setSeen(addedElsewhere);
    if (addedElsewhere && title.trim() === addedElsewhere.title) setTitle('');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setHint('Title: type at least one character before adding.');
      return;
    }
    setHint('');
    setBusy(true);
    const added = await onAdd(trimmed);
    setBusy(false);
    // Keep the text on failure so nothing typed is lost.
    if (added) setTitle('');
  }

  return (
    <form className="add-form" onSubmit={submit} noValidate>
      <label htmlFor="new-todo-title">New todo</label>
      <div className="row">
        <input
          id="new-todo-title"
          name="title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          placeholder="What needs doing?"
          autoComplete="off"
          aria-invalid={hint ? true : undefined}
          aria-describedby={hint ? 'new-todo-hint' : undefined}
          disabled={disabled}
        />
        <button type="submit" disabled={disabled || busy}>
          {busy ? 'Adding…' : 'Add'}
        </button>
      </div>
      {hint && (
        <p id="new-todo-hint" className="field-hint" role="alert">
          {hint}
        </p>
      )}
    </form>
  );
}
