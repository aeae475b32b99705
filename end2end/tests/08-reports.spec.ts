import { test, expect } from '@playwright/test';
import { hydrated, login, watchErrors } from './journeys';

// Runs after the earlier journeys: Ana (agent) owns open deals, Ben leads the team.
const ben = { email: 'ben@costa.test', password: 'ben passphrase 42' };

test('a manager filters the reports by agent, opens the deals behind a number and hands them over', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, ben.email, ben.password);
  await page.getByRole('link', { name: 'Reports' }).click();
  await expect(page).toHaveURL(/\/reports$/);
  await hydrated(page);
  // The figures and their charts are there before any script runs, and read as tables too.
  await expect(page.getByTestId('report-funnel').locator('svg title')).toHaveText('How far the period\'s new leads went');
  const leads = Number(await page.getByTestId('kpi-leads').textContent());
  expect(leads).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screens/reports-desk.png', fullPage: true });

  await page.getByTestId('filter-agent').selectOption({ label: 'Ana Lopez' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/agent=\d+/);
  await expect(page.getByTestId('scope')).toContainText('Ana Lopez');
  const team = page.getByTestId('report-team');
  await expect(team.getByTestId('team-row')).toHaveCount(1);
  const open = team.getByTestId('team-row').getByTestId('drill').first();
  const before = Number(await open.textContent());
  expect(before).toBeGreaterThan(0);

  await open.click();
  await expect(page).toHaveURL(/\/reports\/deals\?.*figure=agent_open/);
  await hydrated(page);
  await expect(page.getByTestId('drill-title')).toHaveText('Open deals of Ana Lopez');
  await expect(page.getByTestId('drill-total')).toHaveText(String(before));
  const csv = await page.request.get(page.url().replace('/reports/deals?', '/reports/export/deals.csv?'));
  expect((await csv.text()).split('\n')[0]).toContain('deal_id,created_at,contact');

  await page.getByTestId('pick-deal').first().check();
  await page.getByTestId('reassign-to').selectOption({ label: 'Ben Okafor' });
  await page.getByTestId('reassign').click();
  await expect(page.getByTestId('moved')).toHaveText('Moved 1 deal.');
  await expect(page.getByTestId('drill-total')).toHaveText(String(before - 1));
  // The list changed under the boxes: nothing is left ticked for a second click.
  for (const box of await page.getByTestId('pick-deal').all()) await expect(box).not.toBeChecked();
  await page.screenshot({ path: 'test-results/screens/reports-drill-desk.png' });

  // Back on the dashboard the number has followed.
  await page.getByRole('link', { name: '← Reports' }).click();
  await expect(page.getByTestId('report-team').getByTestId('team-row').getByTestId('drill').first()).toHaveText(String(before - 1));
  expect(errors).toEqual([]);
  await ctx.close();
});
