// model.js - the state of one submission as the page knows it, and how each message changes it.
//
// The gateway sends (DESIGN.md, "WebSocket protocol") a snapshot after every subscribe, then
// status, tests and final messages, each with a per-submission seq. The rules that make this safe
// across reconnects, reloads and duplicate deliveries:
//   - a snapshot replaces the whole state unless it is older (lower seq) than what we have;
//   - a status or tests message is applied only when its seq is above ours;
//   - tests are merged by test number n, so a test seen twice is shown once;
//   - a final is the whole result: it is applied whatever its seq, and nothing changes it after.
// GET /api/submissions/{id} answers are applied like a snapshot.

const LIVE = new Set(['queued', 'compiling', 'running']);

export function newSubmission(id) {
  return {
    id, status: 'queued', verdict: null, score: null, timeMs: null, memoryKib: null,
    compileOutput: '', tests: new Map(), total: null, seq: -1, final: false, message: '',
  };
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function normTest(t, i) {
  return {
    n: num(t.n) ?? i + 1,
    group: t.group || '',
    verdict: t.verdict || '',
    timeMs: num(t.time_ms),
    memoryKib: num(t.memory_kib),
  };
}

function mergeTests(s, tests) {
  if (!Array.isArray(tests)) return;
  tests.forEach((t, i) => {
    if (t && typeof t === 'object') s.tests.set(normTest(t, i).n, normTest(t, i));
  });
}

// Copies the fields of a whole-result object (snapshot, final, GET answer) into s.
function applyResult(s, r) {
  const res = r.result && typeof r.result === 'object' ? { ...r.result, ...r } : r;
  if (typeof res.status === 'string') s.status = res.status;
  if (typeof res.verdict === 'string' && res.verdict) s.verdict = res.verdict;
  s.score = num(res.score) ?? s.score;
  s.timeMs = num(res.time_ms) ?? s.timeMs;
  s.memoryKib = num(res.memory_kib) ?? s.memoryKib;
  s.total = num(res.total) ?? num(res.tests_total) ?? s.total;
  if (typeof res.compile_output === 'string') s.compileOutput = res.compile_output;
  if (typeof res.message === 'string') s.message = res.message;
  if (Array.isArray(res.tests)) {
    s.tests = new Map();
    mergeTests(s, res.tests);
  }
  if (typeof res.source === 'string') s.source = res.source;
  if (typeof res.language === 'string') s.language = res.language;
  if (typeof res.problem === 'string') s.problem = res.problem;
  if (s.verdict && !LIVE.has(s.status)) s.final = true;
}

// Applies one WebSocket message or GET answer to s. Returns true when s changed.
export function applyMessage(s, msg) {
  if (!msg || typeof msg !== 'object') return false;
  const seq = num(msg.seq);
  if (msg.type === 'final') {
    if (s.final && s.seq >= (seq ?? -1)) return false;
    applyResult(s, msg);
    s.final = true;
    if (!s.verdict) s.verdict = 'JE';
  } else if (s.final) {
    return false;
  } else if (msg.type === 'snapshot' || msg.type === undefined) {
    if (seq !== null && seq < s.seq) return false;
    applyResult(s, msg);
  } else if (msg.type === 'status') {
    if (seq !== null && seq <= s.seq) return false;
    if (typeof msg.status === 'string') s.status = msg.status;
  } else if (msg.type === 'tests') {
    if (seq !== null && seq <= s.seq) return false;
    s.total = num(msg.total) ?? s.total;
    mergeTests(s, msg.tests);
    if (s.status !== 'running') s.status = 'running';
  } else {
    return false;
  }
  if (seq !== null && seq > s.seq) s.seq = seq;
  return true;
}

export function isLive(s) {
  return !s.final;
}

// The tests in order of n.
export function testList(s) {
  return [...s.tests.values()].sort((a, b) => a.n - b.n);
}
