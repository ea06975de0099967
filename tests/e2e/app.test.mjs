// app.test.mjs - the browser app end to end: real Chromium, real gateway, Redis and worker.
//
// Each case does what a person does: open the problem list, open A Plus B (problems/ab), pick a
// language, load a solution from disk (solutions/ here) through the file input (the editor is CodeMirror: typing
// would fight its auto-indent), submit, and watch the result panel. Expected results come from the
// package itself (its test count) and from `gavel-judge check` (the failing test of a wrong
// answer), never from the page. Every case saves a screenshot under $GAVEL_BUILD_DIR/e2e/.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, startBrowser, countTests, judgeCheck, waitFor, SRC, OUT } from './harness.mjs';

const PROBLEM = 'ab';
const PROBLEM_DIR = path.join(SRC, 'problems', PROBLEM);
const SOLUTIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'solutions');
const VERDICT_MS = 180000;  // generous: a loaded 2-core CI machine, ASan builds, a cold worker

let stack;
let browser;
let page;
const tmpFiles = [];

before(async () => {
  stack = await startStack();
  browser = await startBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (stack) await stack.stop();
  for (const f of tmpFiles) fs.rmSync(f, { force: true });
});

afterEach(async (t) => {
  if (page) {
    await page.screenshot({ path: path.join(OUT, `${t.name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
    await page.close().catch(() => {});
    page = null;
  }
});

async function openProblem() {
  page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.url()}: HTTP ${r.status()}`));
  page.errors = errors;
  await page.goto(`${stack.base}/`);
  // Each case starts as a new visitor: no history, so the page shows no earlier result.
  await page.evaluate(() => localStorage.clear());
  const list = page.getByTestId('problem-list');
  await list.waitFor();
  await list.locator(`[data-testid="problem-link"][href$="/${PROBLEM}"]`).click();
  await page.getByTestId('statement').waitFor();
  return page;
}

async function submitFile(file, language, how = 'click') {
  await page.getByTestId('language').selectOption(language);
  await page.getByTestId('source-file').setInputFiles(file);
  await waitFor('the file in the editor', 15000, async () =>
    (await page.getByTestId('editor').locator('.cm-content').innerText()).trim().length > 0);
  if (how === 'keyboard') {
    await page.getByTestId('editor').locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
  } else {
    await page.getByTestId('submit').click();
  }
}

async function finalVerdict(ms = VERDICT_MS) {
  const v = page.getByTestId('verdict');
  try {
    await v.waitFor({ timeout: ms });
  } catch (e) {
    const status = await page.getByTestId('status').innerText().catch(() => '?');
    throw new Error(`no final verdict after ${ms} ms (status: "${status}")\n${stack.logs()}`);
  }
  return (await v.innerText()).trim();
}

async function rowVerdicts() {
  return page.getByTestId('test-row').evaluateAll((rows) => rows.map((r) => r.dataset.verdict));
}

// An accepted Python solution that sleeps 0.4 s per test, so judging takes a few seconds.
const slowSolution = () => path.join(SOLUTIONS, 'ab_slow.py');

test('accepted solution shows AC with every test row', async () => {
  await openProblem();
  await submitFile(path.join(SOLUTIONS, 'ab_accepted.c'), 'c');
  assert.equal(await finalVerdict(), 'AC');
  const rows = await rowVerdicts();
  assert.equal(rows.length, countTests(PROBLEM_DIR), 'one row per test of the package');
  assert.deepEqual(rows, rows.map(() => 'AC'));
  assert.match(await page.getByTestId('status').innerText(), /Accepted/);
  assert.deepEqual(page.errors, [], 'no script error, no failed request (app.js, app.css, KaTeX fonts, API)');
  const fontsLoaded = await page.evaluate(() => document.fonts.check('16px KaTeX_Main'));
  assert.ok(fontsLoaded, 'the KaTeX fonts load from the gateway');
});

test('wrong answer shows WA at the failing test', async () => {
  const file = path.join(SOLUTIONS, 'ab_int32.c');
  const oracle = judgeCheck(PROBLEM_DIR, file, 'c');
  assert.equal(oracle.verdict, 'WA', 'gavel-judge check agrees the file is wrong');
  const failing = oracle.tests.find((t) => t.verdict !== 'AC').n;

  await openProblem();
  await submitFile(file, 'c');
  assert.equal(await finalVerdict(), 'WA');
  const rows = await rowVerdicts();
  assert.equal(rows.length, failing, `rows up to the failing test ${failing}`);
  assert.deepEqual(rows, [...rows.slice(0, -1).map(() => 'AC'), 'WA']);
  const last = page.getByTestId('test-row').last();
  assert.equal(await last.getAttribute('data-n'), String(failing));
  assert.match(await page.getByTestId('status').innerText(), new RegExp(`Wrong answer on test ${failing}\\b`));

  // Phone width: one column, nothing wider than the screen but what scrolls inside its own box.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 390 px phone screen`);
  await page.screenshot({ path: path.join(OUT, 'phone-width.png'), fullPage: true });
});

test('compile error shows the compiler message (submitted with Ctrl+Enter)', async () => {
  await openProblem();
  await submitFile(path.join(SOLUTIONS, 'ab_compile_error.cpp'), 'cpp', 'keyboard');
  assert.equal(await finalVerdict(), 'CE');
  const output = await page.getByTestId('compile-output').innerText();
  assert.match(output, /error/i, 'the compiler message is shown');
  assert.equal(await page.getByTestId('test-row').count(), 0);
});

// Presses Tab until the focused element matches selector; fails after max presses.
async function tabTo(selector, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
  }
  throw new Error(`${selector} not reached with ${max} presses of Tab`);
}

test('keyboard alone: open a problem, pick a language, write, submit, leave the editor', async () => {
  page = await browser.context.newPage();
  await page.goto(`${stack.base}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByTestId('problem-list').waitFor();
  await tabTo(`[data-testid="problem-link"][href$="/${PROBLEM}"]`);
  await page.keyboard.press('Enter');
  await page.getByTestId('statement').waitFor();
  await tabTo('[data-testid="language"]');
  await page.keyboard.type('Python');
  assert.equal(await page.getByTestId('language').inputValue(), 'python3');
  await tabTo('[data-testid="editor"] .cm-content');
  await page.keyboard.type('print(sum(map(int, input().split())))');
  await page.keyboard.press('Control+Enter');
  assert.equal(await finalVerdict(), 'AC');
  assert.equal((await rowVerdicts()).length, countTests(PROBLEM_DIR));
  await page.getByTestId('editor').locator('.cm-content').focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'submit', 'Escape then Tab leaves the editor');
});

test('gateway killed and restarted during judging: the page ends on the right verdict', async () => {
  await openProblem();
  await page.evaluate(() => { window.e2eNoReload = true; });
  await submitFile(slowSolution(), 'python3');
  await page.getByTestId('test-row').first().waitFor({ timeout: VERDICT_MS });
  await stack.killGateway();
  await page.locator('#conn.waiting').waitFor({ timeout: 30000 });
  await new Promise((r) => setTimeout(r, 1000));
  await stack.startGateway();
  assert.equal(await finalVerdict(), 'AC');
  const rows = await rowVerdicts();
  assert.equal(rows.length, countTests(PROBLEM_DIR));
  assert.deepEqual(rows, rows.map(() => 'AC'));
  assert.equal(await page.evaluate(() => window.e2eNoReload), true, 'the page was not reloaded');
});

test('a reload in the middle of judging picks the submission up again', async () => {
  await openProblem();
  await submitFile(slowSolution(), 'python3');
  await page.getByTestId('test-row').first().waitFor({ timeout: VERDICT_MS });
  await page.reload();
  await page.getByTestId('statement').waitFor();
  assert.equal(await finalVerdict(), 'AC');
  assert.equal((await rowVerdicts()).length, countTests(PROBLEM_DIR));
  assert.equal(await page.getByTestId('language').inputValue(), 'python3', 'the language is remembered');
  assert.match(await page.getByTestId('editor').locator('.cm-content').innerText(), /time\.sleep\(0\.4\)/,
    'the draft survived the reload');
});

test('a source over the size limit gets a clear message, not a silent failure', async () => {
  await openProblem();
  const file = path.join(OUT, `large-${process.pid}.c`);
  const filler = `/* ${'x'.repeat(1000)} */\n`.repeat(80); // 80 KB, over the 64 KiB default
  fs.writeFileSync(file, `${filler}int main(void) { return 0; }\n`);
  tmpFiles.push(file);
  const before = await page.evaluate(() => localStorage.getItem('gavel.submissions'));
  await submitFile(file, 'c');
  const alert = page.locator('[data-testid="alert"][data-alert="submit"]');
  await alert.waitFor({ timeout: 30000 });
  assert.match(await alert.innerText(), /too large/i);
  assert.equal(await page.evaluate(() => localStorage.getItem('gavel.submissions')), before, 'nothing was recorded');
});

test('Redis down: the submit gets the 503 message with a countdown, Submit waits', async () => {
  await openProblem();
  await stack.killRedis();
  try {
    await submitFile(path.join(SOLUTIONS, 'ab_accepted.c'), 'c');
    // Read the banner and the button in one go, the moment the banner appears: Retry-After is short.
    const seen = await (await page.waitForFunction(() => {
      const alert = document.querySelector('[data-testid="alert"][data-alert="submit"]');
      return alert && { text: alert.innerText, disabled: document.querySelector('[data-testid="submit"]').disabled };
    }, null, { timeout: 30000 })).jsonValue();
    assert.match(seen.text, /not taking submissions.*Try again in \d+ s/s);
    assert.equal(seen.disabled, true, 'Submit waits for Retry-After');
    await page.screenshot({ path: path.join(OUT, 'redis-down.png') });
  } finally {
    await stack.startRedis();
  }
});
