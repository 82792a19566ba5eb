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
