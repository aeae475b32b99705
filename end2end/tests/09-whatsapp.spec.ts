import { test, expect } from '@playwright/test';
import { hydrated, login, phone, watchErrors } from './journeys';

// Runs after the earlier journeys: Tom Baker's new lead is Ana's (agent).
const ana = { email: 'ana@costa.test', password: 'ana passphrase 42' };

test('an agent imports a WhatsApp chat export into a deal on a phone and sees it on the timeline', async ({ browser }) => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await page.getByTestId('deal-row').filter({ hasText: 'Tom Baker' }).first().click();
  await expect(page).toHaveURL(/\/deals\/\d+$/);
  await hydrated(page);

  await page.getByTestId('chat-import').getByText('Import a WhatsApp chat').click();
  await page.getByLabel('Chat export').setInputFiles('fixtures/whatsapp-chat.txt');
  await page.getByRole('button', { name: 'Read the chat' }).click();
  await expect(page).toHaveURL(/\/deals\/\d+\/chats\/[\w-]+$/);
  await hydrated(page);
  const preview = page.getByTestId('chat-preview');
  await expect(preview.getByRole('heading')).toHaveText('6 messages with Tom Baker');
  await expect(preview.getByTestId('new-messages')).toContainText('6 new for the timeline of Tom Baker');
  await expect(page.getByLabel('Who is the agency in this chat?')).toHaveValue('Ana Lopez');
  await expect(page.getByTestId('preview-line').first()).toContainText('ático de la playa');
  const payment = page.getByTestId('suggestion').filter({ hasText: 'transferencia' });
  await expect(payment).toContainText('Payment');
  await payment.getByRole('checkbox').check();
  await page.screenshot({ path: 'test-results/screens/chat-preview-phone.png', fullPage: true });

  await page.getByTestId('import').click();
  await expect(page).toHaveURL(/\/deals\/\d+\?imported=6/);
  await expect(page.getByTestId('imported')).toHaveText('6 WhatsApp messages added to the timeline.');
  const timeline = page.getByTestId('timeline');
  await expect(timeline.getByTestId('timeline-entry').filter({ hasText: '¿Te viene bien una visita el sábado?' })).toContainText('WhatsApp to client');
  await expect(timeline.getByTestId('timeline-entry').filter({ hasText: 'transferencia de la señal' })).toContainText('Payment');
  await page.getByTestId('timeline').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/chat-timeline-phone.png', fullPage: true });

  // The same export again adds nothing.
  await page.getByTestId('chat-import').getByText('Import a WhatsApp chat').click();
  await page.getByLabel('Chat export').setInputFiles('fixtures/whatsapp-chat.txt');
  await page.getByRole('button', { name: 'Read the chat' }).click();
  await expect(page.getByTestId('new-messages')).toHaveText('All of them are on the timeline already.');
  await expect(page.getByTestId('import')).toBeDisabled();
  expect(errors).toEqual([]);
  await ctx.close();
});
