// End to end: the real gatewatch binary and Debian's chromium, driven by
// playwright-core, inside the network namespace that in_netns.sh made (lo
// holds only 127.0.0.1/32, so 127.0.0.66 answers only while this test adds
// it). Walks what an operator does, waiting for what they would see, and
// saves screenshots at desktop and phone widths to the folder it prints.
// Every screen it visits is audited by axe-core against WCAG 2 A and AA, in
// the light and the dark colour scheme; the test fails listing violations.
// A webhook notifier created through the page points at a small HTTP
// receiver that this script runs on 127.0.0.1 (a random port): its test
// message must arrive, signed, and show as delivered. The accounts page
// creates a viewer, who changes their password (and stays logged in), is
// disabled (and logged out), and whose login is then refused; an API token
// is shown once and works; a CSV with errors is refused in the browser
// (nothing sent), then a corrected one creates its devices, and the
// server's refusal of a row is shown on that row. /docs (Swagger UI) loads
// from the binary alone; Authorize with the admin's password, then "Try it
// out" on GET /rooms answers with the rooms.
//
//   GATEWATCH_BIN        the binary (required)
//   GATEWATCH_WEB_ROOT   the built dashboard (required)
//   GATEWATCH_SCREENSHOTS where screenshots go (default: a new temp folder)
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.GATEWATCH_BIN;
const WEB_ROOT = process.env.GATEWATCH_WEB_ROOT;
if (!BIN || !WEB_ROOT) throw new Error('set GATEWATCH_BIN and GATEWATCH_WEB_ROOT');
const SECRET = 'end-to-end-test-secret-0123456789abcdef';
const SHOTS = process.env.GATEWATCH_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'gw-shots-'));
const WAIT = { timeout: 30_000 }; // generous: a busy CI machine is slow, never wrong
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 780 }; // the narrowest phones in common use
const PASSWORD = 'correct-horse-battery';
const NEW_PASSWORD = 'another-horse-staple';
const HOOK_SECRET = 'webhook-signing-secret';
// The page's policy (script-src 'self') blocks an inline <script>, so
// addScriptTag cannot load axe; evaluate() runs it through the DevTools
// protocol, which the policy does not cover, and the policy stays as served.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa'];

mkdirSync(SHOTS, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
const serverLog = [];
let server;
let receiver;
let browser;
let step = 0;
const axeViolations = [];

function ok(what) {
  step += 1;
  console.log(`ok ${step} - ${what}`);
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, [
      'serve', '--port', '0', '--data-dir', dataDir, '--web-root', WEB_ROOT,
      '--probe-interval', '1', '--probe-timeout', '0.5', '--probe-spacing', '0.1', '--push-interval', '1',
      '--history-flush-interval', '1',
    ], { env: { ...process.env, GATEWATCH_SECRET_KEY: SECRET }, stdio: ['ignore', 'ignore', 'pipe'] });
    let buffered = '';
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        serverLog.push(line);
        const m = /listening on http:\/\/[^ ]+:(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      }
    });
    server.on('exit', (code) => reject(new Error(`gatewatch exited (${code}) before listening`)));
    setTimeout(() => reject(new Error('gatewatch did not start within 30 s')), 30_000);
  });
}

// The webhook's receiver: records every request (method, path, headers,
// body) and answers 204.
function startReceiver() {
  const requests = [];
  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method, path: req.url, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve({ http, port: http.address().port, requests }));
  });
}

