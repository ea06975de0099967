// api.js - the gateway's HTTP API (DESIGN.md, "HTTP API") as async functions.
//
// Every failure becomes an ApiError with the HTTP status (0 when the server could not be reached at
// all), the API's error code, a sentence a person understands, and Retry-After in seconds when the
// server sent one. The sentences come from one table keyed by status, so no error is ever shown as a
// bare number or swallowed. Answers are also normalized here (normProblem, normLanguages), so the
// views do not care which of the spellings of a field the gateway used.

const TIMEOUT_MS = 15000;      // a request that takes longer is reported, not left hanging
const RETRY_AFTER_MAX = 3600;  // seconds; a larger or absurd Retry-After is capped

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// What each status means to the person at the keyboard; %m is the server's own message.
const STATUS_TEXT = {
  0: 'Cannot reach the Gavel server. Check that it is running and that you are online.',
  400: 'The server rejected the request: %m',
  404: 'Not found: %m',
  413: 'Your source is too large for this judge: %m',
  422: 'The server cannot accept this: %m',
  429: 'You are submitting too fast: %m',
  500: 'The server hit an internal error: %m',
  502: 'The gateway is down or restarting. Try again in a moment.',
  503: 'The judge is not taking submissions right now (queue full or database down): %m',
  504: 'The gateway did not answer in time. Try again in a moment.',
};

function describe(status, serverMessage, retryAfter) {
  let text = STATUS_TEXT[status] || `The server answered with HTTP ${status}: %m`;
  let m = (serverMessage || 'no details given').trim();
  if (!/[.!?]$/.test(m)) m += '.';
  text = text.replace('%m', m);
  if (retryAfter) text += ` Try again in ${retryAfter} s.`;
  return text;
}

function retryAfterOf(res) {
  const raw = res.headers.get('Retry-After');
  if (!raw) return null;
  let secs = /^\d+$/.test(raw.trim()) ? Number(raw) : Math.ceil((Date.parse(raw) - Date.now()) / 1000);
  if (!Number.isFinite(secs) || secs < 0) return null;
  return Math.min(Math.max(secs, 1), RETRY_AFTER_MAX);
}

async function request(method, path, body) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  let res;
  let text;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      signal: ctl.signal,
      headers: body === undefined ? { Accept: 'application/json' }
        : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    text = await res.text();
  } catch (e) {
    const timedOut = e && e.name === 'AbortError';
    throw new ApiError(0, timedOut ? 'timeout' : 'unreachable',
      timedOut ? 'The server did not answer within 15 s. Try again in a moment.' : describe(0));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const retryAfter = retryAfterOf(res);
    throw new ApiError(res.status, err.code || `http_${res.status}`, describe(res.status, err.message, retryAfter), retryAfter);
  }
  if (data === null) throw new ApiError(res.status, 'bad_response', `The server sent an answer that is not JSON (HTTP ${res.status}).`);
  return data;
}

const enc = encodeURIComponent;

// Lists that may come bare or wrapped in an object ({"problems":[...]}).
function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  return [];
}

function num(...values) {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
}

// One problem, from the list or the detail answer: { id, name, timeMs, memoryKib, tests, ... }.
export function normProblem(p) {
  const l = p.limits || {};
  const pick = (...keys) => num(...keys.map((k) => l[k]), ...keys.map((k) => p[k]));
  const secs = pick('time_limit', 'time_limit_s');
  const mib = pick('memory_mib', 'memory', 'memory_limit');
  const outMib = pick('output_mib', 'output', 'output_limit');
  const tests = num(p.tests_count, p.test_count, p.tests_total, p.tests, Array.isArray(p.tests) ? p.tests.length : null);
  return {
    id: String(p.id),
    name: p.name || p.title || String(p.id),
    timeMs: pick('time_limit_ms', 'time_ms') ?? (secs === null ? null : secs * 1000),
    memoryKib: pick('memory_kib', 'memory_limit_kib') ?? (mib === null ? null : mib * 1024),
    outputKib: pick('output_kib', 'output_limit_kib') ?? (outMib === null ? null : outMib * 1024),
    tests,
    scoring: p.type === 'scoring' || p.scoring === true,
    maxScore: num(p.max_score),
    statementHtml: p.statement_html || '',
    samples: (Array.isArray(p.samples) ? p.samples : []).map((s, i) => ({
      name: s.name || `Sample ${i + 1}`,
      input: s.input ?? s.in ?? '',
      output: s.output ?? s.answer ?? s.ans ?? '',
    })),
  };
}

export function normLanguages(data) {
  if (data && !Array.isArray(data) && !Array.isArray(data.languages) && typeof data === 'object') {
    // {"c": {...}, "cpp": {...}}
    return Object.entries(data).map(([id, l]) => ({ id, name: (l && l.name) || id, version: (l && l.version) || '' }));
  }
  return listOf(data, 'languages').map((l) => (typeof l === 'string' ? { id: l, name: l, version: '' }
    : {
      id: String(l.id),
      name: l.name || String(l.id),
      version: l.version || l.compiler_version || l.compiler || '',
      extensions: Array.isArray(l.extensions) ? l.extensions.map((e) => String(e).replace(/^\./, '')) : [],
    }));
}

export const api = {
  problems: async () => listOf(await request('GET', '/api/problems'), 'problems').map(normProblem),
  problem: async (id) => normProblem(await request('GET', `/api/problems/${enc(id)}`)),
  languages: async () => normLanguages(await request('GET', '/api/languages')),
  submit: (problem, language, source) => request('POST', '/api/submissions', { problem, language, source }),
  submission: (id, token) => request('GET', `/api/submissions/${enc(id)}${token ? `?token=${enc(token)}` : ''}`),
};
