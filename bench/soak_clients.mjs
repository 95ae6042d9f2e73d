// The soak benchmark's clients (run by bench/soak.sh with node
// --experimental-websocket): CLIENTS status WebSockets held for the whole
// run, and a login every LOGIN_MS. Every unexpected close, socket error or
// failed login counts as an error. Prints one line at the end.
const { BASE, TOKEN, CLIENTS, SECONDS, LOGIN_MS } = process.env;
const wsBase = BASE.replace('http', 'ws');
let messages = 0;
let errors = 0;
let opened = 0;
let logins = 0;
const sockets = [];
let ending = false;

function open(i) {
  const ws = new WebSocket(`${wsBase}/ws/status/?token=${TOKEN}`);
  ws.onopen = () => { opened += 1; };
  ws.onmessage = () => { messages += 1; };
  ws.onerror = () => { if (!ending) errors += 1; };
  ws.onclose = () => {
    if (ending) return;
    errors += 1;
    setTimeout(() => open(i), 1000);
  };
  sockets[i] = ws;
}

for (let i = 0; i < Number(CLIENTS); i += 1) {
  open(i);
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
}

const loginTimer = setInterval(async () => {
  try {
    const r = await fetch(`${BASE}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=soak&password=soak-password',
    });
    await r.text();
    if (r.status === 200) logins += 1;
    else errors += 1;
  } catch {
    errors += 1;
  }
}, Number(LOGIN_MS));

await new Promise((r) => setTimeout(r, Number(SECONDS) * 1000));
ending = true;
clearInterval(loginTimer);
for (const ws of sockets) ws.close();
console.log(`clients: ${opened} sockets opened (${CLIENTS} wanted), ${messages} messages, ${logins} logins, ${errors} errors`);
process.exit(0);
