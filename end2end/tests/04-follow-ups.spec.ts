import { test, expect } from '@playwright/test';
import { hydrated, login, watchErrors } from './journeys';

// Runs after 03-deals.spec.ts: Ana owns the deal "Marta Live".
test.describe.configure({ mode: 'serial' });

const ana = { email: 'ana@costa.test', password: 'ana passphrase 42' };

test('an agent sets "tomorrow 9:00", completes a due follow-up and is asked for the next step', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  await page.goto('/pipeline?q=Marta');
  await hydrated(page);
  await page.getByTestId('deal-row').filter({ hasText: 'Marta Live' }).first().click();
  await hydrated(page);
  const card = page.getByTestId('next-step');
  await card.getByPlaceholder('Call back, send the brochure…').fill('Confirm the viewing');
  await card.getByRole('button', { name: 'Tomorrow 9:00' }).click();
  const reminder = card.getByTestId('reminder').filter({ hasText: 'Confirm the viewing' });
  await expect(reminder).toContainText('09:00');
  await expect(card.getByTestId('no-next-step')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/next-step.png', fullPage: true });

  // A follow-up due a minute ago: set through a typed time, then the scheduler delivers it.
  const soon = new Date(Date.now() + 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  // The agent's zone is Europe/Madrid; the browser's clock is UTC here, so write Madrid time.
  const madrid = new Date(soon.toLocaleString('en-US', { timeZone: 'Europe/Madrid' }));
  const typed = `${madrid.getFullYear()}-${pad(madrid.getMonth() + 1)}-${pad(madrid.getDate())}T${pad(madrid.getHours())}:${pad(madrid.getMinutes())}`;
  await card.getByPlaceholder('Call back, send the brochure…').fill('Send the floor plan');
  await card.getByLabel('Or pick a time').fill(typed);
  await card.getByRole('button', { name: 'Set', exact: true }).click();
  const due = card.getByTestId('reminder').filter({ hasText: 'Send the floor plan' });
  await expect(due).toBeVisible();
  // The scheduler checks every second; the reminder falls due within a minute or two, and
  // its notification arrives live on the bell.
  await page.locator('body[data-live]').waitFor({ state: 'attached' });
  const unread = async () => Number((await page.getByTestId('bell-count').textContent({ timeout: 1000 }).catch(() => '0')) || '0');
  const before = await unread();
  await expect.poll(unread, { timeout: 150_000, intervals: [1000] }).toBeGreaterThan(before);
  await due.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('ask-next')).toContainText('What is the next step?');
  await expect(page.getByTestId('timeline-entry').first()).toContainText('Follow-up done: Send the floor plan');
  await page.screenshot({ path: 'test-results/screens/next-step-asked.png', fullPage: false });
  expect(errors).toEqual([]);
});

test('every page hydrates without a script error', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'carmen@costa.test', 'a long admin passphrase');
  for (const path of ['/', '/pipeline', '/pipeline?everyone=1', '/deals/1', '/notifications', '/admin/forms', '/admin/users', '/admin/api-keys', '/admin/agency', '/admin/stages', '/admin/plans', '/properties', '/properties/new']) {
    await page.goto(path);
    await hydrated(page);
    // Hydration runs to the end or panics: give it a moment to do either.
    await page.waitForTimeout(300);
    expect(errors, `${path}`).toEqual([]);
  }
});
