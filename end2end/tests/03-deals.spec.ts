import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, login, phone, watchErrors } from './journeys';

// Runs after 02-capture.spec.ts: Ana (agent) owns the lead "Marta Live".
test.describe.configure({ mode: 'serial' });

const admin = { email: 'carmen@costa.test', password: 'a long admin passphrase' };
const ana = { name: 'Ana Lopez', email: 'ana@costa.test', password: 'ana passphrase 42' };
const ben = { name: 'Ben Okafor', email: 'ben@costa.test', password: 'ben passphrase 42' };

let dealPath = '';

/** Ana and Ben, each logged in on their own phone. */
async function anaAndBen(browser: Browser) {
  const a = await phone(browser);
  const b = await phone(browser);
  const pa: Page = await a.newPage();
  const pb: Page = await b.newPage();
  const errors = [...watchErrors(pa), ...watchErrors(pb)];
  await login(pa, ana.email, ana.password);
  await login(pb, ben.email, ben.password);
  return { a, b, pa, pb, errors };
}

// Ben leads the team: a manager, who may change any deal (agents change their own).
test('the admin adds a team lead', async ({ page }) => {
  await login(page, admin.email, admin.password);
  await page.goto('/admin/users');
  await hydrated(page);
  await page.getByText('Add a user').click();
  const form = page.getByTestId('add-user-form');
  await form.getByLabel('Name').fill(ben.name);
  await form.getByLabel('E-mail').fill(ben.email);
  await form.getByLabel('Role').selectOption('manager');
  await form.getByLabel('Time zone').fill('Europe/Madrid');
  await form.getByLabel('First password').fill(ben.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText(`${ben.name} can now log in as ${ben.email}.`)).toBeVisible();
});

