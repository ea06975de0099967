// submissions.js - this browser's submissions (#/submissions) and one submission (#/submissions/<id>)
// with its live or final result and, when this browser holds its token, its source.
import { h, replace, fmtMs, fmtKib, fmtAgo } from './dom.js';
import { api } from './api.js';
import { store } from './store.js';
import { follow, verdictBadge } from './result.js';

const REFRESH_MAX = 20; // unfinished entries asked about when the list opens

// Asks the server about entries with no verdict yet; redraws the list once if any finished.
function refreshUnfinished(main, ctx, list) {
  const open = list.filter((e) => !e.verdict).slice(0, REFRESH_MAX);
  Promise.allSettled(open.map((e) => api.submission(e.id, e.token))).then((results) => {
    let changed = false;
    results.forEach((r, i) => {
      const v = r.status === 'fulfilled' ? r.value : null;
      if (v && v.verdict && v.status !== 'queued' && v.status !== 'compiling' && v.status !== 'running') {
        store.updateSubmission(open[i].id, { verdict: v.verdict, score: v.score ?? null, time_ms: v.time_ms ?? null, memory_kib: v.memory_kib ?? null });
        changed = true;
      }
    });
    if (changed && !ctx.stale()) showSubmissions(main, ctx, false);
  });
}

export function showSubmissions(main, ctx, refresh = true) {
  const list = store.history();
  if (refresh) refreshUnfinished(main, ctx, list);
  replace(main, h('h1', {}, 'My submissions'),
    list.length === 0
      ? h('p', { class: 'muted' }, 'This browser has made no submission yet. ', h('a', { href: '#/problems' }, 'Pick a problem.'))
      : h('div', { class: 'table-wrap' }, h('table', { class: 'list', dataset: { testid: 'submission-list' } },
        h('caption', { class: 'sr-only' }, 'Submissions made from this browser, newest first'),
        h('thead', {}, h('tr', {}, h('th', {}, 'Submission'), h('th', {}, 'Problem'), h('th', {}, 'Language'),
          h('th', {}, 'Verdict'), h('th', { class: 'num' }, 'Time'), h('th', { class: 'num' }, 'Memory'), h('th', {}, 'When'))),
        h('tbody', {}, list.map((e) => h('tr', {},
          h('td', {}, h('a', { href: `#/submissions/${encodeURIComponent(e.id)}`, dataset: { testid: 'submission-link' } }, `#${e.id}`)),
          h('td', {}, h('a', { href: `#/problems/${encodeURIComponent(e.problem)}` }, e.problemName || e.problem)),
          h('td', {}, e.languageName || e.language),
          h('td', {}, e.verdict ? verdictBadge(e.verdict) : h('span', { class: 'muted' }, 'not finished')),
          h('td', { class: 'num' }, fmtMs(e.time_ms)),
          h('td', { class: 'num' }, fmtKib(e.memory_kib)),
          h('td', {}, e.created ? fmtAgo(e.created) : '')))))));
}

export function showSubmission(main, ctx, id) {
  const entry = store.submission(id);
  const panel = h('div', { class: 'result' });
  const sourceSlot = h('div', {});
  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/submissions' }, 'My submissions'),
      entry ? [' · ', h('a', { href: `#/problems/${encodeURIComponent(entry.problem)}` }, entry.problemName || `Problem ${entry.problem}`)] : null),
    h('h1', {}, `Submission #${id}`), panel, sourceSlot);
  document.title = `Submission ${id} · Gavel`;
  const f = follow(ctx.live, id, panel, { token: entry && entry.token, language: entry && (entry.languageName || entry.language) });
  ctx.onLeave(() => f.stop());
  if (entry && entry.token) {
    api.submission(id, entry.token).then((r) => {
      if (typeof r.source === 'string' && !ctx.stale()) {
        replace(sourceSlot, h('h2', {}, 'Source'), h('pre', { class: 'source', tabindex: 0 }, r.source));
      }
    }, () => {});
  }
}
