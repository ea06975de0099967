// harness.mjs - the real components an e2e test runs against, started and stopped from Node.
//
// startStack() starts, each on a free loopback port and under a private temporary folder:
// redis-server (no persistence), gavel-gw (--web the built app, --problems the repository's
// problems/) and one gavel-judge worker (serve, 2 slots). Every child runs under coreutils
// `timeout`, so even if this process is killed (ctest's timeout) nothing outlives CHILD_MAX_S;
// stop() sends SIGTERM, then SIGKILL to what is left after STOP_GRACE_MS. Each child's output goes
// to a log file under the run folder, whose tail is printed when a test fails.
// The browser is Debian's /usr/bin/chromium with a fresh profile folder, never a downloaded one.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.env.E2E_NODE_MODULES || path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules'), '/'));
const { chromium } = require('playwright-core');

export const SRC = process.env.GAVEL_SOURCE_DIR;
export const BUILD = process.env.GAVEL_BUILD_DIR;
export const OUT = path.join(BUILD, 'e2e');

const CHILD_MAX_S = 960; // longer than the ctest TIMEOUT of e2e_app
const STOP_GRACE_MS = 3000;
const READY_MS = 60000;

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Polls check() every 100 ms until it returns true or ms pass; throws with what on time-out.
export async function waitFor(what, ms, check) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

// Children still running when this process exits for any reason (a failed assertion that skipped
// the hooks, SIGTERM from ctest) are killed with their process group, synchronously.
const running = new Set();
const tempDirs = new Set(); // removed at exit too
process.on('exit', () => {
  for (const c of running) {
    try {
      process.kill(-c.proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(1));

class Child {
  constructor(name, argv, logDir) {
    this.name = name;
    this.argv = argv;
    this.log = path.join(logDir, `${name}.log`);
    this.proc = null;
  }

  start() {
    const fd = fs.openSync(this.log, 'a');
    fs.writeSync(fd, `--- start: ${this.argv.join(' ')}\n`);
    this.proc = spawn('timeout', ['-k', '5', String(CHILD_MAX_S), ...this.argv], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    running.add(this);
    this.exited = new Promise((r) => this.proc.once('exit', () => {
      running.delete(this);
      r();
    }));
  }

  alive() {
    return this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  // SIGKILL goes to the whole process group (timeout makes itself a group leader), since timeout
  // cannot catch it to pass it on; other signals go to timeout, which passes them to its child.
  signal(sig) {
    try {
      if (sig === 'SIGKILL') process.kill(-this.proc.pid, sig);
      else this.proc.kill(sig);
    } catch {
      this.proc.kill(sig);
    }
  }

  async stop(sig = 'SIGTERM') {
    if (!this.alive()) return;
    this.signal(sig);
    const done = await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!done && this.alive()) {
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  tail(lines = 40) {
    try {
      return fs.readFileSync(this.log, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

async function httpOk(url) {
  const res = await fetch(url, { cache: 'no-store' });
  return res.ok;
}

class Stack {
  constructor() {
    this.children = [];
  }

  // Starts everything; on any failure stops what was started and throws.
  async start() {
    fs.mkdirSync(OUT, { recursive: true });
    this.run = tempDir('gavel-e2e-');
    const redisPort = await freePort();
    this.gwPort = await freePort();
    this.redisUrl = `redis://127.0.0.1:${redisPort}`;
    this.base = `http://127.0.0.1:${this.gwPort}`;
    const problems = path.join(SRC, 'problems');

    this.redis = new Child('redis', ['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--dir', this.run], OUT);
    this.gateway = new Child('gateway', [path.join(BUILD, 'frontend-gw/gavel-gw'), '--listen', `127.0.0.1:${this.gwPort}`,
      '--redis', this.redisUrl, '--problems', problems, '--web', path.join(BUILD, 'web')], OUT);
    this.worker = new Child('worker', [path.join(BUILD, 'judge/gavel-judge'), 'serve', '--redis', this.redisUrl,
      '--problems', problems, '--slots', '2', '--id', `e2e-${process.pid}`], OUT);
    this.children = [this.redis, this.gateway, this.worker];
    for (const c of this.children) fs.rmSync(c.log, { force: true });
    this.redisPort = redisPort;
    try {
      await this.startRedis();
      this.worker.start();
      await this.startGateway();
      if (!this.worker.alive()) throw new Error('the worker exited at once');
    } catch (e) {
      await this.stop();
      throw new Error(`${e.message}\n${this.logs()}`);
    }
  }

  async startRedis() {
    this.redis.start();
    await waitFor('redis to answer PING', READY_MS, () =>
      execFileSync('redis-cli', ['-p', String(this.redisPort), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .includes('PONG'));
  }

  async killRedis() {
    await this.redis.stop('SIGKILL');
  }

  async startGateway() {
    this.gateway.start();
    await waitFor('gavel-gw to answer /healthz', READY_MS, async () => {
      if (!this.gateway.alive()) throw new Error('gateway exited');
      return httpOk(`${this.base}/healthz`);
    });
  }

  async killGateway() {
    await this.gateway.stop('SIGKILL');
  }

  async stop() {
    for (const c of this.children.slice().reverse()) await c.stop();
    if (this.run) fs.rmSync(this.run, { recursive: true, force: true });
  }

  logs() {
    return this.children.map((c) => `--- ${c.name} (${c.log}), last lines:\n${c.tail()}`).join('\n');
  }
}

export async function startStack() {
  const stack = new Stack();
  await stack.start();
  return stack;
}

// A fresh headless Chromium with its own profile folder; returns { context, page, close }.
export async function startBrowser(viewport = { width: 1280, height: 900 }) {
  const profile = tempDir('gavel-e2e-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    timeout: READY_MS,
  });
  context.setDefaultTimeout(READY_MS);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The number of tests of a problem package: its sample and secret .in files (DESIGN.md).
export function countTests(problemDir) {
  let n = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.in')) n += 1;
    }
  };
  for (const part of ['sample', 'secret']) {
    const dir = path.join(problemDir, 'data', part);
    if (fs.existsSync(dir)) walk(dir);
  }
  return n;
}

// The judge's own verdict for a file, from `gavel-judge check --json` (no Redis, no gateway): the
// oracle the page is compared with.
export function judgeCheck(problemDir, source, language) {
  const out = execFileSync(path.join(BUILD, 'judge/gavel-judge'),
    ['check', problemDir, source, '--language', language, '--json'], { encoding: 'utf8', timeout: 120000 });
  try {
    return JSON.parse(out);
  } catch {
    const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
    return JSON.parse(line);
  }
}
