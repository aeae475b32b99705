import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hydrated, login, phone, watchErrors } from './journeys';

// Runs after the other journeys: the agency has stages, listings for sale and Ana and Ben.
// A Spanish agent and a Spanish prospect, at 390x844, entirely in Spanish.
test.describe.configure({ mode: 'serial' });

const admin = { email: 'carmen@costa.test', password: 'a long admin passphrase' };
const lucia = { name: 'Lucía Martín', email: 'lucia@costa.test', password: 'lucia passphrase 42' };

test('the admin gives Lucía an account and a Spanish form whose leads go to her', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await page.goto('/admin/users');
  await hydrated(page);
  await page.getByText('Add a user').click();
  const add = page.getByTestId('add-user-form');
  await add.getByLabel('Name').fill(lucia.name);
  await add.getByLabel('E-mail').fill(lucia.email);
  await add.getByLabel('Role').selectOption('agent');
  await add.getByLabel('Time zone').fill('Europe/Madrid');
  await add.getByLabel('First password').fill(lucia.password);
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText(`${lucia.name} can now log in as ${lucia.email}.`)).toBeVisible();

  await page.goto('/admin/forms');
  await hydrated(page);
  await page.getByText('New form').click();
  const editor = page.getByTestId('form-editor').first();
  await editor.getByLabel('Title').fill('Jornada de puertas abiertas');
  await editor.getByLabel('Address (letters, digits, dashes)').fill('jornada');
  await editor.getByLabel('Introduction').fill('Cuéntanos qué buscas y te llamamos hoy.');
  await editor.getByLabel('Language prospects read it in').selectOption('es');
  await editor.getByLabel('New leads go to').selectOption('fixed');
  await editor.getByLabel('The named agent (for “One named agent”)').selectOption({ label: lucia.name });
  await editor.getByLabel('Thank-you message').fill('¡Gracias! Lucía te llamará enseguida.');
  await editor.getByRole('button', { name: 'Create form' }).click();
  await expect(page.getByTestId('form-card').filter({ hasText: 'Jornada de puertas abiertas' })).toBeVisible();
});

test('a prospect fills the Spanish form on a phone', async ({ browser }) => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  await page.goto('/f/jornada');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await page.getByLabel('Tu nombre').fill('Javier Núñez');
  await page.getByLabel('Móvil').fill('612 345 888');
  await page.getByLabel('Me gustaría').selectOption('buy');
  await page.screenshot({ path: 'test-results/screens/spanish-form.png', fullPage: true });
  // A person takes a few seconds; a form sent faster is taken for a bot.
  await page.waitForTimeout(3200);
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByText('¡Gracias! Lucía te llamará enseguida.')).toBeVisible();
  await ctx.close();
});

test('Lucía chooses Spanish and works the new lead: a call, a stage, a follow-up, a presentation', async ({ browser, request }) => {
  test.setTimeout(90_000);
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'es-ES' });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  // Signed out, the browser's language.
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await page.getByLabel('Correo electrónico').fill(lucia.email);
  await page.getByLabel('Contraseña', { exact: true }).fill(lucia.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page).toHaveURL(/\/$/);

  // Her account follows the agency (English) until she chooses Spanish for herself.
  await page.goto('/notifications');
  await hydrated(page);
  const choice = page.getByTestId('your-language');
  await choice.getByLabel('Show Doorstep in').selectOption('es');
  await choice.getByRole('button', { name: 'Save language' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByRole('heading', { name: 'Idioma' })).toBeVisible();

  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Hoy' })).toBeVisible();
  const waiting = page.getByTestId('new-leads');
  await expect(waiting).toContainText('Javier Núñez');
  await expect(waiting).toContainText('Esperando');
  await page.screenshot({ path: 'test-results/screens/spanish-today.png', fullPage: true });
  await waiting.getByText('Javier Núñez').click();
  await expect(page).toHaveURL(/\/deals\/\d+$/);
  await hydrated(page);
  // The lead's first line is the team's shared record: in the agency's language (English here).
  await expect(page.getByTestId('timeline')).toContainText('Inquiry via "Jornada de puertas abiertas": wants to buy.');
  await expect(page.getByTestId('timeline')).toContainText('Consulta');

  await page.getByLabel('Nota (opcional con un botón de arriba)').fill('Busca piso cerca de la playa');
  await page.getByRole('button', { name: 'Llamada: hablamos' }).click();
  const timeline = page.getByTestId('timeline');
  await expect(timeline.getByTestId('timeline-entry').first()).toContainText('Llamada: hablamos: Busca piso cerca de la playa');

  await page.getByTestId('stage-select').selectOption({ label: 'Viewing' });
  await page.getByTestId('move').click();
  await expect(timeline.getByTestId('timeline-entry').first()).toContainText('New → Viewing');

  const card = page.getByTestId('next-step');
  await card.getByPlaceholder('Volver a llamar, enviar el folleto…').fill('Confirmar la visita');
  await card.getByRole('button', { name: 'Mañana a las 9:00' }).click();
  await expect(card.getByTestId('reminder').filter({ hasText: 'Confirmar la visita' })).toContainText('09:00');

  const fits = page.getByTestId('deal-listings');
  await expect(fits.getByTestId('match-listing').first()).toBeVisible();
  await fits.getByTestId('pick-listing').first().check();
  await expect(fits.getByTestId('make-presentation')).toHaveText('Hacer una presentación');
  await fits.getByTestId('make-presentation').click();
  const made = page.getByTestId('deal-presentations').getByTestId('presentation').first();
  await expect(made.getByTestId('presentation-views')).toHaveText('Aún sin abrir');
  await page.screenshot({ path: 'test-results/screens/spanish-deal.png', fullPage: true });

  // The client's presentation, in the client's language (the form was read in Spanish).
  const share = await made.getByTestId('open-share').getAttribute('href');
  const pdf = await request.get(`${share}/presentation.pdf`, { headers: { 'user-agent': 'WhatsApp/2.24' } });
  expect(pdf.status()).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), 'doorstep-pdf-'));
  const file = join(dir, 'presentacion.pdf');
  writeFileSync(file, await pdf.body());
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  rmSync(dir, { recursive: true, force: true });
  for (const words of ['Preparado para Javier Núñez por Lucía Martín', 'en venta', 'Tu agente', 'Escanéalo con el móvil']) {
    expect(text, words).toContain(words);
  }
  expect(text).not.toContain('Prepared for');
  expect(text).toMatch(/\d{3}\.\d{3} €/);
  expect(errors).toEqual([]);
  await ctx.close();
});