async function waitUntil(what, check) {
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function base64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

// A token the server signed itself would say the same: HS256 with its key,
// but its exp is an hour in the past.
function expiredToken(username) {
  const head = base64url({ alg: 'HS256', typ: 'JWT' });
  const body = base64url({ sub: username, exp: Math.floor(Date.now() / 1000) - 3600 });
  const signature = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

function setReachable(ip, reachable) {
  execFileSync('ip', ['addr', reachable ? 'add' : 'del', `${ip}/32`, 'dev', 'lo']);
}

async function shot(page, name) {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`# screenshot ${file}`);
}

// Runs axe on what the page shows now, in both colour schemes, and records
// each violation (rule, element, why) for the end of the test; `darkShot`
// also saves the dark scheme's screenshot under that name.
async function audit(page, screen, darkShot) {
  let found = 0;
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    if (colorScheme === 'dark' && darkShot) await shot(page, darkShot);
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async (values) => {
      const results = await window.axe.run(document, { runOnly: { type: 'tag', values } });
      return results.violations.map((v) => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    }, AXE_TAGS);
    for (const v of violations) {
      for (const n of v.nodes) {
        found += 1;
        axeViolations.push(`${screen} (${colorScheme}): ${v.id} at ${n.target}: ${v.help}. ${n.summary.replace(/\s+/g, ' ')}`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' }); // the contexts' default
  console.log(`# axe: ${screen}: ${found ? `${found} violation(s)` : 'no WCAG 2 A/AA violations'} (light and dark)`);
}

const deviceRow = (page, ip) => page.locator(`[data-device-ip="${ip}"]`);
const eventItems = (page) => page.locator('ol.events > li');

// The chart is drawn: uPlot's canvas is there and has a size.
async function waitForChart(page) {
  const canvas = page.locator('.chart canvas').first();
  await canvas.waitFor(WAIT);
  const box = await canvas.boundingBox();
  if (!box || box.width < 150 || box.height < 100) throw new Error(`the chart's canvas is ${JSON.stringify(box)}`);
  return box;
}

// Waits until the newest status change listed is `status` and there are more than `count`.
async function waitForNewEvent(page, status, count) {
  await page.waitForFunction(
    ([s, n]) => {
      const items = document.querySelectorAll('ol.events > li');
      return items.length > n && items[0].getAttribute('data-status') === s;
    },
    [status, count],
    WAIT,
  );
}

async function waitForStatus(page, ip, status) {
  await page.locator(`[data-device-ip="${ip}"][data-status="${status}"]`).waitFor(WAIT);
}

async function logIn(page, username) {
  await page.getByRole('tab', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
}

async function addDevice(page, { name, ip, room, parent }) {
  await page.getByRole('button', { name: 'Add device', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('IP address').fill(ip);
  if (room) await dialog.getByLabel('Room').selectOption({ label: room });
  if (parent) await dialog.getByLabel('Parent device').selectOption({ label: parent });
  await dialog.getByRole('button', { name: 'Add device' }).click();
  await dialog.waitFor({ state: 'detached', ...WAIT });
  await deviceRow(page, ip).waitFor(WAIT);
}

async function main() {
  const port = await startServer();
  const origin = `http://127.0.0.1:${port}`;
  ok(`gatewatch serves on ${origin}`);

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  const desktop = await browser.newContext({ viewport: DESKTOP }); // a fresh, empty profile
  const page = await desktop.newPage();
  const consoleErrors = [];
  // Chromium logs each 4xx answer as a failed load; the refusals this test
  // provokes (400 for a wrong current password, 401 at login and expiry,
  // 403 for a disabled account, 409 for the last admin, 422 for the bad IP)
  // are expected.
  const expected = /^Failed to load resource: the server responded with a status of (400|401|403|409|422)/;
  const watch = (p) => {
    p.on('console', (m) => m.type() === 'error' && !expected.test(m.text()) && consoleErrors.push(m.text()));
    p.on('pageerror', (e) => consoleErrors.push(String(e)));
  };
  watch(page);
  await desktop.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const bulkRequests = [];
  page.on('request', (r) => new URL(r.url()).pathname.startsWith('/devices/bulk') && bulkRequests.push(r));

  await page.goto(origin + '/');
  await page.getByRole('tab', { name: 'Log in' }).waitFor(WAIT);
  await page.getByLabel('Username').fill('operator');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByText('Incorrect username or password').waitFor(WAIT);
  await shot(page, 'desktop-login-error');
  await audit(page, 'login, with an error');
  ok('a wrong login shows "Incorrect username or password"');

  await page.getByRole('tab', { name: 'Register' }).click();
  await page.getByText('The first account registered becomes the admin').waitFor(WAIT);
  await page.getByLabel('Username').fill('operator');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat password').fill(PASSWORD);
  await audit(page, 'register');
  await page.getByRole('button', { name: 'Register and log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
  await page.locator('.role', { hasText: 'admin' }).waitFor(WAIT);
  ok('registering the first account logs in as admin');

  await page.getByRole('button', { name: 'Add room' }).click();
  await audit(page, 'room form');
  await page.getByRole('dialog').getByLabel('Name').fill('Server room');
  await page.getByRole('dialog').getByLabel('Description').fill('Rack A, second floor');
  await page.getByRole('dialog').getByRole('button', { name: 'Add room' }).click();
  await page.getByRole('heading', { name: 'Server room' }).waitFor(WAIT);
  ok('an admin adds a room');

  // The server's validation message appears beside the field it is about.
  await page.getByRole('button', { name: 'Add device', exact: true }).click();
  const form = page.getByRole('dialog');
  await form.getByLabel('Name').fill('gateway');
  await form.getByLabel('IP address').fill('999.1.1.1');
  await form.getByRole('button', { name: 'Add device' }).click();
  const ipField = form.locator('.field', { has: page.getByLabel('IP address') });
  await ipField.locator('.error').waitFor(WAIT);
  if ((await form.getByLabel('IP address').getAttribute('aria-invalid')) !== 'true') {
    throw new Error('the IP field is not marked invalid');
  }
  await shot(page, 'desktop-device-form-error');
  await audit(page, 'device form, with an error');
  const ipMessage = await ipField.locator('.error').textContent();
  await form.getByRole('button', { name: 'Cancel' }).click();
  ok(`a bad IP is refused, with the server's message beside the field: "${ipMessage}"`);

  await addDevice(page, { name: 'gateway', ip: '127.0.0.1', room: 'Server room' });
  await addDevice(page, { name: 'printer', ip: '127.0.0.66', room: 'Server room' });
  await addDevice(page, { name: 'spare switch', ip: '127.0.0.77' });
  await addDevice(page, { name: 'scanner', ip: '127.0.0.67', room: 'Server room', parent: 'printer (127.0.0.66)' });
  ok('an admin adds devices on 127.0.0.1, 127.0.0.66, one without a room, and 127.0.0.67 behind the printer');

  await waitForStatus(page, '127.0.0.1', 'connected');
  await waitForStatus(page, '127.0.0.66', 'disconnected');
  await page.locator('[data-live="live"]').waitFor(WAIT);
  await page.locator('[data-count="connected"] .count-number', { hasText: /^1$/ }).waitFor(WAIT);
  ok('127.0.0.1 turns connected and 127.0.0.66 disconnected; the counts and "Live" agree');

  // 127.0.0.67 fails behind its parent, which is down too.
  await page.locator('[data-device-ip="127.0.0.67"][data-unreachable-via="printer"]').getByText('Unreachable via printer').waitFor(WAIT);
  ok('the device behind the disconnected printer reads "Unreachable via printer", not a plain red status');

  // A parent behind its own child is a cycle: the server's 422 appears under the field.
  await page.getByRole('button', { name: 'Edit printer' }).click();
  const printerForm = page.getByRole('dialog');
  await printerForm.getByLabel('Parent device').selectOption({ label: 'scanner (127.0.0.67)' });
  await printerForm.getByRole('button', { name: 'Save' }).click();
  const parentField = printerForm.locator('.field', { has: page.getByLabel('Parent device') });
  await parentField.locator('.error').waitFor(WAIT);
  const cycleMessage = await parentField.locator('.error').textContent();
  await printerForm.getByRole('button', { name: 'Cancel' }).click();
  ok(`making the printer depend on its own child is refused under the field: "${cycleMessage}"`);
  await shot(page, 'desktop-overview');
  await audit(page, 'overview, desktop', 'desktop-overview-dark');

  // Without a reload: a value on window survives only if the page does.
  await page.evaluate(() => { window.__sameDocument = true; });
  setReachable('127.0.0.66', true);
  await waitForStatus(page, '127.0.0.66', 'connected');
  setReachable('127.0.0.66', false);
  await waitForStatus(page, '127.0.0.66', 'disconnected');
  if (!(await page.evaluate(() => window.__sameDocument === true))) throw new Error('the page reloaded');
  ok('127.0.0.66 flips connected and back to disconnected, live, without a reload');

  // A device's page: a click on its row (not on its name, which is a link too).
  await deviceRow(page, '127.0.0.66').locator('.ip').click();
  await page.waitForFunction(() => /^#\/devices\/[0-9]+$/.test(location.hash), null, WAIT);
  const printerPage = await page.evaluate(() => location.hash);
  await page.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
  await page.locator('.device-status[data-status="disconnected"]').waitFor(WAIT);
  const chartBox = await waitForChart(page);
  await page.locator('.uptime-figures [data-window="24h"] dd', { hasText: '%' }).waitFor(WAIT);
  await eventItems(page).first().waitFor(WAIT);
  ok(`a click on a row opens the device's page (${printerPage}): status, uptime, status changes, and the chart drawn (${Math.round(chartBox.width)}×${Math.round(chartBox.height)} px)`);
  await shot(page, 'desktop-device');
  await audit(page, 'device page, desktop', 'desktop-device-dark');

  let events = await eventItems(page).count();
  setReachable('127.0.0.66', true);
  await page.locator('.device-status[data-status="connected"]').waitFor(WAIT);
  await waitForNewEvent(page, 'connected', events);
  events = await eventItems(page).count();
  setReachable('127.0.0.66', false);
  await page.locator('.device-status[data-status="disconnected"]').waitFor(WAIT);
  await waitForNewEvent(page, 'disconnected', events);
  ok('a flip of 127.0.0.66 shows live on its page, and each change as a new status change at the top of the list');

  await page.getByRole('region', { name: 'Dependencies' }).getByRole('link', { name: 'scanner' }).click();
  await page.getByRole('heading', { level: 1, name: 'scanner' }).waitFor(WAIT);
  await page.getByRole('region', { name: 'Dependencies' }).getByRole('link', { name: 'printer' }).click();
  await page.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
  ok('the printer lists the scanner behind it, and the scanner the printer it is reached through, as links');

  await page.getByRole('button', { name: 'the last 7 days' }).click();
  await page.waitForFunction((hash) => location.hash === `${hash}?range=7d`, printerPage, WAIT);
  await waitForChart(page);
  await page.goBack(); // to the scanner's page
  await page.getByRole('heading', { level: 1, name: 'scanner' }).waitFor(WAIT);
  await page.goBack(); // to the printer's first visit
  await page.goBack(); // to the overview
  await deviceRow(page, '127.0.0.1').waitFor(WAIT);
  if (!['', '#/'].includes(await page.evaluate(() => location.hash))) throw new Error('back did not return to the overview');
  await page.goForward();
  await page.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
  await page.goForward();
  await page.goForward();
  await page.waitForFunction((hash) => location.hash === `${hash}?range=7d`, printerPage, WAIT);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
  await waitForChart(page);
  if ((await page.getByRole('button', { name: 'the last 7 days' }).getAttribute('aria-pressed')) !== 'true') {
    throw new Error('the range was lost on reload');
  }
  await page.getByRole('link', { name: '← All devices' }).click();
  await deviceRow(page, '127.0.0.1').waitFor(WAIT);
  ok("the range is kept in the URL; back returns to the overview, forward and a reload to the device's page");

  const roomUptime = page.locator('.room-row', { has: page.getByRole('heading', { name: 'Server room' }) }).locator('.room-uptime');
  await roomUptime.filter({ hasText: /[0-9] % up/ }).waitFor(WAIT);
  ok(`the room shows its devices' mean uptime over 24 h: "${(await roomUptime.textContent()).trim()}"`);

  // Notifiers: a webhook to the receiver, created through the page; its test message arrives, signed.
  receiver = await startReceiver();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Notifiers' }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifiers' }).waitFor(WAIT);
  await page.getByText('No notifiers yet').waitFor(WAIT);
  await page.getByRole('button', { name: 'Add notifier' }).click();
  const notifierForm = page.getByRole('dialog');
  await notifierForm.getByLabel('Name').fill('ops webhook');
  await notifierForm.getByLabel('URL').fill(`ftp://127.0.0.1:${receiver.port}/hook`);
  await notifierForm.getByRole('button', { name: 'Add notifier' }).click();
  const urlField = notifierForm.locator('.field', { has: page.getByLabel('URL') });
  await urlField.locator('.error').waitFor(WAIT);
  const urlMessage = await urlField.locator('.error').textContent();
  await shot(page, 'desktop-notifier-form-error');
  await audit(page, 'notifier form, with an error');
  await notifierForm.getByLabel('URL').fill(`http://127.0.0.1:${receiver.port}/hook`);
  await notifierForm.getByLabel('Secret').fill(HOOK_SECRET);
  await notifierForm.getByRole('button', { name: 'Add notifier' }).click();
  await notifierForm.waitFor({ state: 'detached', ...WAIT });
  const card = page.locator('[data-notifier="ops webhook"]');
  await card.getByText('Yes (secret set)').waitFor(WAIT);
  if ((await page.content()).includes(HOOK_SECRET)) throw new Error('the page shows the secret');
  ok(`an admin adds a webhook notifier (a bad URL first: "${urlMessage}"); the secret is never shown`);

  await card.getByRole('button', { name: 'Send test to ops webhook' }).click();
  await card.getByText('Test message queued').waitFor(WAIT);
  const hit = await waitUntil('the test message at the receiver', () => receiver.requests.find((r) => r.headers['x-gatewatch-event'] === 'test'));
  const signature = `sha256=${createHmac('sha256', HOOK_SECRET).update(hit.body).digest('hex')}`;
  if (hit.headers['x-gatewatch-signature'] !== signature) throw new Error(`bad signature ${hit.headers['x-gatewatch-signature']}`);
  if (JSON.parse(hit.body).event !== 'test' || hit.method !== 'POST' || hit.path !== '/hook') throw new Error(`unexpected request ${JSON.stringify(hit)}`);
  await card.locator('.delivery[data-status="delivered"][data-event="test"]').waitFor(WAIT);
  ok(`"Send test" reaches the receiver on 127.0.0.1:${receiver.port} (POST /hook, signed), and the delivery shows as delivered`);
  await shot(page, 'desktop-notifiers');
  await audit(page, 'notifiers, desktop', 'desktop-notifiers-dark');

  await page.getByRole('button', { name: 'Edit notifier ops webhook' }).click();
  const editForm = page.getByRole('dialog');
  if ((await editForm.getByLabel('Secret').inputValue()) !== '') throw new Error('the secret is shown in the form');
  await editForm.getByLabel('Up (it is back)').uncheck();
  await editForm.getByRole('button', { name: 'Save' }).click();
  await editForm.waitFor({ state: 'detached', ...WAIT });
  await card.getByText('Down only').waitFor(WAIT);
  await card.getByText('Yes (secret set)').waitFor(WAIT);
  ok('editing a notifier with the secret left empty keeps it');

  // Maintenance windows: one for the printer, from the next quarter hour.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Maintenance' }).click();
  await page.getByRole('heading', { level: 1, name: 'Maintenance windows' }).waitFor(WAIT);
  await page.getByRole('button', { name: 'Add window' }).click();
  const windowForm = page.getByRole('dialog');
  await windowForm.getByLabel('Name').fill('printer firmware');
  await windowForm.getByLabel('Devices').selectOption({ label: 'printer (127.0.0.66)' });
  await audit(page, 'maintenance form');
  await windowForm.getByRole('button', { name: 'Add window' }).click();
  await windowForm.waitFor({ state: 'detached', ...WAIT });
  const windowCard = page.locator('[data-window="printer firmware"]');
  await windowCard.getByText('Upcoming').waitFor(WAIT);
  await windowCard.getByText('printer').last().waitFor(WAIT);
  await shot(page, 'desktop-maintenance');
  await audit(page, 'maintenance, desktop');
  await windowCard.getByRole('button', { name: 'Delete window printer firmware' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await windowCard.waitFor({ state: 'detached', ...WAIT });
  ok('an admin adds a maintenance window for the printer (upcoming), then deletes it');

  // Accounts: the last admin stays; a viewer created here changes their
  // password, is disabled, and can no longer log in.
  const nav = (p, name) => p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
  await nav(page, 'Users');
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor(WAIT);
  const operatorCard = page.locator('[data-user="operator"]');
  await operatorCard.getByRole('button', { name: 'Make operator a viewer' }).click();
  await operatorCard.getByRole('alert').filter({ hasText: 'The last admin cannot be demoted or disabled' }).waitFor(WAIT);
  const lastAdmin = (await operatorCard.getByRole('alert').textContent()).trim();
  ok(`demoting the last admin is refused on its card: "${lastAdmin}"`);

  await page.getByRole('button', { name: 'Create account' }).click();
  const userForm = page.getByRole('dialog');
  await userForm.getByLabel('Username').fill('auditor');
  await userForm.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await userForm.getByLabel('Repeat password').fill(PASSWORD);
  await userForm.getByLabel('Role').selectOption('viewer');
  await audit(page, 'create account form');
  await userForm.getByRole('button', { name: 'Create account' }).click();
  await userForm.waitFor({ state: 'detached', ...WAIT });
  const auditorCard = page.locator('[data-user="auditor"]');
  await auditorCard.getByText('Viewer', { exact: true }).waitFor(WAIT);
  await shot(page, 'desktop-users');
  await audit(page, 'users, desktop', 'desktop-users-dark');
  ok('an admin creates the viewer account "auditor" on the users page');

  const auditorContext = await browser.newContext({ viewport: DESKTOP });
  const aud = await auditorContext.newPage();
  watch(aud);
  await aud.goto(origin + '/');
  await logIn(aud, 'auditor');
  await aud.locator('.role', { hasText: 'viewer' }).waitFor(WAIT);
  for (const name of ['Users', 'API tokens']) {
    if (await aud.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).count()) throw new Error(`a viewer is offered "${name}"`);
  }
  await aud.getByRole('link', { name: /Your account/ }).click();
  await aud.getByRole('heading', { level: 1, name: 'Your account' }).waitFor(WAIT);
  await aud.getByLabel('Current password').fill('not-my-password');
  await aud.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await aud.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
  await aud.getByRole('button', { name: 'Change password' }).click();
  const currentField = aud.locator('.field', { has: aud.getByLabel('Current password') });
  await currentField.locator('.error', { hasText: 'Incorrect password' }).waitFor(WAIT);
  await shot(aud, 'desktop-account-error');
  await audit(aud, 'account, wrong current password');
  const oldToken = await aud.evaluate(() => localStorage.getItem('token'));
  await aud.getByLabel('Current password').fill(PASSWORD);
  await aud.getByRole('button', { name: 'Change password' }).click();
  await aud.getByText('Your password was changed.').waitFor(WAIT);
  await shot(aud, 'desktop-account');
  await audit(aud, 'account, password changed');
  const newToken = await aud.evaluate(() => localStorage.getItem('token'));
  if (!newToken || newToken === oldToken) throw new Error('the session did not get a new token');
  const oldRefused = (await fetch(`${origin}/users/me`, { headers: { Authorization: `Bearer ${oldToken}` } })).status;
  if (oldRefused !== 401) throw new Error(`the old token still works after the password change (${oldRefused})`);
  await aud.locator('[data-live="live"]').waitFor(WAIT);
  await aud.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Devices' }).click();
  await deviceRow(aud, '127.0.0.1').waitFor(WAIT);
  ok('the viewer changes their password (a wrong current one first, shown under the field); the old token is refused, the page goes on live with a new one');

  await auditorCard.getByRole('button', { name: 'Disable auditor' }).click();
  await auditorCard.getByText('Disabled', { exact: true }).waitFor(WAIT);
  await aud.reload();
  await aud.getByRole('tab', { name: 'Log in' }).waitFor(WAIT);
  await aud.getByLabel('Username').fill('auditor');
  await aud.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await aud.getByRole('button', { name: 'Log in', exact: true }).click();
  await aud.getByText('This account is disabled').waitFor(WAIT);
  await audit(aud, 'login, account disabled');
  await auditorContext.close();
  ok('once the admin disables "auditor", its session ends and its login is refused: "This account is disabled"');

  // API tokens: the secret shown once, copied, working; the list without it.
  await nav(page, 'API tokens');
  await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor(WAIT);
  await page.getByText('No API tokens yet.').waitFor(WAIT);
  await page.getByRole('button', { name: 'Create token' }).click();
  const tokenForm = page.getByRole('dialog');
  await tokenForm.getByLabel('Name').fill('prometheus');
  await tokenForm.getByLabel('Expires in (days)').fill('30');
  await audit(page, 'API token form');
  await tokenForm.getByRole('button', { name: 'Create token' }).click();
  const secretField = tokenForm.getByLabel('Token (viewer)');
  await secretField.waitFor(WAIT);
  const secret = await secretField.inputValue();
  if (!/^gw_[A-Za-z0-9_-]{40,}$/.test(secret)) throw new Error(`unexpected token ${secret}`);
  await tokenForm.getByText('you will not see it again').waitFor(WAIT);
  await tokenForm.getByRole('button', { name: 'Copy' }).click();
  await tokenForm.locator('.copy-note').filter({ hasText: /./ }).waitFor(WAIT);
  const copyNote = (await tokenForm.locator('.copy-note').textContent()).trim();
  const copied = copyNote.startsWith('Copied') ? await page.evaluate(() => navigator.clipboard.readText()) : null;
  if (copied !== null && copied !== secret) throw new Error('the clipboard does not hold the token');
  await shot(page, 'desktop-api-token-created');
  await audit(page, 'API token shown once');
  await tokenForm.getByRole('button', { name: 'Done' }).click();
  await tokenForm.waitFor({ state: 'detached', ...WAIT });
  const tokenCard = page.locator('[data-token="prometheus"]');
  await tokenCard.locator('[data-fact="last-used"]').getByText('Never', { exact: true }).waitFor(WAIT);
  if ((await page.content()).includes(secret)) throw new Error('the page still shows the token after the dialog');
  const withToken = (path, init = {}) => fetch(origin + path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${secret}` } });
  const readRooms = (await withToken('/rooms/')).status;
  const writeRoom = (await withToken('/rooms/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"nope"}' })).status;
  if (readRooms !== 200 || writeRoom !== 403) throw new Error(`the viewer token: GET /rooms/ ${readRooms}, POST /rooms/ ${writeRoom}`);
  await page.reload();
  await tokenCard.locator('[data-fact="last-used"] time').waitFor(WAIT);
  await shot(page, 'desktop-api-tokens');
  await audit(page, 'API tokens, desktop', 'desktop-api-tokens-dark');
  ok(`an API token is shown once (${copied !== null ? 'copied to the clipboard' : `copy: "${copyNote}"`}), reads (200) but cannot write (403), and is listed without its secret, last used just now`);

  // The nodes page: on SQLite the one node, live, probing every monitored device.
  await nav(page, 'Nodes');
  const nodeCard = page.locator('article.node[data-live="true"]');
  await nodeCard.getByText('Live', { exact: true }).waitFor(WAIT);
  await page.getByText(/1 of 1 node live in 1 location/).waitFor(WAIT);
  await shot(page, 'desktop-nodes');
  await audit(page, 'nodes, desktop', 'desktop-nodes-dark');
  ok('the nodes page lists this node, live');

  // A device that lists locations: its page shows the history as one location saw it, on request.
  {
    const jwt = await page.evaluate(() => localStorage.getItem('token'));
    const putLocations = (locations) =>
      fetch(`${origin}/devices/${printerPage.split('/').pop()}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ locations }),
      });
    const listed = await putLocations(['default']);
    if (listed.status !== 200) throw new Error(`PUT locations answered ${listed.status}`);
    await page.evaluate((hash) => { location.hash = hash; }, printerPage);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
    await page.getByRole('combobox', { name: /Seen from/ }).selectOption('default');
    await page.getByRole('heading', { name: 'Status changes seen from default' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Round-trip time and loss seen from default' }).waitFor(WAIT);
    await audit(page, 'device page, seen from a location, desktop');
    const desktopSize = page.viewportSize();
    await page.setViewportSize(PHONE);
    await audit(page, 'device page, seen from a location, phone');
    await page.setViewportSize(desktopSize);
    const unlisted = await putLocations(null);
    if (unlisted.status !== 200) throw new Error(`PUT locations null answered ${unlisted.status}`);
    ok('a device that lists locations offers each one\'s view of its chart, uptime and status changes (audited at desktop and phone width)');
  }

  // Importing devices from CSV: the preview refuses a bad file before anything is sent.
  await nav(page, 'Devices');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByRole('heading', { level: 1, name: 'Import devices' }).waitFor(WAIT);
  const badCsv = [
    'name,ip,room,monitored,check_port,parent_ip',
    'lab router,127.0.0.90,Lab,,,',
    'lab camera,127.0.0.91,Lab,yes,,127.0.0.90',
    'lab sensor,127.0.0.300,Lab,no,,',
    'web,127.0.0.1,,,8000,',
  ].join('\r\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'lab.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
  const problems = page.getByRole('list', { name: 'Problems found' });
  await problems.getByText('“127.0.0.300” is not a valid IPv4 or IPv6 address.').waitFor(WAIT);
  await problems.getByText('127.0.0.1 is already in use by gateway.').waitFor(WAIT);
  await page.locator('tr.bad-row[data-row="2"] td.bad-cell[data-field="ip"]').waitFor(WAIT);
  const importButton = page.getByRole('button', { name: 'Import 4 devices' });
  if (!(await importButton.isDisabled())) throw new Error('Import is offered for a file with problems');
  if (bulkRequests.length) throw new Error('the bad file was sent');
  await shot(page, 'desktop-import-errors');
  await audit(page, 'import, with problems', 'desktop-import-errors-dark');
  ok(`a CSV with a bad address and one in use is refused in the preview, row by row ("${(await problems.locator('li').first().textContent()).trim()}"); nothing is sent`);

  const goodCsv = [
    'name,ip,room,monitored,check_port,parent_ip',
    'lab router,127.0.0.90,Lab,,,',
    'lab camera,127.0.0.91,Lab,yes,,127.0.0.90',
    'lab sensor,127.0.0.92,Lab,no,,',
    '"web, port 8000",127.0.0.93,,,8000,',
  ].join('\r\n');
  await page.getByLabel('The text of lab.csv (fix it here if need be)').fill(goodCsv);
  await page.getByText('4 devices', { exact: true }).waitFor(WAIT);
  await page.locator('.room-names', { hasText: 'Lab (3 devices)' }).waitFor(WAIT);
  await shot(page, 'desktop-import-preview');
  await audit(page, 'import, ready');
  await importButton.click();
  await page.getByText('4 devices created (and 1 new room).').waitFor(WAIT);
  if (bulkRequests.length !== 1) throw new Error(`${bulkRequests.length} requests to /devices/bulk`);
  const sent = bulkRequests[0];
  // As typed into the box, whose line ends a browser reads as LF.
  if (sent.method() !== 'POST' || !sent.headers()['content-type'].startsWith('text/csv') || sent.postData() !== goodCsv.replace(/\r\n/g, '\n')) {
    throw new Error(`unexpected import request: ${sent.method()} ${sent.headers()['content-type']}`);
  }
  await shot(page, 'desktop-import-done');
  await page.getByRole('link', { name: 'See them in the devices list' }).click();
  await page.getByRole('heading', { name: 'Lab' }).waitFor(WAIT);
  for (const ip of ['127.0.0.90', '127.0.0.91', '127.0.0.92', '127.0.0.93']) await deviceRow(page, ip).waitFor(WAIT);
  await page.locator('[data-device-ip="127.0.0.91"][data-unreachable-via="lab router"]').waitFor(WAIT);
  ok('the corrected CSV, sent as text/csv, creates 4 devices and the room Lab; the camera reads "Unreachable via lab router"');

  // What only the server can know: an address taken after the page read the
  // list (an unmonitored device, so no status message tells the page). Its
  // 422 is shown on the row and column it names.
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByLabel('Or paste the CSV here').fill('name,ip\nlate scanner,127.0.0.95\n');
  await page.getByText('1 device', { exact: true }).waitFor(WAIT);
  const jwt = await page.evaluate(() => localStorage.getItem('token'));
  const taken = await fetch(`${origin}/devices/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'late arrival', ip: '127.0.0.95', monitored: false }),
  });
  if (taken.status !== 201) throw new Error(`POST /devices/ answered ${taken.status}`);
  await page.getByRole('button', { name: 'Import 1 device' }).click();
  const refusedList = page.getByRole('list', { name: 'Problems gatewatch found' });
  await refusedList.locator('li[data-row="0"][data-field="ip"]').waitFor(WAIT);
  await page.getByText('gatewatch refused the import for the problems below: nothing was created.').waitFor(WAIT);
  await page.locator('tr.bad-row[data-row="0"] td.bad-cell[data-field="ip"]').waitFor(WAIT);
  await shot(page, 'desktop-import-refused');
  await audit(page, 'import, refused by the server');
  ok(`the server's 422 is shown on its row and column: "${(await refusedList.locator('li').first().textContent()).trim()}"`);

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Devices' }).click();
  await deviceRow(page, '127.0.0.1').waitFor(WAIT);
  await page.getByRole('button', { name: /Disconnected/ }).first().click();
  await page.waitForFunction(() => location.hash.includes('status=disconnected'), null, WAIT);
  await deviceRow(page, '127.0.0.1').waitFor({ state: 'detached', ...WAIT });
  await page.getByPlaceholder('Search name or IP').fill('print');
  await deviceRow(page, '127.0.0.66').waitFor(WAIT);
  ok('the counts filter by status, the search by name; the view is kept in the URL');

  // A room that still has devices cannot be deleted, and the page says why.
  await page.getByRole('button', { name: 'Delete room Server room' }).click();
  await page.getByRole('dialog').getByText('move or delete them first').waitFor(WAIT);
  await audit(page, 'delete room, refused');
  if (await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).count()) {
    throw new Error('a room with devices offers a Delete button');
  }
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  ok('deleting a room with devices is refused with the reason');

  // The session ends while the user is on a filtered view: back to login, then back to the view.
  const view = await page.evaluate(() => location.hash);
  await page.evaluate((token) => localStorage.setItem('token', token), expiredToken('operator'));
  await page.getByRole('button', { name: 'Add device', exact: true }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('late');
  await page.getByRole('dialog').getByLabel('IP address').fill('127.0.0.88');
  await page.getByRole('dialog').getByRole('button', { name: 'Add device' }).click();
  await page.getByText('Your session has expired or was refused').waitFor(WAIT);
  await shot(page, 'desktop-session-expired');
  await audit(page, 'login, session expired');
  if ((await page.evaluate(() => location.hash)) !== view) throw new Error('the view was lost at logout');
  await logIn(page, 'operator');
  if ((await page.evaluate(() => location.hash)) !== view) throw new Error('login did not return to the view');
  await deviceRow(page, '127.0.0.66').waitFor(WAIT);
  ok('an expired token returns to the login screen with a message, and logging in returns to the same view');

  await page.evaluate(() => { location.hash = '#/'; });
  await deviceRow(page, '127.0.0.77').waitFor(WAIT);
  await page.getByRole('button', { name: 'Delete spare switch' }).click();
  await page.getByRole('dialog').getByText('This cannot be undone').waitFor(WAIT);
  await audit(page, 'delete device');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await deviceRow(page, '127.0.0.77').waitFor({ state: 'detached', ...WAIT });
  ok('deleting a device asks first, then it is gone');

  // The first account from another machine needs the setup code from the
  // log. This test's browser is on loopback, where the server asks for none,
  // so the server's 403 is played by the browser in a context of its own.
  const askedContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const asked = await askedContext.newPage();
  await asked.route('**/users/', (route) =>
    route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ detail: 'Setup code required' }) }));
  await asked.goto(origin + '/');
  await asked.getByRole('tab', { name: 'Register' }).click();
  await asked.getByLabel('Username').fill('remote');
  await asked.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await asked.getByLabel('Repeat password').fill(PASSWORD);
  await asked.getByRole('button', { name: 'Register and log in' }).click();
  await asked.locator('.field', { has: asked.getByLabel('Setup code') }).getByText('Setup code required').waitFor(WAIT);
  await shot(asked, 'phone-register-setup-code');
  await audit(asked, 'register, setup code asked, phone');
  await askedContext.close();
  ok('when the server asks for the setup code, the register form shows the field with its message');

  // A viewer: registration after the first account gives the viewer role.
  const viewerContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const phone = await viewerContext.newPage();
  await phone.goto(origin + '/');
  await phone.getByRole('tab', { name: 'Register' }).click();
  await phone.getByLabel('Username').fill('watcher');
  await phone.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await phone.getByLabel('Repeat password').fill(PASSWORD);
  await shot(phone, 'phone-register');
  await phone.getByRole('button', { name: 'Register and log in' }).click();
  await phone.locator('.role', { hasText: 'viewer' }).waitFor(WAIT);
  await waitForStatus(phone, '127.0.0.1', 'connected');
  await waitForStatus(phone, '127.0.0.66', 'disconnected');
  for (const name of ['Add device', 'Add room', 'Edit', 'Delete', '+ Device']) {
    const n = await phone.getByRole('button', { name, exact: false }).filter({ hasText: name }).count();
    if (n !== 0) throw new Error(`a viewer sees ${n} "${name}" control(s)`);
  }
  await shot(phone, 'phone-overview-viewer');
  await audit(phone, 'overview, viewer, phone');
  for (const name of ['Users', 'API tokens', 'Import CSV']) {
    if (await phone.getByRole('link', { name, exact: true }).count()) throw new Error(`a viewer is offered "${name}"`);
  }
  ok('a viewer sees the devices and no edit controls');

  await phone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Notifiers' }).click();
  await phone.locator('[data-notifier="ops webhook"]').waitFor(WAIT);
  for (const name of ['Add notifier', 'Send test', 'Edit', 'Delete']) {
    const n = await phone.getByRole('button', { name, exact: false }).count();
    if (n !== 0) throw new Error(`a viewer sees ${n} "${name}" control(s) on the notifiers page`);
  }
  await phone.getByRole('button', { name: 'Show the last deliveries' }).click();
  await phone.locator('.delivery[data-status="delivered"]').first().waitFor(WAIT);
  await shot(phone, 'phone-notifiers-viewer');
  await audit(phone, 'notifiers, viewer, phone');
  ok('a viewer sees the notifiers and their deliveries, read-only');

  const adminPhone = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })).newPage();
  watch(adminPhone);
  await adminPhone.goto(origin + '/');
  await logIn(adminPhone, 'operator');
  await waitForStatus(adminPhone, '127.0.0.66', 'disconnected');
  await shot(adminPhone, 'phone-overview-admin');
  await audit(adminPhone, 'overview, admin, phone', 'phone-overview-admin-dark');
  await adminPhone.getByRole('button', { name: 'Edit printer' }).click();
  await shot(adminPhone, 'phone-device-form');
  await audit(adminPhone, 'device form, phone');
  await adminPhone.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  ok('the overview and the device form fit a phone');

  await deviceRow(adminPhone, '127.0.0.66').locator('.ip').click();
  await adminPhone.getByRole('heading', { level: 1, name: 'printer' }).waitFor(WAIT);
  const phoneChart = await waitForChart(adminPhone);
  await eventItems(adminPhone).first().waitFor(WAIT);
  await adminPhone.locator('.locations-table tr[data-location]').first().waitFor(WAIT);
  if (await adminPhone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) {
    throw new Error('the device page is wider than the phone');
  }
  await shot(adminPhone, 'phone-device');
  await audit(adminPhone, 'device page, phone', 'phone-device-dark');
  ok(`the device page fits a phone, its chart ${Math.round(phoneChart.width)} px wide`);

  await adminPhone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Notifiers' }).click();
  const phoneCard = adminPhone.locator('[data-notifier="ops webhook"]');
  await phoneCard.getByRole('button', { name: 'Show the last deliveries' }).click();
  await phoneCard.locator('.delivery[data-status="delivered"]').first().waitFor(WAIT);
  if (await adminPhone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) {
    throw new Error('the notifiers page is wider than the phone');
  }
  await shot(adminPhone, 'phone-notifiers');
  await audit(adminPhone, 'notifiers, admin, phone', 'phone-notifiers-dark');
  await adminPhone.getByRole('button', { name: 'Edit notifier ops webhook' }).click();
  await shot(adminPhone, 'phone-notifier-form');
  await audit(adminPhone, 'notifier form, phone');
  await adminPhone.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  ok('the notifiers page and its form fit a phone');

  const fitsPhone = async (p, what) => {
    if (await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) throw new Error(`${what} is wider than the phone`);
  };
  await adminPhone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Users', exact: true }).click();
  await adminPhone.locator('[data-user="auditor"]').getByText('Disabled', { exact: true }).waitFor(WAIT);
  await fitsPhone(adminPhone, 'the users page');
  await shot(adminPhone, 'phone-users');
  await audit(adminPhone, 'users, phone', 'phone-users-dark');
  await adminPhone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'API tokens', exact: true }).click();
  await adminPhone.locator('[data-token="prometheus"]').waitFor(WAIT);
  await fitsPhone(adminPhone, 'the API tokens page');
  await shot(adminPhone, 'phone-api-tokens');
  await adminPhone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Nodes', exact: true }).click();
  await adminPhone.locator('article.node[data-live="true"]').waitFor(WAIT);
  await fitsPhone(adminPhone, 'the nodes page');
  await shot(adminPhone, 'phone-nodes');
  await audit(adminPhone, 'nodes, phone', 'phone-nodes-dark');
  await adminPhone.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'API tokens', exact: true }).click();
  await adminPhone.locator('[data-token="prometheus"]').waitFor(WAIT);
  await audit(adminPhone, 'API tokens, phone');
  await adminPhone.getByRole('button', { name: 'Create token' }).click();
  await adminPhone.getByRole('dialog').getByLabel('Name').fill('backup script');
  await adminPhone.getByRole('dialog').getByLabel('Role').selectOption('admin');
  await adminPhone.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
  await adminPhone.getByRole('dialog').getByLabel('Token (admin)').waitFor(WAIT);
  await fitsPhone(adminPhone, 'the new token dialog');
  await shot(adminPhone, 'phone-api-token-created');
  await audit(adminPhone, 'API token shown once, phone');
  await adminPhone.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
  await adminPhone.locator('[data-token="backup script"]').getByRole('button', { name: 'Delete API token backup script' }).click();
  await adminPhone.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await adminPhone.locator('[data-token="backup script"]').waitFor({ state: 'detached', ...WAIT });
  await adminPhone.evaluate(() => { location.hash = '#/import'; });
  await adminPhone.getByRole('heading', { level: 1, name: 'Import devices' }).waitFor(WAIT);
  await adminPhone.getByLabel('Or paste the CSV here').fill(badCsv.replace('127.0.0.90', '127.0.0.94'));
  await adminPhone.getByRole('list', { name: 'Problems found' }).waitFor(WAIT);
  await fitsPhone(adminPhone, 'the import page');
  await adminPhone.getByRole('region', { name: /rows/ }).scrollIntoViewIfNeeded();
  await shot(adminPhone, 'phone-import');
  await audit(adminPhone, 'import, phone', 'phone-import-dark');
  await adminPhone.getByRole('link', { name: /Your account/ }).click();
  await adminPhone.getByRole('heading', { level: 1, name: 'Your account' }).waitFor(WAIT);
  await fitsPhone(adminPhone, 'the account page');
  await shot(adminPhone, 'phone-account');
  await audit(adminPhone, 'account, phone', 'phone-account-dark');
  ok('the users, API tokens (and a new token), import and account pages fit a phone');

  // /docs: Swagger UI over the binary's own document, from the binary's
  // files only; Authorize with the admin's password, then "Try it out".
  const docs = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  watch(docs);
  const docsElsewhere = [];
  docs.on('request', (r) => !r.url().startsWith(origin) && docsElsewhere.push(r.url()));
  await docs.goto(origin + '/docs');
  await docs.getByRole('heading', { level: 1, name: 'gatewatch API' }).waitFor(WAIT);
  const listRooms = docs.locator('.opblock-get', { has: docs.locator('[data-path="/rooms"]') });
  await listRooms.waitFor(WAIT);
  if ((await docs.title()) !== 'gatewatch API documentation') throw new Error(`/docs is titled "${await docs.title()}"`);
  await shot(docs, 'desktop-docs');
  await audit(docs, 'API documentation');
  await docs.getByRole('button', { name: 'Authorize', exact: true }).click();
  const authorize = docs.getByRole('dialog', { name: 'Available authorizations' });
  await authorize.getByText('OAuth2PasswordBearer (OAuth2, password)').waitFor(WAIT);
  await authorize.getByLabel('username:').fill('operator');
  await authorize.getByLabel('password:').fill(PASSWORD);
  await audit(docs, 'API documentation, Authorize');
  await authorize.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
  await authorize.getByText('Authorized', { exact: true }).waitFor(WAIT);
  await shot(docs, 'desktop-docs-authorized');
  await authorize.getByRole('button', { name: 'Close' }).first().click();
  await authorize.waitFor({ state: 'detached', ...WAIT });
  await listRooms.locator('.opblock-summary-control').click();
  await listRooms.getByRole('button', { name: 'Try it out' }).click();
  await listRooms.getByRole('button', { name: 'Execute' }).click();
  const answer = listRooms.locator('.live-responses-table .response');
  await answer.locator('.response-col_status', { hasText: /^200$/ }).waitFor(WAIT);
  const answered = await answer.locator('.response-col_description').innerText();
  for (const room of ['"Server room"', '"Lab"']) {
    if (!answered.includes(room)) throw new Error(`GET /rooms in /docs answered without ${room}: ${answered.slice(0, 300)}`);
  }
  await answer.scrollIntoViewIfNeeded();
  await shot(docs, 'desktop-docs-rooms');
  await audit(docs, 'API documentation, GET /rooms answered');
  if (docsElsewhere.length) throw new Error(`/docs asked elsewhere for ${docsElsewhere.join(', ')}`);
  ok('/docs shows the API; Authorize with the admin\'s password, then "Try it out" on GET /rooms answers 200 with the rooms; nothing is loaded from elsewhere');

  const phoneDocs = await (await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })).newPage();
  watch(phoneDocs);
  await phoneDocs.goto(origin + '/docs/');
  await phoneDocs.locator('.opblock-get', { has: phoneDocs.locator('[data-path="/rooms"]') }).waitFor(WAIT);
  await fitsPhone(phoneDocs, 'the API documentation');
  await shot(phoneDocs, 'phone-docs');
  await audit(phoneDocs, 'API documentation, phone');
  ok('/docs/ fits a phone');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You have logged out.').waitFor(WAIT);
  if (await page.evaluate(() => localStorage.getItem('token'))) throw new Error('the token outlived the logout');
  await shot(page, 'desktop-logged-out');
  await audit(page, 'login, logged out');
  ok('logging out forgets the token and shows the login screen');

  if (axeViolations.length) throw new Error(`axe found ${axeViolations.length} WCAG 2 A/AA violation(s):\n  ${axeViolations.join('\n  ')}`);
  ok('axe finds no WCAG 2 A/AA violation on any screen, light or dark');

  if (consoleErrors.length) throw new Error(`the page logged errors: ${consoleErrors.join(' | ')}`);
  ok('no errors in the page (a Content-Security-Policy violation would be one)');
  console.log(`# screenshots in ${SHOTS}`);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.log(`not ok ${step + 1} - ${error.stack || error}`);
  console.log('# last server log lines:\n' + serverLog.slice(-30).map((l) => `#   ${l}`).join('\n'));
  for (const context of browser?.contexts() ?? []) {
    for (const [i, p] of context.pages().entries()) {
      await p.screenshot({ path: join(SHOTS, `failure-${i}.png`) }).catch(() => undefined);
    }
  }
  console.log(`# screenshots in ${SHOTS}`);
} finally {
  await browser?.close().catch(() => undefined);
  server?.kill('SIGTERM');
  receiver?.http.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
