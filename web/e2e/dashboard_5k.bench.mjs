// Benchmark (run by bench/dashboard.sh, not a test): the dashboard with many
// devices in Debian's chromium. Prints figures; fails only when the page
// does not keep up (a timeout) or a row disagrees with the counts.
//   - load: from navigation to every device counted and the list drawn;
//   - how many rows the list mounts, and the JS heap;
//   - flips: a block of FLIPPED devices is made reachable and unreachable
//     again (by the caller's FLIP_ON and FLIP_OFF), and the time from the flip
//     to the counts on screen first moving, and to their showing the whole
//     block flipped, is taken (the counts, not a row: sorted by status, a
//     flipped row leaves the rows in view once a room holds more than a
//     screenful of down devices), while long tasks (> 50 ms, the browser's
//     own measure of a janky page) are counted (apart: those between the
//     load and the flips, while the snapshot is applied); WATCH_IP's row,
//     when in view, must then show the new status;
//   - the status socket: whether the server speaks deltas (its first message
//     is {"snapshot": ...}), and the messages and bytes received during the
//     flips; the main thread's busy time (script, and all tasks) meanwhile.
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const { ORIGIN, TOKEN, DEVICES, FLIP_ON, FLIP_OFF, WATCH_IP } = process.env;
const flipped = Number(process.env.FLIPPED);
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

