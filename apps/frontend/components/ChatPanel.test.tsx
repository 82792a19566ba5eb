import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryApi } from '@/test-support/memory-api';
import { ChatPanel } from './ChatPanel';
import { TodoApp } from './TodoApp';

describe('ChatPanel', () => {
  it('shows the conversation and refreshes todos only when they changed', async () => {
    const api = new MemoryApi();
    const onTodosChanged = jest.fn();
    const user = userEvent.setup();
    render(<ChatPanel api={api} onTodosChanged={onTodosChanged} />);

    const input = screen.getByLabelText('Message the assistant');
    await user.type(input, 'list{Enter}');
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(await screen.findByText('Okay.')).toBeInTheDocument();
    expect(log).toHaveTextContent('You: list');
    expect(onTodosChanged).not.toHaveBeenCalled();

    await user.type(input, 'add buy milk{Enter}');
    expect(await screen.findByText('Added "buy milk".')).toBeInTheDocument();
    expect(onTodosChanged).toHaveBeenCalledTimes(1);
    expect(input).toHaveValue('');
  });

  it('reports an assistant failure in the conversation', async () => {
    const api = new MemoryApi();
    api.down = true;
    const user = userEvent.setup();
    render(<ChatPanel api={api} onTodosChanged={() => undefined} />);
    await user.type(screen.getByLabelText('Message the assistant'), 'list{Enter}');
    expect(await screen.findByText(/The assistant is unavailable right now/)).toBeInTheDocument();
  });

  it('sends a message again with the key of its lost answer, so it acts once', async () => {
    const api = new MemoryApi();
    const user = userEvent.setup();
    render(<ChatPanel api={api} onTodosChanged={() => undefined} />);
    const input = screen.getByLabelText('Message the assistant');
    api.answersLost = true; // the backend acted, but the answer never arrived
    await user.type(input, 'add buy milk{Enter}');
    expect(await screen.findByText(/The assistant is unavailable right now/)).toBeInTheDocument();
    api.answersLost = false;
    await user.type(input, 'add buy milk{Enter}');
    expect(await screen.findByText('Added "buy milk".')).toBeInTheDocument();
    expect(api.todos.map((t) => t.title)).toEqual(['buy milk']);
    expect(api.chatKeys[1]).toBe(api.chatKeys[0]);
    // Once answered, the same words are a new message with a new key.
    await user.type(input, 'add buy milk{Enter}');
    await screen.findAllByText('Added "buy milk".');
    expect(api.chatKeys[2]).not.toBe(api.chatKeys[1]);
    expect(api.todos).toHaveLength(2);
  });

  it('a different message after a lost answer gets its own key', async () => {
    const api = new MemoryApi();
    const user = userEvent.setup();
    render(<ChatPanel api={api} onTodosChanged={() => undefined} />);
    const input = screen.getByLabelText('Message the assistant');
    api.answersLost = true;
    await user.type(input, 'add a{Enter}');
    await screen.findByText(/The assistant is unavailable right now/);
    api.answersLost = false;
    await user.type(input, 'add b{Enter}');
    await screen.findByText('Added "b".');
    expect(api.chatKeys[1]).not.toBe(api.chatKeys[0]);
    expect(api.todos.map((t) => t.title)).toEqual(['a', 'b']);
  });

  it('does not send a blank message', async () => {
    const api = new MemoryApi();
    const user = userEvent.setup();
    render(<ChatPanel api={api} onTodosChanged={() => undefined} />);
    await user.type(screen.getByLabelText('Message the assistant'), '   {Enter}');
    expect(api.calls).toEqual([]);
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('a todo added through chat appears in the list', async () => {
    const api = new MemoryApi();
    const user = userEvent.setup();
    render(<TodoApp api={api} />);
    await screen.findByText(/Nothing to do yet/);
    await user.type(screen.getByLabelText('Message the assistant'), 'add buy milk{Enter}');
    const item = await screen.findByRole('checkbox', { name: 'Mark "buy milk" as completed' });
    expect(item).not.toBeChecked();
  });
});
