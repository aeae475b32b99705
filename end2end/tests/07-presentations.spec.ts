import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { hydrated, login, phone, watchErrors } from './journeys';

// Runs after 06-listings.spec.ts: Ana owns the open deal "Marta Live" (a buyer with no
// budget yet, so every listing for sale fits) and the listing ALT-777.
test.describe.configure({ mode: 'serial' });

const ana = { email: 'ana@costa.test', password: 'ana passphrase 42' };
/** A real phone's browser: headless Chromium's own agent is treated as a bot. */
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

test('an agent adds photos to a listing, a wrong file is refused, and the cover can change', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  await page.goto('/properties?q=ALT-777');
  await hydrated(page);
  await page.getByTestId('property-row').first().click();
  await hydrated(page);
  const photos = page.getByTestId('listing-photos');
  const house = { name: 'house.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(__dirname, '../fixtures/house.jpg')) };
  await photos.getByTestId('photo-input').setInputFiles([
    house,
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('Viewing notes, not a photo') },
  ]);
  await photos.getByTestId('upload-photos').click();
  await expect(page.getByTestId('photo-refused')).toContainText('notes.jpg: This file is not a photo');
  await expect(photos.getByTestId('photo')).toHaveCount(1);
  await expect(photos.getByTestId('cover-badge')).toHaveCount(1);

  await hydrated(page);
  await photos.getByTestId('photo-input').setInputFiles(house);
  await photos.getByTestId('upload-photos').click();
  await expect(photos.getByTestId('photo')).toHaveCount(2);
  await hydrated(page);
  const second = photos.getByTestId('photo').nth(1);
  const src = await second.locator('img').getAttribute('src');
  await second.getByTestId('make-cover').click();
  await expect(photos.getByTestId('photo').first().locator('img')).toHaveAttribute('src', src!);
  await page.screenshot({ path: 'test-results/screens/listing-photos.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('an agent sends a shortlist from a deal and sees the client open it', async ({ page, browser }) => {
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  // A second listing, so there is a shortlist to make.
  await page.goto('/properties/new');
  await hydrated(page);
  await page.locator('#p-reference').fill('CAL-778');
  await page.getByLabel('Title').fill('Flat in Łódź style by the Peñón');
  await page.getByLabel('Price (a rent per month)').fill('289k');
  await page.locator('#p-city').fill('Calpe');
  await page.getByTestId('save-listing').click();
  await expect(page).toHaveURL(/\/properties\/\d+$/);

  await page.goto('/pipeline?q=Marta');
  await hydrated(page);
  await page.getByTestId('deal-row').filter({ hasText: 'Marta Live' }).first().click();
  await hydrated(page);
  const fits = page.getByTestId('deal-listings');
  await expect(fits.getByTestId('match-listing')).toHaveCount(2);
  const make = fits.getByTestId('make-presentation');
  await expect(make).toBeDisabled();
  await fits.getByTestId('pick-listing').nth(0).check();
  await fits.getByTestId('pick-listing').nth(1).check();
  await expect(make).toHaveText('Make a presentation of 2');
  await make.click();
  const made = page.getByTestId('deal-presentations').getByTestId('presentation').first();
  await expect(made).toContainText('Flat in Łódź style by the Peñón');
  await expect(made.getByTestId('presentation-views')).toHaveText('Not opened yet');
  await expect(made.getByTestId('send-whatsapp')).toHaveAttribute('href', /^https:\/\/wa\.me\/34612345777\?text=Hi%20Marta/);
  await page.screenshot({ path: 'test-results/screens/deal-presentation.png', fullPage: true });
  const link = await made.getByTestId('open-share').getAttribute('href');

  // Marta opens the link on her own phone.
  const client = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, userAgent: ANDROID });
  const marta = await client.newPage();
  await marta.goto(link!);
  await expect(marta.getByRole('heading', { level: 1 })).toHaveText('2 homes selected for Marta Live');
  await expect(marta.getByText('Side by side')).toBeVisible();
  await expect(marta.getByRole('link', { name: 'Download the PDF' })).toBeVisible();
  // Ana has no phone number on file, so the page offers her e-mail, not WhatsApp.
  await expect(marta.getByRole('link', { name: 'ana@costa.test' })).toBeVisible();
  await marta.screenshot({ path: 'test-results/screens/share-page.png', fullPage: true });
  const pdf = await marta.request.get(link! + '/presentation.pdf');
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await client.close();

  // Ana sees it arrive without reloading: the count, the timeline, and a call proposed.
  await expect(made.getByTestId('presentation-views')).toContainText('Opened');
  await expect(page.getByTestId('timeline')).toContainText('Marta Live opened the presentation');
  await page.screenshot({ path: 'test-results/screens/deal-presentation-opened.png', fullPage: true });

  // Sending it on WhatsApp opens WhatsApp and puts the send on the timeline.
  // (The test machine has no way out to wa.me, so the new tab only shows an error page.)
  const [whatsapp] = await Promise.all([page.waitForEvent('popup'), made.getByTestId('send-whatsapp').click()]);
  await whatsapp.close();
  await expect(page.getByTestId('timeline')).toContainText('Sent the presentation on WhatsApp');
  expect(errors).toEqual([]);
});
