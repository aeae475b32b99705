import { test, expect, Page } from '@playwright/test';
import { login } from './journeys';

// Runs after 01-foundation.spec.ts on the same installation: its admin and agent exist.
test.describe.configure({ mode: 'serial' });

const admin = { email: 'carmen@costa.test', password: 'a long admin passphrase' };
const agent = { email: 'ana@costa.test', password: 'ana passphrase 42' };

/** Waits out the form's minimum fill time, as a person typing would. */
async function likeAPerson(page: Page) {
  await page.waitForTimeout(3200);
}

test('the admin creates a capture form and gets its embed snippet', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await page.goto('/admin/forms');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByText('New form').click();
  const editor = page.getByTestId('form-editor').first();
  await editor.getByLabel('Title').fill('Spring open day');
  await editor.getByLabel('Address (letters, digits, dashes)').fill('spring-open-day');
  await editor.getByRole('button', { name: 'Create form' }).click();
  const card = page.getByTestId('form-card').filter({ hasText: 'Spring open day' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('embed-snippet')).toHaveValue(/<iframe src="http:\/\/127\.0\.0\.1:\d+\/f\/spring-open-day"/);
  await page.screenshot({ path: 'test-results/screens/forms-admin.png', fullPage: true });
});

test('a prospect without JavaScript fixes an error without retyping', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto('/f/spring-open-day?utm_source=idealista');
  await page.getByLabel('Your name').fill('Lucía Fernández');
  await page.getByLabel('Mobile').fill('61234');
  await page.getByLabel('Message (optional)').fill('Do you have 3-bed flats near the beach?');
  await likeAPerson(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('That number looks incomplete')).toBeVisible();
  await expect(page.getByLabel('Your name')).toHaveValue('Lucía Fernández');
  await expect(page.getByLabel('Message (optional)')).toHaveValue('Do you have 3-bed flats near the beach?');
  await page.screenshot({ path: 'test-results/screens/capture-error-nojs.png', fullPage: true });
  await page.getByLabel('Mobile').fill('612 345 001');
  await likeAPerson(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(/\/f\/spring-open-day\/thanks$/);
  await expect(page.getByText('An agent will contact you shortly')).toBeVisible();
  await context.close();
});

test('with JavaScript the form checks fields as the prospect goes', async ({ page }) => {
  await page.goto('/f/spring-open-day');
  await page.getByLabel('Your name').fill('Tom Baker');
  await page.getByLabel('E-mail').fill('tom-at-home');
  await page.getByLabel('E-mail').blur();
  await expect(page.getByText('Enter a complete e-mail address')).toBeVisible();
  // Nothing was posted: the page did not change.
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(/\/f\/spring-open-day$/);
  await page.getByLabel('E-mail').fill('tom@home.example');
  await likeAPerson(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(/\/thanks$/);
});

test('the agent sees a new lead arrive without reloading', async ({ page, browser }) => {
  await login(page, agent.email, agent.password);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  // The live stream is connected before the prospect sends anything.
  await page.locator('body[data-live]').waitFor({ state: 'attached' });
  await page.evaluate(() => ((window as any).__marker = 'no reload'));
  const leads = page.getByTestId('new-leads');
  await expect(leads).toBeVisible();

  const prospect = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const form = await prospect.newPage();
  await form.goto('/f/spring-open-day');
  await form.getByLabel('Your name').fill('Marta Live');
  await form.getByLabel('Mobile').fill('+34 612 345 777');
  await likeAPerson(form);
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form).toHaveURL(/\/thanks$/);
  await prospect.close();

  await expect(page.getByTestId('live-notice')).toContainText('New lead: Marta Live');
  await expect(leads.getByTestId('deal-row').filter({ hasText: 'Marta Live' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__marker)).toBe('no reload');
  await page.screenshot({ path: 'test-results/screens/home-agent-new-lead.png', fullPage: true });
});

test('the admin creates an API key and sees it once', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await page.goto('/admin/api-keys');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Name').fill('Agency website');
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByTestId('new-key');
  await expect(shown).toContainText('Copy it now');
  await expect(shown.getByRole('textbox')).toHaveValue(/^dsk_/);
  await page.screenshot({ path: 'test-results/screens/api-keys.png', fullPage: true });
  await page.reload();
  await expect(page.getByTestId('new-key')).toHaveCount(0);
  await expect(page.getByText('Agency website')).toBeVisible();
});
