'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { newIdempotencyKey } from '@/lib/api-client';
import { ApiError } from '@/lib/errors';
import type { TodoApi } from '@/lib/types';

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant' | 'error';
  text: string;
}

interface Props {
  api: Pick<TodoApi, 'chat'>;
  onTodosChanged(): void | Promise<void>;
  /** An id the list shows, so the hint names a todo that exists (the assistant takes ASCII-digit ids). */
  exampleId?: number;
}

// The chat does not retry by itself, so it asks the person to resend instead.
function chatErrorMessage(error: unknown): string {
  if (error instanceof ApiError && !error.unavailable) return error.message;
  return 'The assistant is unavailable right now. Please send your message again in a moment.';
}

const ROLE_LABEL: Record<ChatMessage['role'], string> = { user: 'You', assistant: 'Assistant', error: 'Error' };

export function ChatPanel({ api, onTodosChanged, exampleId }: Props) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState(false);
  const nextId = useRef(1);
  // The message whose answer was lost (the assistant was unavailable) and the key it was sent with:
  // sending that same message again reuses the key, so the backend acts on it at most once.
  const unanswered = useRef<{ message: string; key: string } | null>(null);
  const log = useRef<HTMLOListElement>(null);

  // Keep the newest message in view; the log scrolls once it outgrows its box.
  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [messages, pending]);

  function append(role: ChatMessage['role'], text: string) {
    const id = nextId.current++;
    setMessages((current) => [...current, { id, role, text }]);
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    const message = draft.trim();
    if (!message || pending) return;
    append('user', message);
    setDraft('');
    setPending(true);
    const key = unanswered.current?.message === message ? unanswered.current.key : newIdempotencyKey();
    unanswered.current = null;
    try {
      const result = await api.chat(message, key);
      append('assistant', result.reply);
      if (result.todos_changed) await onTodosChanged();
    } catch (error) {
      if (!(error instanceof ApiError) || error.unavailable) unanswered.current = { message, key };
      append('error', chatErrorMessage(error));
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="panel chat" aria-labelledby="chat-heading">
      <h2 id="chat-heading">Assistant</h2>
      <p className="muted">
        {exampleId === undefined
          ? 'Try “add buy milk” or “list”. Once the list has todos, refer to them by the number shown beside each, e.g. “done 3”.'
          : `Try “add buy milk”, “list”, “done ${exampleId}” or “delete ${exampleId}”: the number is the one shown beside each todo.`}
      </p>
      <ol ref={log} className="messages" role="log" aria-live="polite" aria-label="Conversation">
        {messages.map((message) => (
          <li key={message.id} className={`message ${message.role}`}>
            <span className="who">{ROLE_LABEL[message.role]}:</span> {message.text}
          </li>
        ))}
        {pending && <li className="message pending">Assistant is thinking…</li>}
      </ol>
      <form className="row" onSubmit={send}>
        <label htmlFor="chat-input" className="visually-hidden">
          Message the assistant
        </label>
        <input
          id="chat-input"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="Ask the assistant…"
          autoComplete="off"
        />
        <button type="submit" disabled={pending || !draft.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
