export interface Todo {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
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
  createTodo(title: string, description?: string): Promise<Todo>;
  updateTodo(id: number, patch: TodoPatch): Promise<Todo>;
  deleteTodo(id: number): Promise<void>;
  chat(message: string): Promise<ChatReply>;
}
