import { test, expect } from '@playwright/test';
import { hydrated, login, watchErrors } from './journeys';

// Runs after 04-follow-ups.spec.ts: Ana owns the open deal "Marta Live".
test.describe.configure({ mode: 'serial' });

test('an admin writes a follow-up plan and an agent starts it on a deal from a phone', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'carmen@costa.test', 'a long admin passphrase');
  await page.goto('/admin/plans');
  await hydrated(page);
  await page.getByLabel('Name').last().fill('Second viewing');
  await page.getByRole('button', { name: 'Create plan' }).click();
  const plan = page.getByTestId('plan').filter({ has: page.locator('input[value="Second viewing"]') });
  await expect(plan).toBeVisible();

  // A step with a mistake is refused with what to fix; corrected, it is added.
  await plan.getByLabel('After').fill('two');
  await plan.getByLabel('What to do').fill('Send the photos of the terrace');
  await plan.getByRole('button', { name: 'Add step' }).click();
  await expect(plan.getByText('Give a whole number, like 2.')).toBeVisible();
  await plan.getByLabel('After').fill('2');
  await plan.getByLabel('Unit').selectOption('hours');
  await plan.getByLabel('How').selectOption('whatsapp');
  await plan.getByLabel('Message (optional)').fill('Hi {first_name}, here are the terrace photos. {agent}');
  await plan.getByRole('button', { name: 'Add step' }).click();
  await expect(plan.getByTestId('plan-step')).toHaveCount(1);
  await expect(plan.getByTestId('plan-step')).toContainText('After 2 hours · WhatsApp');
  await page.screenshot({ path: 'test-results/screens/plans.png', fullPage: true });
  expect(errors).toEqual([]);

  await page.context().clearCookies();
  await login(page, 'ana@costa.test', 'ana passphrase 42');
  await page.goto('/pipeline?q=Marta');
  await hydrated(page);
  await page.getByTestId('deal-row').filter({ hasText: 'Marta Live' }).first().click();
  await hydrated(page);
  const card = page.getByTestId('next-step');
  await card.getByTestId('plan-select').selectOption({ label: 'Second viewing (1 step)' });
  await card.getByTestId('start-plan').click();
  const step = card.getByTestId('reminder').filter({ hasText: 'Send the photos of the terrace' });
  await expect(step).toBeVisible();
  await expect(step.getByTestId('reminder-message')).toContainText('here are the terrace photos. Ana');
  // Started twice, the plan says it already runs and nothing doubles.
  await card.getByTestId('plan-select').selectOption({ label: 'Second viewing (1 step)' });
  await card.getByTestId('start-plan').click();
  await expect(card.getByText('"Second viewing" is already running on this deal.')).toBeVisible();
  await expect(card.getByTestId('reminder').filter({ hasText: 'Send the photos of the terrace' })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screens/plan-started.png', fullPage: true });
  expect(errors).toEqual([]);
});