// The status socket's traffic, counted in the page (in characters: bytes for
// this ASCII JSON), with each message's arrival time and each change of the
// disconnected count on screen, to split a flip's latency into the server's
// (flip to the message) and the page's (message to screen).
await page.addInitScript(() => {
  window.__socket = { first: null, messages: 0, bytes: 0 };
  window.__arrivals = [];
  window.__downChanges = [];
  let shown = null;
  new MutationObserver(() => {
    const n = document.querySelector('[data-count="disconnected"] .count-number')?.textContent;
    if (n !== undefined && n !== shown) {
      shown = n;
      window.__downChanges.push(performance.now());
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (!String(args[0]).includes('/ws/status')) return;
      this.addEventListener('message', (event) => {
        const s = window.__socket;
        const data = String(event.data);
        const kind = data.startsWith('{"snapshot"') ? 'snapshot' : /^\{("changed"|"removed")/.test(data) ? 'delta' : data === '{}' ? 'heartbeat' : 'whole object';
        window.__arrivals.push({ t: performance.now(), bytes: data.length, kind });
        if (s.first === null) s.first = data.slice(0, 12);
        s.messages += 1;
        s.bytes += data.length;
        if (data.startsWith('{"snapshot"')) s.snapshots = (s.snapshots ?? 0) + 1;
      });
    }
  };
});
const socketNow = () => page.evaluate(() => ({ ...window.__socket }));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const busy = async () => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { script: get('ScriptDuration'), task: get('TaskDuration') };
};

// PROFILE=<file>: a CPU profile of the page from navigation to the end of
// the flips, for chrome://inspect or `node --cpu-prof`'s viewers.
if (process.env.PROFILE) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

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

// The counts add up as soon as the list is in (as unknown): wait for the socket too.
await page.waitForFunction(() => window.__socket.messages > 0, null, { timeout: 120_000 });
let socket = await socketNow();
console.log(`socket: first message ${JSON.stringify(socket.first)} (${socket.first?.startsWith('{"snapshot"') ? 'deltas' : 'whole objects'}), ${(socket.bytes / 1e6).toFixed(1)} MB in ${socket.messages} messages so far`);

const downCount = () => page.evaluate(() => Number(document.querySelector('[data-count="disconnected"] .count-number').textContent));
// Every device probed (none unknown) before the first flip.
await page.waitForFunction(() => Number(document.querySelector('[data-count="unknown"] .count-number').textContent) === 0, null, { timeout: 60_000 });
const downAtRest = await downCount();
// Between the load and the flips the snapshot is applied (the counts add up
// before it, with every device unknown): its long tasks apart from the flips'.
const settleLong = await page.evaluate(() => window.__longTasks.splice(0));
console.log(`long tasks after the load, until every device is probed (the snapshot applied): ${settleLong.length}, longest ${Math.round(Math.max(0, ...settleLong))} ms`);
const firstMoves = [];
const latencies = [];
const serverParts = [];
const pageParts = [];
const movers = [];
const flipsStarted = Date.now();
const socketBefore = await socketNow();
const busyBefore = await busy();
for (let i = 0; i < flips; i += 1) {
  const up = i % 2 === 0;
  const want = up ? 'connected' : 'disconnected';
  const from = up ? downAtRest : downAtRest - flipped;
  const to = up ? downAtRest - flipped : downAtRest;
  const t0 = Date.now();
  const t0Page = await page.evaluate(() => performance.now());
  execSync(up ? FLIP_ON : FLIP_OFF);
  const wait = (done) =>
    page.waitForFunction(([f, t, d]) => {
      const n = Number(document.querySelector('[data-count="disconnected"] .count-number').textContent);
      return d ? n === t : n !== f;
    }, [from, to, done], { timeout: 60_000, polling: 50 }); // not every frame: the polling would count as the page's work
  const counts = () => page.evaluate(() => [...document.querySelectorAll('[data-count]')].map((e) => `${e.dataset.count} ${e.querySelector('.count-number').textContent}`).join(', '));
  const or = async (what, done) => {
    try {
      await wait(done);
    } catch (error) {
      throw new Error(`flip ${i + 1} (${want}): the disconnected count never ${what} (${from} -> ${to}); shown: ${await counts()}`, { cause: error });
    }
  };
  await or('moved', false);
  firstMoves.push(Date.now() - t0);
  const [server, shownAfter, message] = await page.evaluate((start) => {
    const moved = window.__downChanges.find((t) => t > start);
    const message = window.__arrivals.filter((m) => m.t > start && m.t <= moved).at(-1);
    return [message.t - start, moved - message.t, message];
  }, t0Page);
  serverParts.push(Math.round(server));
  pageParts.push(Math.round(shownAfter));
  movers.push(`${message.kind} ${Math.round(message.bytes / 1e3)} kB`);
  await or('reached its end', true);
  latencies.push(Date.now() - t0);
  const row = await page.$(`[data-device-ip="${WATCH_IP}"]`);
  const shown = row && (await row.getAttribute('data-status'));
  if (shown && shown !== want) throw new Error(`${WATCH_IP} shows ${shown} after the counts say ${want}`);
}
const flipLong = await page.evaluate(() => window.__longTasks.splice(0));
socket = await socketNow();
const busyAfter = await busy();
const flipSeconds = (Date.now() - flipsStarted) / 1000;
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`flips: ${flips} of ${flipped} devices; flip to the counts first moving p50 ${p50(firstMoves)} ms, max ${Math.max(...firstMoves)} ms; to all ${flipped} shown p50 ${p50(latencies)} ms, max ${Math.max(...latencies)} ms (probe interval included)`);
console.log(`  of which flip to the message that moved the counts (the server) p50 ${p50(serverParts)} ms, max ${Math.max(...serverParts)} ms; that message to the counts on screen (the page) p50 ${p50(pageParts)} ms, max ${Math.max(...pageParts)} ms; those messages: ${movers.join(', ')}`);
const longest = (xs) => [...xs].sort((a, b) => b - a).slice(0, 5).map(Math.round).join(', ');
console.log(`long tasks during flips: ${flipLong.length}, longest ${Math.round(Math.max(0, ...flipLong))} ms, total ${Math.round(flipLong.reduce((a, b) => a + b, 0))} ms${flipLong.length > 1 ? ` (the longest: ${longest(flipLong)} ms)` : ''}`);
const received = socket.bytes - socketBefore.bytes;
console.log(`socket during flips: ${socket.messages - socketBefore.messages} messages (${(socket.snapshots ?? 0) - (socketBefore.snapshots ?? 0)} of them snapshots), ${(received / 1e3).toFixed(0)} kB in ${flipSeconds.toFixed(1)} s (${(received / 1e3 / flipSeconds).toFixed(0)} kB/s)`);
const ms = (k) => Math.round((busyAfter[k] - busyBefore[k]) * 1000);
console.log(`main thread during flips: script ${ms('script')} ms, all tasks ${ms('task')} ms (${Math.round(ms('task') / flipSeconds / 10)}% busy)`);
if (process.env.PROFILE) {
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  console.log(`profile: ${process.env.PROFILE}`);
}
await browser.close();
