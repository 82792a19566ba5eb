import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, launchBrowser } from './support/browser.mjs';
import { artifactsDir, startStack } from './support/stack.mjs';

const UNAVAILABLE = 'The todo service is unavailable. Retrying…';

describe('todo app in a real browser against the real backend and PostgreSQL', { timeout: 240_000 }, () => {
  let stack;
  let browser;
  let page;

  const checkbox = (title, completed) =>
    page.getByRole('checkbox', { name: `Mark "${title}" as ${completed ? 'not completed' : 'completed'}`, exact: true });
  const titles = () => page.locator('li.todo .title').allTextContents();
  const shot = (name) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('GET /api/health answers without the backend being involved', async () => {
    const response = await fetch(`${stack.baseUrl}/api/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });

  test('adds a todo, completes it, and it stays completed after a reload', async () => {
    const title = `e2e water the plants ${Date.now()}`;
    await page.goto(stack.baseUrl);
    await page.getByLabel('New todo').fill(title);
    await page.getByLabel('New todo').press('Enter');
    await checkbox(title, false).waitFor();

    await checkbox(title, false).check();
    await checkbox(title, true).waitFor();
    // Wait for the PATCH to land before reloading, not just for the optimistic tick.
    await eventually(async () => {
      const stored = await (await fetch(`${stack.baseUrl}/api/todos?completed=true&limit=100`)).json();
      return stored.items.some((todo) => todo.title === title);
    }, 'the backend to store the todo as completed');

    await page.reload();
    await checkbox(title, true).waitFor();
    assert.equal(await checkbox(title, true).isChecked(), true);
  });

  test('edits a title with the keyboard, filters, deletes, and each change survives a reload', async () => {
    const title = `e2e call the plumber ${Date.now()}`;
    const renamed = `${title} today`;
    await page.goto(stack.baseUrl);
    await page.getByLabel('New todo').fill(title);
    await page.getByLabel('New todo').press('Enter');
    await checkbox(title, false).waitFor();

    await page.getByRole('button', { name: `Edit "${title}"`, exact: true }).click();
    const field = page.getByRole('textbox', { name: `Edit title of "${title}"`, exact: true });
    await field.fill('this should be discarded');
    await field.press('Escape');
    await page.getByRole('button', { name: `Edit "${title}"`, exact: true }).click();
    await field.fill(renamed);
    await field.press('Enter');
    await checkbox(renamed, false).waitFor();

    await page.reload();
    await checkbox(renamed, false).waitFor();
    assert.equal(await page.getByText('this should be discarded').count(), 0);

    await page.getByRole('button', { name: /^Completed \(\d+\)$/ }).click();
    assert.equal(await checkbox(renamed, false).count(), 0, 'an active todo is hidden under Completed');
    await page.getByRole('button', { name: /^Active \(\d+\)$/ }).click();
    await checkbox(renamed, false).waitFor();

    await page.getByRole('button', { name: `Delete "${renamed}"`, exact: true }).click();
    await checkbox(renamed, false).waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('button', { name: /^All \(\d+\)$/ }).waitFor();
    assert.equal(await checkbox(renamed, false).count(), 0, 'deleted todo stays deleted');
  });

  test('"add buy milk" in the chat adds a todo that appears in the list', async () => {
    const countMilk = async () => (await titles()).filter((t) => t === 'buy milk').length;
    await page.goto(stack.baseUrl);
    await page.getByRole('heading', { name: 'Todos' }).waitFor();
    await eventually(async () => !(await page.getByText('Loading todos…').isVisible()), 'the list to load');
    const before = await countMilk();

    await page.getByLabel('Message the assistant').fill('add buy milk');
    await page.getByLabel('Message the assistant').press('Enter');
    await page.locator('.message.assistant').first().waitFor();
    await eventually(async () => (await countMilk()) === before + 1, 'a new "buy milk" item in the list');
    await shot('todo-app');
  });

  test('shows the unavailable message while the backend is down, then recovers', async (t) => {
    if (stack.external) {
      t.skip('E2E_BASE_URL is set: the backend of an external stack is not ours to stop');
      return;
    }
    await stack.backend.stop();
    await page.reload();
    await page.getByRole('alert').filter({ hasText: UNAVAILABLE }).waitFor();
    await shot('backend-down');

    await stack.restartBackend();
    // No reload: the page retries on its own.
    await eventually(async () => !(await page.getByText(UNAVAILABLE).isVisible()), 'the error banner to clear', 20_000);
    assert.ok((await titles()).includes('buy milk'));
  });
});
