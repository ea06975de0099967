// main.js - the app's entry: hash routing, shared context for the views, connection indicator.
//
// Routes: #/problems (list), #/problems/<id>, #/submissions, #/submissions/<id>. Hash routing
// needs nothing of the server but static files, so any gateway serving --web works. Each route
// change renders one view into <main>; a view that awaits data checks ctx.stale() afterwards, so
// a slow answer for a page already left never draws over the new one, and the cleanups it
// registered with ctx.onLeave (unsubscribing from live updates) run when the page is left.
import { Live, wsUrl } from './live.js';
import { api } from './api.js';
import { showAlert, clearAlert, clearAlertsExcept } from './alerts.js';
import { showProblems } from './problems.js';
import { showProblem } from './problem.js';
import { showSubmissions, showSubmission } from './submissions.js';

const live = new Live(wsUrl());
let languagesPromise = null;
let generation = 0;
let leaving = [];

const ROUTES = [
  [/^#\/problems\/?$/, (main, ctx) => showProblems(main, ctx), 'problems'],
  [/^#\/problems\/([^/]+)$/, (main, ctx, id) => showProblem(main, ctx, id), 'problems'],
  [/^#\/submissions\/?$/, (main, ctx) => showSubmissions(main, ctx), 'submissions'],
  [/^#\/submissions\/([^/]+)$/, (main, ctx, id) => showSubmission(main, ctx, id), 'submissions'],
];

function languages() {
  if (!languagesPromise) {
    languagesPromise = api.languages().then((list) => {
      if (list.length === 0) throw Object.assign(new Error('The server offers no language.'), { status: 0 });
      return list;
    });
    languagesPromise.catch(() => { languagesPromise = null; }); // the next page load asks again
  }
  return languagesPromise;
}

const LASTING_ALERTS = ['network']; // alerts that outlive a page change

function route() {
  for (const fn of leaving) fn();
  leaving = [];
  clearAlertsExcept(LASTING_ALERTS);
  generation += 1;
  const mine = generation;
  const hash = location.hash || '#/problems';
  const main = document.getElementById('main');
  const ctx = {
    live,
    languages,
    stale: () => mine !== generation,
    rerender: () => mine === generation && route(),
    onLeave: (fn) => leaving.push(fn),
    error: (key, e, retry) => showAlert(key, e.message || String(e), {
      retryAfter: e.retryAfter || null,
      onExpire: retry && mine === generation ? retry : null,
    }),
    clear: clearAlert,
  };
  document.title = 'Gavel';
  for (const [re, view, nav] of ROUTES) {
    const m = re.exec(hash);
    if (!m) continue;
    document.querySelectorAll('[data-nav]').forEach((a) => a.toggleAttribute('aria-current', a.dataset.nav === nav));
    view(main, ctx, m[1] && decodeURIComponent(m[1]));
    return;
  }
  location.replace('#/problems');
}

const CONN_TEXT = {
  idle: '',
  open: 'Live',
  connecting: 'Connecting…',
};

function showConnection(state, secs) {
  const el = document.getElementById('conn');
  el.className = `conn ${state}`;
  el.replaceChildren(state === 'waiting' ? `Connection lost: retrying in ${secs} s` : CONN_TEXT[state] || '');
  if (state === 'waiting') {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'btn small';
    btn.textContent = 'Retry now';
    btn.addEventListener('click', () => live.now());
    el.append(' ', btn);
  }
}

function start() {
  document.getElementById('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    document.getElementById('main').focus();
  });
  live.onState(showConnection);
  window.addEventListener('hashchange', () => {
    route();
    // Keyboard and screen reader users start reading the new page from its top.
    document.getElementById('main').focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
  window.addEventListener('offline', () => showAlert('network', 'Your browser is offline: live results resume when the network is back.', { level: 'warn' }));
  window.addEventListener('online', () => { clearAlert('network'); live.now(); });
  route();
}

start();
