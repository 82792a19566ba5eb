import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryApi } from '@/test-support/memory-api';
import { TodoApp } from './TodoApp';

function setup(api: MemoryApi, retryMs = 50) {
  const user = userEvent.setup();
  render(<TodoApp api={api} retryMs={retryMs} />);
  return user;
}

const list = () => screen.getByRole('list', { name: /todos$/ });

describe('TodoApp', () => {
  it('shows a loading state, then the todos', async () => {
    setup(new MemoryApi().seed('buy milk', 'walk dog'));
    expect(screen.getByRole('status')).toHaveTextContent('Loading todos…');
    expect(await screen.findByText('walk dog')).toBeInTheDocument();
    expect(within(list()).getAllByRole('listitem')).toHaveLength(2);
  });

  it('adds a todo with Enter and clears the field', async () => {
    const api = new MemoryApi();
    const user = setup(api);
    await screen.findByText(/Nothing to do yet/);
    const input = screen.getByLabelText('New todo');
    await user.type(input, '  water plants {Enter}');
    expect(await screen.findByText('water plants')).toBeInTheDocument();
    expect(api.calls).toContain('create water plants');
    expect(input).toHaveValue('');
  });

  it('refuses an empty title with a hint naming the field', async () => {
    const api = new MemoryApi();
    const user = setup(api);
    await screen.findByText(/Nothing to do yet/);
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Title: type at least one character');
    expect(api.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('completes a todo with its checkbox and filters with counts', async () => {
    const api = new MemoryApi().seed('buy milk', 'walk dog');
    const user = setup(api);
    await user.click(await screen.findByRole('checkbox', { name: 'Mark "buy milk" as completed' }));
    expect(await screen.findByRole('checkbox', { name: 'Mark "buy milk" as not completed' })).toBeChecked();
    expect(api.todos[0].completed).toBe(true);

    expect(screen.getByRole('button', { name: 'All (2)' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Completed (1)' }));
    expect(within(list()).getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringContaining('buy milk')]);
    await user.click(screen.getByRole('button', { name: 'Active (1)' }));
    expect(within(list()).getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringContaining('walk dog')]);
  });

  it('edits a title inline: Enter saves, Escape cancels', async () => {
    const api = new MemoryApi().seed('buy milk');
    const user = setup(api);
    await user.click(await screen.findByRole('button', { name: 'Edit "buy milk"' }));
    const field = screen.getByRole('textbox', { name: 'Edit title of "buy milk"' });
    expect(field).toHaveFocus();
    await user.clear(field);
    await user.type(field, 'buy oat milk{Enter}');
    expect(await screen.findByText('buy oat milk')).toBeInTheDocument();
    expect(api.todos[0].title).toBe('buy oat milk');

    await user.click(screen.getByRole('button', { name: 'Edit "buy oat milk"' }));
    await user.type(screen.getByRole('textbox', { name: /Edit title/ }), ' and bread{Escape}');
    expect(screen.getByText('buy oat milk')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit "buy oat milk"' })).toHaveFocus();
    expect(api.calls.filter((c) => c.startsWith('update'))).toHaveLength(1);
  });

  it('deletes a todo', async () => {
    const api = new MemoryApi().seed('buy milk', 'walk dog');
    const user = setup(api);
    await user.click(await screen.findByRole('button', { name: 'Delete "buy milk"' }));
    await waitFor(() => expect(screen.queryByText('buy milk')).not.toBeInTheDocument());
    expect(api.todos.map((t) => t.title)).toEqual(['walk dog']);
  });

  it('shows the unavailable message while the backend is down and recovers by itself', async () => {
    const api = new MemoryApi().seed('buy milk');
    api.down = true;
    setup(api);
    expect(await screen.findByRole('alert')).toHaveTextContent('The todo service is unavailable. Retrying…');
    await waitFor(() => expect(api.calls.filter((c) => c === 'list').length).toBeGreaterThan(1));
    act(() => {
      api.down = false;
    });
    expect(await screen.findByText('buy milk')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a failed change and keeps the typed title', async () => {
    const api = new MemoryApi();
    const user = setup(api, 60_000);
    await screen.findByText(/Nothing to do yet/);
    api.down = true;
    await user.type(screen.getByLabelText('New todo'), 'call mum{Enter}');
    expect(await screen.findByText('The todo service is unavailable. Retrying…')).toBeInTheDocument();
    expect(screen.getByText(/Adding "call mum" was not saved/)).toBeInTheDocument();
    expect(screen.getByLabelText('New todo')).toHaveValue('call mum');
  });

  it('a failed add offered again clears the field once it is added, so it is not added twice', async () => {
    const api = new MemoryApi();
    const user = setup(api, 50);
    await screen.findByText(/Nothing to do yet/);
    api.down = true;
    await user.type(screen.getByLabelText('New todo'), 'call mum{Enter}');
    expect(await screen.findByText(/Adding "call mum" was not saved/)).toBeInTheDocument();
    act(() => {
      api.down = false;
    });
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('call mum')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('New todo')).toHaveValue(''));
    expect(api.todos.map((t) => t.title)).toEqual(['call mum']);
  });

  it('offers an add whose answer was lost again with the same Idempotency-Key, so it is saved once', async () => {
    const api = new MemoryApi();
    const user = setup(api, 50);
    await screen.findByText(/Nothing to do yet/);
    api.answersLost = true;
    await user.type(screen.getByLabelText('New todo'), 'call mum{Enter}');
    expect(await screen.findByText(/Adding "call mum" was not saved/)).toBeInTheDocument();
    act(() => {
      api.answersLost = false;
    });
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByLabelText('New todo')).toHaveValue(''));
    expect(api.createKeys).toHaveLength(2);
    expect(api.createKeys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(api.createKeys[1]).toBe(api.createKeys[0]);
    expect(api.todos.map((t) => t.title)).toEqual(['call mum']);
    // A new add is a new key.
    await user.type(screen.getByLabelText('New todo'), 'call dad{Enter}');
    expect(await screen.findByText('call dad')).toBeInTheDocument();
    expect(api.createKeys[2]).not.toBe(api.createKeys[0]);
  });

  it('puts a ticked checkbox and the counts back when the save fails, and says so', async () => {
    const api = new MemoryApi().seed('buy milk', 'walk dog');
    const user = setup(api, 60_000);
    await screen.findByText('buy milk');
    api.down = true;
    await user.click(screen.getByRole('checkbox', { name: 'Mark "buy milk" as completed' }));
    expect(await screen.findByText(/Marking "buy milk" as completed was not saved/)).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Mark "buy milk" as completed' })).not.toBeChecked();
    expect(screen.getByRole('button', { name: 'Completed (0)' })).toBeInTheDocument();
    expect(api.todos[0].completed).toBe(false);
  });

  it('clears the outage banner on recovery and offers the unsaved change again', async () => {
    const api = new MemoryApi().seed('buy milk');
    const user = setup(api, 50);
    await screen.findByText('buy milk');
    api.down = true;
    await user.click(screen.getByRole('checkbox', { name: 'Mark "buy milk" as completed' }));
    expect(await screen.findByText('The todo service is unavailable. Retrying…')).toBeInTheDocument();
    act(() => {
      api.down = false;
    });
    await waitFor(() => expect(screen.queryByText('The todo service is unavailable. Retrying…')).not.toBeInTheDocument());
    expect(screen.getByText(/Marking "buy milk" as completed was not saved. The todo service is back./)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('checkbox', { name: 'Mark "buy milk" as not completed' })).toBeChecked();
    expect(api.todos[0].completed).toBe(true);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('sends If-Match with the version it shows; a stale save shows the current todo and says why', async () => {
    const api = new MemoryApi().seed('buy milk');
    const user = setup(api, 60_000);
    await screen.findByText('buy milk');
    api.changeElsewhere(1, { title: 'buy oat milk' });
    await user.click(screen.getByRole('checkbox', { name: 'Mark "buy milk" as completed' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This todo was changed elsewhere; it now shows the saved version.');
    expect(screen.getByRole('checkbox', { name: 'Mark "buy oat milk" as completed' })).not.toBeChecked();
    expect(api.calls).toContain('update 1 {"completed":true} if-match 1');
    expect(api.todos[0]).toMatchObject({ title: 'buy oat milk', completed: false, version: 2 });
  });

  it('shows each todo\'s id, and the assistant hint names one the list shows', async () => {
    const api = new MemoryApi().seed('a', 'b', 'c');
    api.todos.splice(0, 2);
    setup(api);
    const item = await screen.findByText('#3');
    expect(item.closest('li')).toHaveTextContent('c');
    expect(screen.getByText(/“done 3” or “delete 3”/)).toBeInTheDocument();
  });
});
