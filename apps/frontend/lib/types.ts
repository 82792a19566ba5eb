export interface Todo {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
  /** Bumped by every write; the backend's ETag is this number in quotes. Absent from older backends. */
  version?: number;
}

export interface TodoPage {
  items: Todo[];
  total: number;
  limit: number;
  offset: number;
}

export interface TodoPatch {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export interface ChatReply {
  reply: string;
  actions: unknown[];
  todos_changed: boolean;
}

/** The subset of the backend the UI uses; components take it as a prop so tests can supply their own. */
export interface TodoApi {
  listTodos(): Promise<Todo[]>;
  /**
   * Sends `idempotencyKey` (a fresh one when none is given) as the Idempotency-Key header: the backend
   * answers a repeated key with the first result, so repeating a create whose answer was lost adds nothing.
   */
  createTodo(title: string, description?: string, idempotencyKey?: string): Promise<Todo>;
  /** With `version`, the write is conditional (If-Match) and a stale one fails with ApiError 412 carrying the current todo. */
  updateTodo(id: number, patch: TodoPatch, version?: number): Promise<Todo>;
  deleteTodo(id: number): Promise<void>;
  /**
   * A chat message can add or change todos, so it carries an Idempotency-Key like a create: sending the
   * same message again with the same key after a lost answer replays the first reply and acts once.
   */
  chat(message: string, idempotencyKey?: string): Promise<ChatReply>;
}
