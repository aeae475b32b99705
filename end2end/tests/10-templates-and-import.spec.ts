import { test, expect } from '@playwright/test';
import { hydrated, login, phone, watchErrors } from './journeys';

// Runs after the earlier journeys: Carmen is the admin, Ana (agent) owns Tom Baker's deal,
// Ben leads the team.
const carmen = { email: 'carmen@costa.test', password: 'a long admin passphrase' };
const ana = { email: 'ana@costa.test', password: 'ana passphrase 42' };
const ben = { email: 'ben@costa.test', password: 'ben passphrase 42' };

test('an admin writes a template and an agent sends it from a deal on a phone', async ({ browser }) => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, carmen.email, carmen.password);
  await page.goto('/admin/templates');
  await hydrated(page);
  await expect(page.getByTestId('no-templates')).toBeVisible();
  await page.getByLabel('Name').fill('First answer');
  await page.getByLabel('Message').fill('Hola {nombre}');
  await page.getByRole('button', { name: 'Add template' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'is not a placeholder' })).toBeVisible();
  await page.getByLabel('Message').fill('Hola {first_name}, soy {agent} de {agency}. ¿Cuándo te viene bien una llamada?');
  await page.getByRole('button', { name: 'Add template' }).click();
  await expect(page.getByTestId('template')).toHaveCount(1);
  await expect(page.locator('#new-template-name')).toHaveValue('');
  // A refused edit says why on its own card, and changes nothing.
  const saved = page.getByTestId('template');
  await saved.getByLabel('Name', { exact: true }).fill(' ');
  await saved.getByRole('button', { name: 'Save' }).click();
  await expect(saved.locator('.field-error, [role=alert]').first()).toContainText('Give the template a name');
  await page.reload();
  await expect(page.getByTestId('template').getByLabel('Name', { exact: true })).toHaveValue('First answer');
  await page.screenshot({ path: 'test-results/screens/templates-phone.png', fullPage: true });
  await ctx.close();

  const agent = await phone(browser);
  const deal = await agent.newPage();
  const agentErrors = watchErrors(deal);
  await login(deal, ana.email, ana.password);
  await deal.getByRole('link', { name: 'Pipeline' }).click();
  await deal.getByTestId('deal-row').filter({ hasText: 'Tom Baker' }).first().click();
  await expect(deal).toHaveURL(/\/deals\/\d+$/);
  await hydrated(deal);
  const card = deal.getByTestId('deal-messages');
  await card.getByText('Send a template').click();
  const ready = card.getByTestId('ready-message');
  await expect(ready).toContainText('Hola Tom, soy Ana Lopez de');
  // Tom left only an e-mail address: the template says what is missing.
  await expect(ready.getByTestId('template-blocked')).toContainText('no phone number');
  await deal.locator('summary', { hasText: 'Edit contact details' }).click();
  await deal.locator('#c-phone').fill('+44 7911 123456');
  await deal.getByRole('button', { name: 'Save contact' }).click();
  await expect(deal.getByTestId('contact-card')).toContainText('+447911123456');
  const send = ready.getByRole('button', { name: 'Send First answer on WhatsApp' });
  if (!(await send.isVisible())) await card.getByText('Send a template').click();
  await expect(send).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await deal.screenshot({ path: 'test-results/screens/deal-templates-phone.png', fullPage: false });
  // The form posts into a new tab, which the server sends on to wa.me (not reachable here).
  const [answer] = await Promise.all([
    agent.waitForEvent('response', (r) => r.url().endsWith('/api/templates/send')),
    send.click(),
  ]);
  expect(answer.status()).toBe(302);
  expect(answer.headers()['location']).toMatch(/^https:\/\/wa\.me\/447911123456\?text=Hola%20Tom%2C%20soy%20Ana%20Lopez/);
  await deal.reload();
  await expect(deal.getByTestId('timeline-entry').filter({ hasText: 'Hola Tom, soy Ana Lopez' }).first()).toContainText('WhatsApp to client');
  expect(errors).toEqual([]);
  expect(agentErrors).toEqual([]);
  await agent.close();
});

test('a manager imports a spreadsheet of contacts after checking every row', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, ben.email, ben.password);
  await page.getByRole('link', { name: 'Data' }).click();
  await expect(page).toHaveURL(/\/data$/);
  await page.getByLabel('CSV file').setInputFiles('fixtures/contacts.csv');
  await page.getByRole('button', { name: 'Read the file' }).click();
  await expect(page).toHaveURL(/\/data\/imports\/[\w-]+$/);
  await hydrated(page);
  await expect(page.getByTestId('import-mapping')).toContainText('3 rows · semicolon separated');
  await expect(page.getByLabel('Teléfono')).toHaveValue('phone');
  await expect(page.getByLabel('Presupuesto')).toHaveValue('budget_max');

  await page.getByTestId('check').click();
  const report = page.getByTestId('import-report');
  await expect(report.locator('h2')).toHaveText('Checked: nothing was added yet');
  await expect(report.getByTestId('problem-count')).toHaveText('1');
  await expect(report.getByTestId('problems')).toContainText('Row 4');
  await expect(report.getByTestId('new-deals')).toHaveText('2');
  await page.screenshot({ path: 'test-results/screens/import-check-desk.png', fullPage: true });

  await page.getByTestId('import').click();
  await expect(report.locator('h2')).toHaveText('Imported');
  await expect(report.getByTestId('new-contacts')).toHaveText('2');
  await report.getByRole('link', { name: 'Open the pipeline' }).click();
  await expect(page.getByTestId('deal-row').filter({ hasText: 'Lucía Fernández' })).toHaveCount(1);
  const csv = await page.request.get('/data/export/contacts.csv');
  expect(await csv.text()).toContain('Lucía Fernández,+34622111222,lucia@example.es');
  expect(errors).toEqual([]);
  await ctx.close();
});
