import { ApiError, errorMessage, UNAVAILABLE_MESSAGE } from '@/lib/errors';
import type { ChatReply, Todo, TodoApi, TodoPatch } from '@/lib/types';

/**
 * An in-memory TodoApi for component tests, following the backend contract
 * (ids, timestamps, versions with If-Match and 412, 404 on unknown ids, 503 while `down`). The real backend
 * is exercised by the browser e2e test.
 */
export class MemoryApi implements TodoApi {
  todos: Todo[] = [];
  down = false;
  calls: string[] = [];
  chatReply: Partial<ChatReply> = {};
  private nextId = 1;

  seed(...titles: Array<string | [string, boolean]>) {
    for (const entry of titles) {
      const [title, completed] = typeof entry === 'string' ? [entry, false] : entry;
      this.insert(title, completed);
    }
    return this;
  }

  private insert(title: string, completed = false): Todo {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.nextId)).toISOString();
    const todo = { id: this.nextId++, title, description: null, completed, created_at: now, updated_at: now, version: 1 };
    this.todos.push(todo);
    return todo;
  }

  private check(call: string) {
    this.calls.push(call);
    if (this.down) throw new ApiError(503, UNAVAILABLE_MESSAGE);
  }

  private find(id: number): Todo {
    const todo = this.todos.find((t) => t.id === id);
    if (!todo) throw new ApiError(404, `Todo ${id} not found`);
    return todo;
  }

  async listTodos() {
    this.check('list');
    return this.todos.map((t) => ({ ...t }));
  }

  /** The Idempotency-Key of each create, in order. */
  createKeys: Array<string | undefined> = [];
  /** While set, a create is saved but its answer is lost (503), as when a connection breaks after the backend committed. */
  answersLost = false;
  private byKey = new Map<string, Todo>();

  async createTodo(title: string, _description?: string, idempotencyKey?: string) {
    this.check(`create ${title}`);
    this.createKeys.push(idempotencyKey);
    // As the backend does: a repeated key gets the todo the first request created.
    const todo = (idempotencyKey && this.byKey.get(idempotencyKey)) || this.insert(title);
    if (idempotencyKey) this.byKey.set(idempotencyKey, todo);
    if (this.answersLost) throw new ApiError(503, UNAVAILABLE_MESSAGE);
    return { ...todo };
  }

  /** Someone else's write: bumps the version as the backend does. */
  changeElsewhere(id: number, patch: TodoPatch) {
    const todo = this.find(id);
    Object.assign(todo, patch, { version: (todo.version ?? 1) + 1 });
  }

  async updateTodo(id: number, patch: TodoPatch, version?: number) {
    this.check(`update ${id} ${JSON.stringify(patch)}${version === undefined ? '' : ` if-match ${version}`}`);
    const todo = this.find(id);
    if (version !== undefined && version !== todo.version) {
      throw new ApiError(412, errorMessage(412, null), { detail: 'stale', current: { ...todo } });
    }
    return { ...Object.assign(todo, patch, { version: (todo.version ?? 1) + 1 }) };
  }

  async deleteTodo(id: number) {
    this.check(`delete ${id}`);
    this.find(id);
    this.todos = this.todos.filter((t) => t.id !== id);
  }

  chatKeys: Array<string | undefined> = [];
  private chatByKey = new Map<string, ChatReply>();

  async chat(message: string, idempotencyKey?: string): Promise<ChatReply> {
    this.check(`chat ${message}`);
    this.chatKeys.push(idempotencyKey);
    // As the backend does: a repeated key gets the first reply and acts on nothing.
    let reply = idempotencyKey ? this.chatByKey.get(idempotencyKey) : undefined;
    if (!reply) {
      const add = /^add (.+)$/.exec(message);
      if (add) this.insert(add[1]);
      reply = { reply: add ? `Added "${add[1]}".` : 'Okay.', actions: [], todos_changed: Boolean(add), ...this.chatReply };
      if (idempotencyKey) this.chatByKey.set(idempotencyKey, reply);
    }
    if (this.answersLost) throw new ApiError(503, UNAVAILABLE_MESSAGE);
    return { ...reply };
  }
}
