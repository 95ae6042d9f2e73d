// Benchmark (run by bench/dashboard.sh, not a test): the dashboard with many
// devices in Debian's chromium. Prints figures; asserts nothing.
//   - load: from navigation to every device counted and the list drawn;
//   - how many rows the list mounts, and the JS heap;
//   - flips: a block of devices is made reachable and unreachable again
//     (by the caller's FLIP_CMD), and the time from the flip to the first
//     row in view changing on screen is taken, while long tasks (> 50 ms, the
//     browser's own measure of a janky page) are counted.
import { execSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const { ORIGIN, TOKEN, DEVICES, FLIP_ON, FLIP_OFF, WATCH_IP } = process.env;
const total = Number(DEVICES);
const flips = Number(process.env.FLIPS || 6);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await page.addInitScript((token) => {
  localStorage.setItem('token', token);
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}, TOKEN);

const started = Date.now();
await page.goto(ORIGIN + '/#/?sort=status');
await page.waitForFunction((n) => {
  const sum = [...document.querySelectorAll('[data-count] .count-number')].reduce((a, e) => a + Number(e.textContent), 0);
  return sum === n && document.querySelector('[data-device-ip]') !== null;
}, total, { timeout: 120_000 });
const loadMs = Date.now() - started;
const loadLong = await page.evaluate(() => window.__longTasks.splice(0));
const mounted = await page.evaluate(() => document.querySelectorAll('[role=listitem]').length);
const heapMb = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : NaN));
console.log(`load: ${loadMs} ms to ${total} devices counted and drawn; longest task ${Math.round(Math.max(0, ...loadLong))} ms`);
console.log(`list: ${mounted} rows mounted of ${total + 0} devices; JS heap ${heapMb.toFixed(1)} MB`);

const latencies = [];
for (let i = 0; i < flips; i += 1) {
  const up = i % 2 === 0;
  const want = up ? 'connected' : 'disconnected';
  const t0 = Date.now();
  execSync(up ? FLIP_ON : FLIP_OFF);
  await page.waitForSelector(`[data-device-ip="${WATCH_IP}"][data-status="${want}"]`, { timeout: 60_000 });
  latencies.push(Date.now() - t0);
}
const flipLong = await page.evaluate(() => window.__longTasks.splice(0));
latencies.sort((a, b) => a - b);
console.log(`flips: ${flips}, flip to screen p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms (probe interval included)`);
console.log(`long tasks during flips: ${flipLong.length}, longest ${Math.round(Math.max(0, ...flipLong))} ms, total ${Math.round(flipLong.reduce((a, b) => a + b, 0))} ms`);
await browser.close();
