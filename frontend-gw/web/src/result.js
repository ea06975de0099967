// result.js - the live result panel of one submission: status line, final verdict, summary,
// compiler message and one row per finished test.
//
// follow(id, panel, opts) loads the submission once over HTTP (so a reopened or reloaded page shows
// at once what is known), then subscribes over the WebSocket and re-renders on every message that
// changed the state (model.js decides). The test table is updated by test number: rows already
// shown are kept, new ones appended in order, so a 500-test problem costs one row per test, not a
// redraw per message. The final verdict is also written into this browser's history (store.js).
import { h, replace, fmtMs, fmtKib } from './dom.js';
import { newSubmission, applyMessage, testList } from './model.js';
import { api } from './api.js';
import { store } from './store.js';

export const VERDICTS = {
  AC: 'Accepted',
  WA: 'Wrong answer',
  TLE: 'Time limit exceeded',
  MLE: 'Memory limit exceeded',
  RTE: 'Run-time error',
  OLE: 'Output limit exceeded',
  CE: 'Compilation error',
  JE: 'Judge error',
};

const POLL_MIN_MS = 3000; // HTTP polls while the WebSocket is down, at most this often

const STATUS_TEXT = {
  queued: 'In queue…',
  compiling: 'Compiling…',
  running: 'Running…',
};

export function verdictName(code) {
  return VERDICTS[code] || code || '';
}

export function verdictBadge(code, attrs = {}) {
  return h('span', { class: `badge v-${(code || 'none').toLowerCase()}`, title: verdictName(code), ...attrs }, code || '…');
}

function statusText(s, opts) {
  if (s.final) {
    const last = testList(s).find((t) => t.verdict && t.verdict !== 'AC');
    const where = last && s.verdict !== 'AC' && s.verdict !== 'CE' && s.verdict !== 'JE' ? ` on test ${last.n}` : '';
    const score = s.score === null ? '' : ` · ${s.score}${opts.maxScore ? ` / ${opts.maxScore}` : ''} points`;
    return `${verdictName(s.verdict)}${where}${score}`;
  }
  if (s.status === 'running') {
    const done = s.tests.size;
    return s.total ? `Running test ${Math.min(done + 1, s.total)} of ${s.total}…` : `Running, ${done} tests done…`;
  }
  return STATUS_TEXT[s.status] || `${s.status}…`;
}

function testRow(t) {
  return h('tr', { dataset: { testid: 'test-row', verdict: t.verdict, n: t.n } },
    h('td', { class: 'num' }, t.n),
    h('td', {}, t.group || ''),
    h('td', {}, verdictBadge(t.verdict), h('span', { class: 'vname' }, ` ${verdictName(t.verdict)}`)),
    h('td', { class: 'num' }, fmtMs(t.timeMs)),
    h('td', { class: 'num' }, fmtKib(t.memoryKib)));
}

// Builds the panel's fixed skeleton once; render() fills it.
function skeleton(panel, id) {
  const el = {
    status: h('span', { class: 'status', dataset: { testid: 'status' }, role: 'status', 'aria-live': 'polite' }),
    verdict: h('span', { class: 'verdict-slot' }),
    summary: h('dl', { class: 'summary' }),
    progress: h('div', { class: 'progress', 'aria-hidden': 'true' }, h('div', { class: 'bar' })),
    compile: h('div', { class: 'compile' }),
    note: h('p', { class: 'note', hidden: true }),
    tbody: h('tbody'),
    rows: new Map(),
  };
  el.table = h('table', { class: 'tests', hidden: true },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Group'), h('th', {}, 'Verdict'),
      h('th', { class: 'num' }, 'Time'), h('th', { class: 'num' }, 'Memory'))),
    el.tbody);
  replace(panel,
    h('div', { class: 'result-head' },
      h('a', { class: 'subid', href: `#/submissions/${encodeURIComponent(id)}` }, `#${id}`),
      el.verdict, el.status),
    el.progress, el.summary, el.note, el.compile, h('div', { class: 'table-wrap' }, el.table));
  return el;
}

function renderHead(el, s, opts) {
  el.status.textContent = statusText(s, opts);
  el.status.className = `status ${s.final ? `v-text-${(s.verdict || '').toLowerCase()}` : 'live'}`;
  replace(el.verdict, s.final
    ? verdictBadge(s.verdict, { dataset: { testid: 'verdict' }, class: `badge big v-${(s.verdict || 'je').toLowerCase()}` })
    : h('span', { class: 'spinner', 'aria-hidden': 'true' }));
  const total = s.total || opts.total || null;
  el.progress.hidden = s.final || !total;
  if (total) el.progress.firstChild.style.width = `${Math.min(100, (100 * s.tests.size) / total)}%`;
}

