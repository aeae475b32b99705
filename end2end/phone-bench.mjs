// What a phone gets from Doorstep, measured as a phone gets it (scripts/phone-bench.sh runs
// this against a release build serving the demo agency):
// - the bytes transferred on a first visit to Today, logged in, with nothing cached;
// - the static files transferred again on a repeat visit (none, when caching works);
// - Lighthouse's mobile scores (pinned lighthouse, Debian's Chromium) for the agent's pages
//   and the public ones.
// Usage: node phone-bench.mjs BASE EMAIL PASSWORD DEAL_PATH FORM_PATH SHARE_PATH
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, email, password, dealPath, formPath, sharePath] = process.argv.slice(2);
const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const browser = await chromium.launch({ executablePath: chromiumPath, args });

/** A logged-in session cookie, from the log-in form as a browser posts it. */
async function sessionCookie() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
  const cookie = (await context.cookies()).find((c) => c.name === 'doorstep_session');
  await context.close();
  return cookie;
}

/** Every response of one page load, with the bytes it took on the wire (headers and body). */
async function load(page, cdp, path) {
  const requests = new Map();
  const onResponse = (e) => requests.set(e.requestId, {
    url: e.response.url,
    type: e.type,
    fromCache: e.response.fromDiskCache,
    // Answered by the service worker: from its cache for the front end's files; a page it
    // fetched from the network (whose bytes the worker's own connection carries).
    fromWorker: e.response.fromServiceWorker,
    encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '',
  });
  const onFinished = (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; };
  const onCached = (e) => requests.set(e.requestId, { url: e.request.url, type: 'cached', fromCache: true, bytes: 0 });
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  cdp.on('Network.requestServedFromCache', onCached);
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 60_000 });
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  cdp.off('Network.requestServedFromCache', onCached);
  return [...requests.values()].filter((r) => !r.url.endsWith('/events'));
}

function print(title, responses) {
  console.log(title);
  let total = 0;
  for (const r of responses) {
    total += r.bytes ?? 0;
    const name = new URL(r.url).pathname;
    const how = r.fromWorker ? 'through the service worker' : r.fromCache ? 'from cache' : (r.encoding || 'identity');
    console.log(`  ${name.padEnd(52)} ${kb(r.bytes ?? 0).padStart(10)}  ${how}`);
  }
  console.log(`  ${'total over the wire'.padEnd(52)} ${kb(total).padStart(10)}`);
  return total;
}

const cookie = await sessionCookie();
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
await context.addCookies([cookie]);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
const first = print('First visit to Today (logged in, nothing cached):', await load(page, cdp, '/'));
console.log(`first visit to Today: ${kb(first)} (limit 350 KB: ${(first / (350 * 1024)).toFixed(2)}x)`);
// The service worker installs after the first visit; wait until it controls the page.
await page.evaluate(() => navigator.serviceWorker.ready);
const repeat = await load(page, cdp, '/');
print('Repeat visit to Today:', repeat);
// A static file came from the network again unless the HTTP cache or the worker's cache had it.
const again = repeat.filter((r) => r.url.includes('/pkg/') && !r.fromCache && !r.fromWorker && (r.bytes ?? 0) > 0);
console.log(`static files transferred again on a repeat visit: ${again.length}`);
await browser.close();

// Lighthouse: its default mobile run (a mid-range phone, simulated slow 4G).
const pages = [
  ['Today', '/', true],
  ['Pipeline', '/pipeline', true],
  ['A deal', dealPath, true],
  ['Capture form', formPath, false],
  ['Share page', sharePath, false],
];
const dir = process.env.LIGHTHOUSE_REPORTS ?? mkdtempSync(join(tmpdir(), 'doorstep-lighthouse-'));
const lighthouse = process.env.LIGHTHOUSE ?? 'lighthouse';
console.log('Lighthouse (mobile)           performance  accessibility  best-practices  seo   LCP      TBT      bytes');
for (const [name, path, loggedIn] of pages) {
  const out = join(dir, `${name.replace(/\W+/g, '-')}.json`);
  const flags = [
    `${base}${path}`, '--quiet', '--output=json', `--output-path=${out}`,
    `--chrome-flags=--headless=new ${args.join(' ')}`,
    '--only-categories=performance,accessibility,best-practices,seo',
  ];
  if (loggedIn) flags.push(`--extra-headers=${JSON.stringify({ Cookie: `${cookie.name}=${cookie.value}` })}`);
  execFileSync(lighthouse, flags, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CHROME_PATH: chromiumPath } });
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const score = (c) => String(Math.round((report.categories[c]?.score ?? 0) * 100)).padStart(3);
  const audit = (a) => report.audits[a]?.displayValue ?? '-';
  console.log(`${name.padEnd(30)}${score('performance').padStart(11)}  ${score('accessibility').padStart(13)}  ${score('best-practices').padStart(14)}  ${score('seo').padStart(3)}   ${audit('largest-contentful-paint').padEnd(8)} ${audit('total-blocking-time').padEnd(8)} ${kb(report.audits['total-byte-weight']?.numericValue ?? 0)}`);
}
