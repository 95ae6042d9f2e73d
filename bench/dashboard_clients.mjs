// The server's side of the dashboard benchmark (run by bench/dashboard.sh
// after the page's run, with node --experimental-websocket, inside the
// bench's namespace): the gatewatch process's CPU (/proc/PID/stat) over the
// same fixed window with no dashboard, one, and ten, in the same run.
//
// A dashboard here is what a page costs the server, not a browser (ten
// chromium pages would not fit the 2-core machine the bench runs on): the
// requests a page makes at load, in the page's order (GET / and the files
// it names, then /users/me, then /rooms/ and /devices/ beside the status
// socket /ws/status/?detail=true&delta=true with the page's token), and
// then that socket held and every message read as it arrives (not parsed:
// the server cannot tell, and ten parsers would take CPU from the server).
// During each window the same flips are made (FLIP_ON and FLIP_OFF, as in
// the page's run), so that the windows differ only by their dashboards.
//   env: BASE, TOKEN, PID, HZ (clock ticks a second), FLIP_ON, FLIP_OFF;
//        WINDOW (seconds, 30), FLIPS (flips a window, even, 4), DASHBOARDS (10)
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { BASE, TOKEN, PID, FLIP_ON, FLIP_OFF } = process.env;
const hz = Number(process.env.HZ || 100);
const windowS = Number(process.env.WINDOW || 30);
const flipsPerWindow = Number(process.env.FLIPS || 4);
const many = Number(process.env.DASHBOARDS || 10);
const auth = { Authorization: `Bearer ${TOKEN}` };

// The process's user and system time, in seconds. The fields after the
// command name (which is in parentheses and could hold spaces): utime and
// stime are the 12th and 13th.
function cpuSeconds() {
  const stat = readFileSync(`/proc/${PID}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / hz;
}

async function get(path, headers = {}) {
  const response = await fetch(BASE + path, { headers });
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return body;
}

class Dashboard {
  messages = 0;
  bytes = 0;
  snapshots = 0; // after the first message: the server found us behind
  closed = false;

  // Resolves once the page would be drawn: every request answered and the
  // socket's first message (the snapshot) in.
  async load() {
    const page = new TextDecoder().decode(await get('/'));
    const files = [...page.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]);
    await Promise.all(files.map((f) => get(f)));
    await get('/users/me', auth);
    const snapshot = new Promise((resolve, reject) => {
      const ws = new WebSocket(`${BASE.replace('http', 'ws')}/ws/status/?detail=true&delta=true&token=${encodeURIComponent(TOKEN)}`);
      this.socket = ws;
      ws.onmessage = (event) => {
        const data = String(event.data);
        if (this.messages === 0) {
          if (!data.startsWith('{"snapshot"')) reject(new Error(`first message ${data.slice(0, 20)}: not a snapshot`));
          resolve();
        } else if (data.startsWith('{"snapshot"')) this.snapshots += 1;
        this.messages += 1;
        this.bytes += data.length;
      };
      ws.onclose = () => {
        this.closed = true;
        reject(new Error('socket closed before its snapshot'));
      };
      ws.onerror = () => reject(new Error('socket error'));
    });
    await Promise.all([get('/rooms/', auth), get('/devices/', auth), snapshot]);
  }

  close() {
    this.socket.onclose = null;
    this.socket.close();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Opens `n` dashboards at once; the server's CPU and the time until all are drawn.
async function open(n) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const dashboards = Array.from({ length: n }, () => new Dashboard());
  await Promise.all(dashboards.map((d) => d.load()));
  return { dashboards, cpu: cpuSeconds() - c0, wall: (performance.now() - t0) / 1000 };
}

// A window of windowS seconds with flipsPerWindow flips evenly spread (the
// last one back to where it started); the server's CPU share over it.
async function measure(dashboards) {
  await sleep(3000); // what the loads left queued settles
  const before = dashboards.map((d) => ({ messages: d.messages, bytes: d.bytes, snapshots: d.snapshots }));
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < flipsPerWindow; i += 1) {
    execSync(i % 2 === 0 ? FLIP_ON : FLIP_OFF);
    await sleep(t0 + ((i + 1) * windowS * 1000) / flipsPerWindow - performance.now());
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  const received = dashboards.map((d, i) => ({ messages: d.messages - before[i].messages, mb: (d.bytes - before[i].bytes) / 1e6, snapshots: d.snapshots - before[i].snapshots }));
  const closed = dashboards.filter((d) => d.closed).length;
  return { share: (100 * cpu) / wall, cpu, wall, received, closed };
}

const pct = (x) => `${x.toFixed(1)}%`;
const each = (r) => {
  if (r.received.length === 0) return '';
  const range = (xs, f) => {
    const [low, high] = [f(Math.min(...xs)), f(Math.max(...xs))];
    return low === high ? low : `${low}-${high}`;
  };
  return `; each socket ${range(r.received.map((x) => x.messages), String)} messages, ${range(r.received.map((x) => x.mb), (x) => x.toFixed(1))} MB, ${r.received.reduce((a, x) => a + x.snapshots, 0)} snapshots for falling behind, ${r.closed} closed`;
};

console.log(`server CPU (gatewatch's /proc/${PID}/stat, user + system, % of one core) over ${windowS} s windows with ${flipsPerWindow} flips each;`);
console.log(`  a dashboard = node doing a page's requests at load and holding its delta status socket (not chromium)`);
const none = await measure([]);
console.log(`  0 dashboards: ${pct(none.share)} (the probe engine and the rest of the server)`);

const one = await open(1);
console.log(`  1 dashboard loading: ${one.cpu.toFixed(2)} s CPU in ${one.wall.toFixed(1)} s`);
const oneWindow = await measure(one.dashboards);
console.log(`  1 dashboard: ${pct(oneWindow.share)}${each(oneWindow)}`);
for (const d of one.dashboards) d.close();
await sleep(1000);

const ten = await open(many);
console.log(`  ${many} dashboards loading at once: ${ten.cpu.toFixed(2)} s CPU in ${ten.wall.toFixed(1)} s`);
const tenWindow = await measure(ten.dashboards);
console.log(`  ${many} dashboards: ${pct(tenWindow.share)}${each(tenWindow)}`);
const perDashboard = (tenWindow.share - oneWindow.share) / (many - 1);
console.log(
  `  => ${many} dashboards cost the server ${pct(tenWindow.share)} of a core against ${pct(oneWindow.share)} with one ` +
    `(x${(tenWindow.share / oneWindow.share).toFixed(2)}); each dashboard past the first ${pct(perDashboard)}, ` +
    `the first ${pct(oneWindow.share - none.share)} over none`,
);
// What the sockets carry varies from run to run (the deltas hold every
// device whose RTT moved), and the server's cost with it: per MB pushed,
// runs compare.
const perMb = (r) => ((1000 * (r.cpu - (none.share / 100) * r.wall)) / r.received.reduce((a, x) => a + x.mb, 0)).toFixed(0);
console.log(`     over none, per MB pushed: ${perMb(oneWindow)} ms of CPU with one dashboard, ${perMb(tenWindow)} ms with ${many}`);
for (const d of ten.dashboards) d.close();
process.exit(0);
