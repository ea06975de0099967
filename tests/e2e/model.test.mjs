// model.test.mjs - unit tests of the web app's submission model (frontend-gw/web/src/model.js):
// the rules that join a snapshot and the live stream without gaps or duplicates across reconnects.
// Pure logic, no browser: runs in Node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const src = process.env.GAVEL_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { newSubmission, applyMessage, testList } = await import(pathToFileURL(path.join(src, 'frontend-gw/web/src/model.js')));

const T = (n, verdict = 'AC') => ({ n, group: 'secret', verdict, time_ms: n, memory_kib: 100 * n });
const ns = (s) => testList(s).map((t) => t.n);

test('snapshot, status and tests build the state in order', () => {
  const s = newSubmission('1');
  assert.equal(applyMessage(s, { type: 'snapshot', submission: '1', seq: 0, status: 'queued', tests: [] }), true);
  assert.equal(applyMessage(s, { type: 'status', seq: 1, status: 'compiling' }), true);
  assert.equal(s.status, 'compiling');
  assert.equal(applyMessage(s, { type: 'tests', seq: 2, total: 3, tests: [T(1), T(2)] }), true);
  assert.equal(s.status, 'running');
  assert.equal(s.total, 3);
  assert.deepEqual(ns(s), [1, 2]);
  assert.equal(s.final, false);
});

test('a message seen twice or out of date changes nothing', () => {
  const s = newSubmission('1');
  applyMessage(s, { type: 'tests', seq: 3, total: 4, tests: [T(1), T(2)] });
  assert.equal(applyMessage(s, { type: 'tests', seq: 3, total: 4, tests: [T(1), T(2)] }), false);
  assert.equal(applyMessage(s, { type: 'status', seq: 2, status: 'compiling' }), false);
  assert.equal(s.status, 'running');
  assert.deepEqual(ns(s), [1, 2]);
});

test('a snapshot after a reconnect brings the state up to date, an older one is ignored', () => {
  const s = newSubmission('1');
  applyMessage(s, { type: 'tests', seq: 2, total: 4, tests: [T(1)] });
  // events 3 and 4 were missed while the socket was down
  assert.equal(applyMessage(s, { type: 'snapshot', seq: 4, status: 'running', total: 4, tests: [T(1), T(2), T(3)] }), true);
  assert.deepEqual(ns(s), [1, 2, 3]);
  assert.equal(s.seq, 4);
  assert.equal(applyMessage(s, { type: 'snapshot', seq: 3, status: 'running', tests: [T(1)] }), false);
  assert.deepEqual(ns(s), [1, 2, 3]);
  assert.equal(applyMessage(s, { type: 'tests', seq: 5, tests: [T(4)] }), true);
  assert.deepEqual(ns(s), [1, 2, 3, 4]);
});

test('tests merge by number, whatever order they arrive in', () => {
  const s = newSubmission('1');
  applyMessage(s, { type: 'tests', seq: 1, tests: [T(3), T(1)] });
  applyMessage(s, { type: 'tests', seq: 2, tests: [T(2), T(3)] });
  assert.deepEqual(ns(s), [1, 2, 3]);
});

test('a final is final: later snapshots and events do not change it', () => {
  const s = newSubmission('1');
  applyMessage(s, { type: 'tests', seq: 2, tests: [T(1)] });
  assert.equal(applyMessage(s, {
    type: 'final', seq: 4, status: 'done', verdict: 'WA', time_ms: 7, memory_kib: 900, tests: [T(1), T(2, 'WA')],
  }), true);
  assert.equal(s.final, true);
  assert.equal(s.verdict, 'WA');
  assert.equal(s.timeMs, 7);
  assert.deepEqual(testList(s).map((t) => t.verdict), ['AC', 'WA']);
  assert.equal(applyMessage(s, { type: 'snapshot', seq: 9, status: 'running', tests: [] }), false);
  assert.equal(applyMessage(s, { type: 'tests', seq: 9, tests: [T(5)] }), false);
  assert.equal(applyMessage(s, { type: 'final', seq: 4, verdict: 'AC' }), false, 'the same final again');
  assert.equal(s.verdict, 'WA');
});

test('a GET answer of a finished submission (no type) is final', () => {
  const s = newSubmission('1');
  assert.equal(applyMessage(s, { id: '1', status: 'done', verdict: 'CE', compile_output: 'main.c:1: error', tests: [] }), true);
  assert.equal(s.final, true);
  assert.equal(s.compileOutput, 'main.c:1: error');
});

test('a final without a verdict is shown as a judge error, never as accepted', () => {
  const s = newSubmission('1');
  applyMessage(s, { type: 'final', seq: 1, status: 'done' });
  assert.equal(s.verdict, 'JE');
});