test('an agent opens a deal, logs a call, moves it to Viewing and sees the timeline', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pipeline' }).click();
  await expect(page).toHaveURL(/\/pipeline/);
  await hydrated(page);
  await expect(page.getByTestId('stage-switcher')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/pipeline-phone.png', fullPage: true });
  // A search, typed without capitals, lists its matches from every stage, each with its stage.
  await page.locator('#pipeline-q').fill('marta live');
  await page.locator('#pipeline-q').press('Enter');
  await expect(page).toHaveURL(/q=marta\+live/);
  await hydrated(page);
  const found = page.getByTestId('search-matches').getByTestId('deal-row').filter({ hasText: 'Marta Live' }).first();
  await expect(found.getByTestId('deal-stage')).not.toBeEmpty();
  await expect(page.getByTestId('stage-switcher').getByRole('link', { name: /All matches/ })).toHaveAttribute('aria-current', 'true');
  await page.screenshot({ path: 'test-results/screens/pipeline-search-phone.png', fullPage: true });
  await found.click();
  await expect(page).toHaveURL(/\/deals\/\d+$/);
  dealPath = new URL(page.url()).pathname;
  await hydrated(page);
  await expect(page.getByTestId('contact-name')).toHaveText('Marta Live');
  await expect(page.getByTestId('call')).toHaveAttribute('href', 'tel:+34612345777');
  await expect(page.getByTestId('whatsapp')).toHaveAttribute('href', /^https:\/\/wa\.me\/34612345777\?text=/);

  await page.getByLabel('Note (optional with a button above)').fill('Wants to see it on Saturday');
  await page.getByRole('button', { name: 'Called: spoke' }).click();
  const timeline = page.getByTestId('timeline');
  await expect(timeline.getByTestId('timeline-entry').first()).toContainText('Called: spoke: Wants to see it on Saturday');
  await expect(timeline.getByTestId('timeline-entry').first()).toContainText(ana.name);
  await expect(page.getByLabel('Note (optional with a button above)')).toHaveValue('');

  await page.getByTestId('stage-select').selectOption({ label: 'Viewing' });
  await page.getByTestId('move').click();
  await expect(timeline.getByTestId('timeline-entry').first()).toContainText('New → Viewing');
  await expect(page.getByTestId('contact-card')).toContainText('Viewing');
  await page.screenshot({ path: 'test-results/screens/deal-phone.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a colleague sees the claim on the reply within two seconds', async ({ browser }) => {
  const { a, b, pa, pb, errors } = await anaAndBen(browser);
  await pa.goto(dealPath);
  await pb.goto(dealPath);
  await hydrated(pa);
  await hydrated(pb);
  await expect(pb.getByTestId('claim')).toBeVisible();

  await pa.getByTestId('claim').click();
  await expect(pa.getByTestId('claim-banner')).toContainText('You are replying');
  await expect(pb.getByTestId('claim-banner')).toContainText(`${ana.name} is replying`, { timeout: 2000 });
  await pb.screenshot({ path: 'test-results/screens/deal-claimed.png', fullPage: false });
  await pa.getByRole('button', { name: 'Done replying' }).click();
  await expect(pb.getByTestId('claim')).toBeVisible({ timeout: 2000 });
  expect(errors).toEqual([]);
  await a.close();
  await b.close();
});

test('an agent and her team lead edit the same deal and the second sees the conflict', async ({ browser }) => {
  const { a, b, pa, pb, errors } = await anaAndBen(browser);
  // Ben is on a bad connection: the live stream never reaches him, so his page stays old.
  await pb.route(/\/events(\?|$)/, (route) => route.abort());
  await pa.goto(dealPath);
  await pb.goto(dealPath);
  await hydrated(pa);
  await hydrated(pb);

  await pa.getByTestId('stage-select').selectOption({ label: 'Offer' });
  await pa.getByTestId('move').click();
  await expect(pa.getByTestId('timeline').getByTestId('timeline-entry').first()).toContainText('Viewing → Offer');

  await pb.getByTestId('stage-select').selectOption({ label: 'Contacted' });
  await pb.getByTestId('move').click();
  const conflict = pb.getByTestId('conflict');
  await expect(conflict).toContainText(`${ana.name} changed stage from Viewing to Offer`);
  await pb.screenshot({ path: 'test-results/screens/deal-conflict.png', fullPage: false });
  // Nothing was overwritten until Ben decides.
  await expect(pb.getByTestId('contact-card')).toContainText('Offer');
  await conflict.getByRole('button', { name: 'Apply my change again' }).click();
  await expect(pb.getByTestId('timeline').getByTestId('timeline-entry').first()).toContainText('Offer → Contacted');
  await expect(pb.getByTestId('conflict')).toHaveCount(0);
  expect(errors).toEqual([]);
  await a.close();
  await b.close();
});

test('without JavaScript an agent logs a note and moves the deal', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await login(page, ana.email, ana.password);
  await page.goto(dealPath);
  await page.getByLabel('Note (optional with a button above)').fill('Sent the floor plan by post');
  await page.getByRole('button', { name: 'Save note' }).click();
  await expect(page).toHaveURL(new RegExp(`${dealPath}\\??$`));
  await expect(page.getByTestId('timeline-entry').first()).toContainText('Sent the floor plan by post');
  await page.getByTestId('stage-select').selectOption({ label: 'Viewing' });
  await page.getByTestId('move').click();
  await expect(page).toHaveURL(new RegExp(`${dealPath}\\??$`));
  await expect(page.getByTestId('timeline-entry').first()).toContainText('Contacted → Viewing');
  await ctx.close();
});

test('the manager sees the whole pipeline as a board on a desk', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, admin.email, admin.password);
  await page.goto('/pipeline?everyone=1');
  await hydrated(page);
  await expect(page.getByTestId('stage-column')).toHaveCount(6);
  await expect(page.getByTestId('stage-column').filter({ hasText: 'Viewing' }).getByTestId('deal-row').filter({ hasText: 'Marta Live' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/pipeline-board.png', fullPage: true });
  await page.goto(dealPath);
  await hydrated(page);
  await page.getByText('Change history').click();
  await expect(page.getByTestId('history')).toContainText('stage: Offer → Contacted');
  await page.screenshot({ path: 'test-results/screens/deal-desk.png', fullPage: true });
  expect(errors).toEqual([]);
  await ctx.close();
});