function renderSummary(el, s, opts) {
  const total = s.total || opts.total || null;
  const ran = s.verdict !== 'CE' && (s.tests.size > 0 || s.timeMs !== null);
  const facts = [
    ['Score', s.final && s.score !== null ? `${s.score}${opts.maxScore ? ` / ${opts.maxScore}` : ''}` : null],
    ['Time', ran && (s.final || s.timeMs !== null) ? fmtMs(s.timeMs) : null],
    ['Peak memory', ran && (s.final || s.memoryKib !== null) ? fmtKib(s.memoryKib) : null],
    ['Tests', s.verdict !== 'CE' && (total || s.tests.size) ? (total ? `${s.tests.size} / ${total}` : String(s.tests.size)) : null],
    ['Language', opts.language || null],
  ].filter(([, v]) => v !== null);
  replace(el.summary, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
  el.note.hidden = !s.message || s.verdict === 'CE';
  el.note.textContent = s.message || '';
}

function renderCompile(el, s) {
  if (!s.compileOutput && s.verdict !== 'CE') {
    el.compile.replaceChildren();
    return;
  }
  replace(el.compile, h('h3', {}, s.verdict === 'CE' ? 'Compiler output' : 'Compiler warnings'),
    h('pre', { class: 'compile-output', dataset: { testid: 'compile-output' }, tabindex: 0 },
      s.compileOutput || s.message || '(the compiler printed nothing)'));
}

// Rows are kept by test number: new ones are inserted in order, a changed one redraws the table.
function renderRows(el, s) {
  const list = testList(s);
  el.table.hidden = list.length === 0;
  const changed = list.length < el.rows.size || list.some((t) => el.rows.has(t.n) && el.rows.get(t.n).dataset.verdict !== t.verdict);
  if (changed) {
    el.rows.clear();
    el.tbody.replaceChildren();
  }
  for (const t of list) {
    if (el.rows.has(t.n)) continue;
    const row = testRow(t);
    const next = [...el.rows.keys()].filter((n) => n > t.n).sort((a, b) => a - b)[0];
    el.tbody.insertBefore(row, next === undefined ? null : el.rows.get(next));
    el.rows.set(t.n, row);
  }
}

function render(el, s, opts) {
  renderHead(el, s, opts);
  renderSummary(el, s, opts);
  renderCompile(el, s);
  renderRows(el, s);
}

// Shows submission id in panel and keeps it current; returns a function that stops following.
// opts: { token, total (tests expected, from the problem), language (name to show), onFinal(s) }.
export function follow(live, id, panel, opts = {}) {
  const s = newSubmission(id);
  const el = skeleton(panel, id);
  let stopped = false;
  let unsubscribe = null;
  render(el, s, opts);

  const update = (msg) => {
    if (stopped) return;
    if (msg && msg.type === 'error') {
      el.note.hidden = false;
      el.note.textContent = `The gateway reported: ${(msg.error && msg.error.message) || msg.message || 'an error'}`;
      return;
    }
    if (!applyMessage(s, msg)) return;
    render(el, s, opts);
    if (s.final) {
      store.updateSubmission(id, { verdict: s.verdict, score: s.score, time_ms: s.timeMs, memory_kib: s.memoryKib });
      if (opts.onFinal) opts.onFinal(s);
      if (unsubscribe) unsubscribe();
      unsubscribe = null;
    }
  };

  // While the socket is down, ask over HTTP now and then: a gateway that is up but whose WebSocket
  // cannot get through (a proxy) still gets the result to the page.
  let lastPoll = 0;
  const stopPolling = live.onState((state) => {
    if (state !== 'waiting' || s.final || stopped || Date.now() - lastPoll < POLL_MIN_MS) return;
    lastPoll = Date.now();
    api.submission(id, opts.token).then(update, () => {});
  });

  api.submission(id, opts.token).then(update, (e) => {
    if (stopped || s.seq >= 0 || s.final) return;
    el.note.hidden = false;
    if (e.status === 404) {
      el.note.textContent = 'The server does not know this submission (it may have expired).';
      el.status.textContent = 'Not found';
      el.status.className = 'status';
      el.verdict.replaceChildren();
      if (unsubscribe) unsubscribe();
      unsubscribe = null;
      return;
    }
    el.note.textContent = `${e.message} Live updates will still arrive when the connection is back.`;
  });
  unsubscribe = live.subscribe(id, update);

  return {
    state: s,
    stop() {
      stopped = true;
      stopPolling();
      if (unsubscribe) unsubscribe();
    },
  };
}
