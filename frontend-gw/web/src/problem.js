// problem.js - the problem page (#/problems/<id>): statement, limits and samples on one side; the
// solution column (solve.js: editor, language, file, Submit, live result) on the other, stacked on
// a phone. The statement is HTML from the gateway (cmark, safe mode) with math left as \(..\) /
// \[..\] or $..$ for KaTeX's auto-render, run here once per page.
import renderMathInElement from 'katex/contrib/auto-render';
import { h, replace, fmtLimitMs, fmtKib } from './dom.js';
import { api } from './api.js';
import { Solver } from './solve.js';

const MATH_DELIMITERS = [
  { left: '$$', right: '$$', display: true },
  { left: '\\[', right: '\\]', display: true },
  { left: '$', right: '$', display: false },
  { left: '\\(', right: '\\)', display: false },
];

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // http:// on another host is not a secure context: fall back to a hidden textarea.
    const area = h('textarea', { class: 'sr-only', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  const old = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = old; }, 1200);
}

function block(title, text) {
  const btn = h('button', { type: 'button', class: 'btn small copy', 'aria-label': `Copy ${title.toLowerCase()}` }, 'Copy');
  btn.addEventListener('click', () => copyText(text, btn));
  return h('div', { class: 'sample-block' }, h('div', { class: 'sample-head' }, h('span', {}, title), btn), h('pre', {}, text));
}

function statementColumn(p) {
  const statement = h('div', { class: 'statement', dataset: { testid: 'statement' } });
  statement.innerHTML = p.statementHtml || '<p class="muted">This problem has no statement.</p>';
  // The statement's own title repeats the page's: keep one.
  const first = statement.firstElementChild;
  if (first && /^H[12]$/.test(first.tagName) && first.textContent.trim() === p.name.trim()) first.remove();
  try {
    renderMathInElement(statement, { delimiters: MATH_DELIMITERS, throwOnError: false });
  } catch (e) {
    console.warn('gavel: math rendering failed', e);
  }
  const limits = [
    ['Time limit', p.timeMs === null ? null : fmtLimitMs(p.timeMs)],
    ['Memory limit', p.memoryKib === null ? null : fmtKib(p.memoryKib)],
    ['Output limit', p.outputKib === null ? null : fmtKib(p.outputKib)],
    ['Tests', p.tests === null ? null : String(p.tests)],
    ['Scoring', p.scoring ? (p.maxScore === null ? 'by groups' : `up to ${p.maxScore} points`) : null],
  ].filter(([, v]) => v !== null);
  return h('section', { class: 'statement-col', 'aria-labelledby': 'problem-title' },
    h('h1', { id: 'problem-title' }, p.name),
    h('dl', { class: 'limits' }, limits.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    statement,
    p.samples.length ? h('h2', {}, 'Samples') : null,
    p.samples.map((s, i) => h('div', { class: 'sample' }, h('h3', {}, `Sample ${i + 1}`),
      h('div', { class: 'sample-pair' }, block('Input', s.input), block('Output', s.output)))));
}

export async function showProblem(main, ctx, id) {
  replace(main, h('p', { class: 'muted' }, 'Loading the problem…'));
  let p;
  let languages;
  try {
    // Without the language list the statement still shows; Submit then says what is missing.
    const langs = ctx.languages().catch((e) => {
      if (!ctx.stale()) ctx.error('languages', e);
      return [];
    });
    [p, languages] = await Promise.all([api.problem(id), langs]);
  } catch (e) {
    if (ctx.stale()) return;
    if (e.status !== 404) ctx.error('problem', e, () => ctx.rerender());
    replace(main, h('p', {}, e.status === 404 ? `There is no problem "${id}".` : 'The problem could not be loaded.'),
      h('p', {}, h('a', { href: '#/problems' }, 'Back to the problem list'), ' · ',
        h('button', { type: 'button', class: 'btn small', onclick: () => ctx.rerender() }, 'Try again')));
    return;
  }
  if (ctx.stale()) return;
  ctx.clear('problem');
  document.title = `${p.name} · Gavel`;
  const solver = new Solver(ctx, p, languages);
  replace(main, h('div', { class: 'problem-page' }, statementColumn(p), solver.element));
  solver.resume();
  ctx.onLeave(() => solver.stop());
}
