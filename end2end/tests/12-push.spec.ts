import { test, expect } from '@playwright/test';
import { createECDH, randomBytes } from 'node:crypto';
import { hydrated, login, watchErrors } from './journeys';

// Runs after the earlier journeys: Ana (agent) has deals.
const ana = { email: 'ana@costa.test', password: 'ana passphrase 42' };

test('an agent opts a phone in to notices, and a pushed notice shows and opens its deal', async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } });
  await ctx.grantPermissions(['notifications'], { origin: baseURL });
  // Chromium subscribes through Google's push service, which these machines cannot reach; the
  // subscription it would hand back is made here instead (a real P-256 key and auth secret),
  // and everything after it is the app's own: the page reads it, the server checks and stores
  // it, and the service worker shows what is pushed.
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const sub = {
    endpoint: 'http://127.0.0.1:9/push/journey-phone',
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
  await ctx.addInitScript((s) => {
    let current: PushSubscription | null = null;
    const made = Object.setPrototypeOf(
      { endpoint: s.endpoint, expirationTime: null, toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: { p256dh: s.p256dh, auth: s.auth } }) },
      PushSubscription.prototype,
    );
    PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
      if (!options?.applicationServerKey || (options.applicationServerKey as Uint8Array).byteLength !== 65) throw new Error('no VAPID key');
      current = made;
      return made;
    };
    PushManager.prototype.getSubscription = async function () {
      return current;
    };
  }, sub);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await login(page, ana.email, ana.password);
  await page.goto('/pipeline');
  const dealHref = await page.locator('a[href^="/deals/"]').first().getAttribute('href');
  expect(dealHref).toMatch(/^\/deals\/\d+$/);

  await page.goto('/notifications');
  await hydrated(page);
  await expect(page.getByTestId('push-none')).toBeVisible();
  await page.getByTestId('push-opt-in').click();
  await expect(page.getByTestId('push-status')).toHaveText(/This device will be notified/);
  const device = page.getByTestId('push-device');
  await expect(device).toHaveCount(1);
  await expect(device).toContainText('Chrome on Linux');
  await expect(device).toContainText('This device');
  await expect(page.getByTestId('push-here')).toHaveText('This device is notified.');
  await expect(page.getByTestId('push-opt-in')).toHaveCount(0);
  await expect(device.getByLabel('New leads for me')).toBeChecked();
  await expect(device.getByLabel('Escalations (managers)')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/push-devices-phone.png', fullPage: true });

  // Choosing kinds: leads off, saved and still off after a reload.
  await device.getByLabel('New leads for me').uncheck();
  await device.getByRole('button', { name: 'Save' }).click();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('push-device').getByLabel('New leads for me')).not.toBeChecked();
  await expect(page.getByTestId('push-device').getByLabel('My follow-ups due')).toBeChecked();

  // A push reaches the service worker (as the push service would deliver it) and is shown.
  // The worker must be active first: a push delivered while it still installs is dropped.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 10_000 }).toBe(true);
  const cdp = await ctx.newCDPSession(page);
  const registration = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL.startsWith(baseURL!) && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registration;
  const notice = { title: 'New lead: Lucía Fernández', body: 'buy · Altea · via Open day', url: dealHref, tag: 'notice-journey' };
  // Delivered again until shown, as a push service retries: one tag, so never two notices.
  const shown = async () => {
    const list = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => [n.title, n.body, n.tag]));
    if (list.length === 0) await cdp.send('ServiceWorker.deliverPushMessage', { origin: baseURL!, registrationId, data: JSON.stringify(notice) });
    return list;
  };
  await expect.poll(shown, { timeout: 15_000 }).toEqual([[notice.title, notice.body, notice.tag]]);

  // Tapping it opens the deal in the window already open.
  const worker = ctx.serviceWorkers().find((w) => w.url().endsWith('/sw.js'))!;
  expect(worker).toBeTruthy();
  await worker.evaluate(async () => {
    const [shown] = await (self as any).registration.getNotifications();
    shown.close();
    await (self as any).openNotice(shown.data.url);
  });
  await expect(page).toHaveURL(new RegExp(`${dealHref}$`));

  // Removing the device.
  await page.goto('/notifications');
  await hydrated(page);
  await page.getByTestId('push-device').getByRole('button', { name: 'Remove this device' }).click();
  await expect(page.getByTestId('push-none')).toBeVisible();
  expect(errors).toEqual([]);
  await ctx.close();
});
