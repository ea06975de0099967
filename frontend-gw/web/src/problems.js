// problems.js - the problem list (#/problems): one row per problem with its limits and test count.
import { h, replace, fmtLimitMs, fmtKib } from './dom.js';
import { api } from './api.js';
import { store } from './store.js';
import { verdictBadge } from './result.js';

// The best verdict this browser got on each problem: AC if any, else the latest.
function myResults() {
  const best = new Map();
  for (const e of store.history().slice().reverse()) {
    if (!e.verdict) continue;
    if (best.get(e.problem) !== 'AC') best.set(e.problem, e.verdict);
  }
  return best;
}

export async function showProblems(main, ctx) {
  replace(main, h('h1', {}, 'Problems'), h('p', { class: 'muted' }, 'Loading problems…'));
  let problems;
  try {
    problems = await api.problems();
  } catch (e) {
    ctx.error('problems', e, () => ctx.rerender());
    replace(main, h('h1', {}, 'Problems'), h('p', { class: 'muted' }, 'The problem list could not be loaded.'),
      h('button', { type: 'button', class: 'btn', onclick: () => ctx.rerender() }, 'Try again'));
    return;
  }
  ctx.clear('problems');
  if (ctx.stale()) return;
  const mine = myResults();
  const rows = problems.map((p) => h('tr', {},
    h('td', {}, h('a', { href: `#/problems/${encodeURIComponent(p.id)}`, dataset: { testid: 'problem-link', problem: p.id } }, p.name),
      h('span', { class: 'pid' }, p.id)),
    h('td', { class: 'num' }, fmtLimitMs(p.timeMs)),
    h('td', { class: 'num' }, p.memoryKib === null ? '—' : fmtKib(p.memoryKib)),
    h('td', { class: 'num' }, p.tests === null ? '—' : String(p.tests)),
    h('td', {}, mine.has(p.id) ? verdictBadge(mine.get(p.id)) : '')));
  replace(main,
    h('h1', {}, 'Problems'),
    problems.length === 0 ? h('p', { class: 'muted' }, 'No problems are loaded on this server.')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'list', dataset: { testid: 'problem-list' } },
        h('caption', { class: 'sr-only' }, 'Problems with their limits'),
        h('thead', {}, h('tr', {}, h('th', {}, 'Problem'), h('th', { class: 'num' }, 'Time limit'),
          h('th', { class: 'num' }, 'Memory'), h('th', { class: 'num' }, 'Tests'), h('th', {}, 'Your result'))),
        h('tbody', {}, rows))));
}
