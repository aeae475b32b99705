import { test, expect } from '@playwright/test';
import { hydrated, login, watchErrors } from './journeys';

test.describe.configure({ mode: 'serial' });

test('an agent adds a listing from a phone, fixing a mistake, and finds it in the list', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'ana@costa.test', 'ana passphrase 42');
  await page.goto('/properties');
  await hydrated(page);
  await page.getByTestId('add-listing').click();
  await hydrated(page);
  await page.locator('#p-reference').fill('ALT-777');
  await page.getByLabel('Title').fill('Zoë’s flat by the old town');
  await page.getByLabel('Price (a rent per month)').fill('a lot');
  await page.locator('#p-city').fill('Altea');
  await page.getByTestId('save-listing').click();
  await expect(page.getByText('Enter an amount like 250000, 250k or 1.5m.')).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue('Zoë’s flat by the old town');
  await page.getByLabel('Price (a rent per month)').fill('315k');
  await page.locator('#p-bedrooms').fill('2');
  await page.getByLabel('Features (one per line)').fill('Terrace\nLift');
  await page.getByTestId('save-listing').click();
  await expect(page).toHaveURL(/\/properties\/\d+$/);
  const listing = page.getByTestId('listing');
  await expect(listing).toContainText('Zoë’s flat by the old town');
  await expect(listing).toContainText('€315,000');
  await expect(listing).toContainText('Terrace');
  await expect(page.getByTestId('who-to-call')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/listing.png', fullPage: true });

  await page.goto('/properties?q=ALT-777');
  await hydrated(page);
  await expect(page.getByTestId('property-row')).toHaveCount(1);
  await expect(page.getByTestId('property-row')).toContainText('€315,000');
  expect(errors).toEqual([]);
});
