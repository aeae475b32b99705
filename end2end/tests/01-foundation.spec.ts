import { test, expect, Page } from '@playwright/test';

// One installation, walked through in order: set-up, log-in, admin work, log-out, an agent.
test.describe.configure({ mode: 'serial' });

const admin = { name: 'Carmen Ruiz', email: 'carmen@costa.test', password: 'a long admin passphrase' };
const agent = { name: 'Ana Lopez', email: 'ana@costa.test', password: 'ana passphrase 42' };

async function login(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Resolves once the WASM has hydrated the page (the password toggle only works then). */
async function waitForHydration(page: Page) {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}

test('a fresh installation sends every page to the first-administrator set-up', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Create the first administrator' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/setup.png', fullPage: true });
});

test('set-up reports every wrong field at once and keeps nothing', async ({ page }) => {
  await page.goto('/setup');
  await page.getByLabel('Agency name').fill('Costa Homes');
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('Your e-mail').fill('carmen-at-costa');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Password again').fill('short');
  // The browser's own checks would stop the post; the server's are what is under test.
  await page.locator('form').evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByText('An e-mail address needs an @')).toBeVisible();
  await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
});

test('the first administrator is created, then the set-up page is gone', async ({ page }) => {
  await page.goto('/setup');
  await page.getByLabel('Agency name').fill('Costa Homes');
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('Your e-mail').fill(admin.email);
  await page.getByLabel('Your mobile (optional)').fill('+34 611 200 299');
  await page.getByLabel('Agency time zone').fill('Europe/Madrid');
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Password again').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page).toHaveURL(/\/login\?m=setup_done/);
  await expect(page.getByText('Your agency is ready')).toBeVisible();
  await expect(page.getByText('Costa Homes')).toBeVisible();

  await page.goto('/setup');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  await login(page, admin.email, 'not the password');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText('That e-mail and password do not match an active account.')).toBeVisible();
});

test('the admin logs in and sees the shell with bottom navigation on a phone', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: `Hello, ${admin.name}` })).toBeVisible();
  await expect(page.getByTestId('current-user')).toContainText('Admin');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const box = await nav.boundingBox();
  expect(box!.y + box!.height).toBeGreaterThan(800);
  await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/home-admin.png', fullPage: true });
});

test('the admin adds an agent without a page reload (the page is hydrated)', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await page.goto('/admin/users');
  await waitForHydration(page);
  // A marker on window survives only if no full page load happens.
  await page.evaluate(() => ((window as any).__marker = 'still here'));
  await page.getByText('Add a user').click();
  const form = page.getByTestId('add-user-form');
  await form.getByLabel('Name').fill(agent.name);
  await form.getByLabel('E-mail').fill(agent.email);
  await form.getByLabel('Role').selectOption('agent');
  await form.getByLabel('Time zone').fill('Europe/Madrid');
  await form.getByLabel('First password').fill(agent.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText(`${agent.name} can now log in as ${agent.email}.`)).toBeVisible();
  await expect(page.getByTestId('user-card').filter({ hasText: agent.email })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__marker)).toBe('still here');
  await page.screenshot({ path: 'test-results/screens/users-admin.png', fullPage: true });
  // The same page on a desk: navigation moves to the side, cards into columns.
  await page.setViewportSize({ width: 1280, height: 800 });
  const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
  expect(nav!.x + nav!.width).toBeLessThan(400);
  await page.screenshot({ path: 'test-results/screens/users-desktop.png' });
});

test('the password field can be shown once the page is interactive', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
});

test('logging out ends the session', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login\?m=logged_out/);
  await expect(page.getByText('You have logged out.')).toBeVisible();
  await page.goto('/admin/users');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('an agent is refused the admin page', async ({ page }) => {
  await login(page, agent.email, agent.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  const response = await page.goto('/admin/users');
  expect(response!.status()).toBe(403);
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.getByTestId('user-list')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/forbidden-agent.png', fullPage: true });
});
