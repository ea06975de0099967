// problem.js - the problem page (#/problems/<id>): statement, limits and samples on one side; the
// editor, language picker, file loader, submit button and live result on the other (stacked on a
// phone).
//
// The draft is saved on every change under (problem, language), so a reload or a language switch
// loses nothing; the language is remembered for all problems. After a submit, and on opening the
// page, the result panel follows this browser's latest submission on the problem: a reload in the
// middle of judging picks it up again where it is.
import renderMathInElement from 'katex/contrib/auto-render';
import { h, replace, fmtLimitMs, fmtKib, fmtAgo } from './dom.js';
import { api } from './api.js';
import { store } from './store.js';
import { createEditor, languageOfFile } from './editor.js';
import { follow, verdictBadge } from './result.js';

const FILE_MAX = 1024 * 1024; // bytes; a larger file is refused before it is read
const RECENT_SHOWN = 10;

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

// "gcc (Debian 12.2.0-14) 12.2.0" -> " 12.2.0": the last version number in a version line.
function shortVersion(v) {
  const all = String(v || '').split('\n')[0].match(/\d+(\.\d+)+/g);
  return all ? ` ${all[all.length - 1]}` : '';
}

function recentList(problemId, currentId) {
  const mine = store.history().filter((e) => e.problem === problemId).slice(0, RECENT_SHOWN);
  if (mine.length === 0) return null;
  return h('details', { class: 'recent', open: mine.length > 1 ? true : null },
    h('summary', {}, `Your submissions on this problem (${mine.length})`),
    h('ul', {}, mine.map((e) => h('li', { class: e.id === currentId ? 'current' : '' },
      h('a', { href: `#/submissions/${encodeURIComponent(e.id)}` }, `#${e.id}`), ' ',
      e.verdict ? verdictBadge(e.verdict) : h('span', { class: 'muted' }, 'judging…'), ' ',
      h('span', { class: 'muted' }, `${e.languageName || e.language} · ${fmtAgo(e.created)}`)))));
}

export async function showProblem(main, ctx, id) {
  replace(main, h('p', { class: 'muted' }, 'Loading the problem…'));
  let p;
  let languages;
  try {
    [p, languages] = await Promise.all([api.problem(id), ctx.languages()]);
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

  const ids = languages.map((l) => l.id);
  let lang = ids.includes(store.language()) ? store.language() : (ids.includes('cpp') ? 'cpp' : ids[0]);
  const select = h('select', { id: 'language', dataset: { testid: 'language' } },
    languages.map((l) => h('option', { value: l.id, title: l.version || null }, `${l.name}${shortVersion(l.version)}`)));
  if (lang) select.value = lang;

  const editorBox = h('div', { class: 'editor', dataset: { testid: 'editor' } });
  const submitBtn = h('button', { type: 'button', class: 'btn primary', dataset: { testid: 'submit' }, 'aria-keyshortcuts': 'Control+Enter' }, 'Submit');
  const fileInput = h('input', { type: 'file', id: 'source-file', class: 'file-input', dataset: { testid: 'source-file' } });
  const panel = h('div', { class: 'result', 'aria-label': 'Result of your submission' });
  const recentSlot = h('div', {});
  let following = null;
  let busy = false;
  let blockedUntil = 0;

  const editor = createEditor(editorBox, {
    doc: (lang && store.draft(p.id, lang)) || '',
    language: lang,
    label: `Source code for ${p.name}`,
    onChange: (text) => lang && store.setDraft(p.id, lang, text),
    onSubmit: () => submit(),
  });

  const showSubmission = (entry) => {
    if (following) following.stop();
    panel.hidden = false;
    const lname = languages.find((l) => l.id === entry.language)?.name || entry.language;
    following = follow(ctx.live, entry.id, panel, {
      token: entry.token, total: p.tests, language: lname, maxScore: p.scoring ? p.maxScore : null,
      onFinal: (s) => {
        replace(recentSlot, recentList(p.id, entry.id));
        if (!ctx.stale()) document.title = `${s.verdict} · ${p.name} · Gavel`;
      },
    });
    replace(recentSlot, recentList(p.id, entry.id));
  };

  const setBusy = (on) => {
    busy = on;
    submitBtn.disabled = on || Date.now() < blockedUntil;
    submitBtn.textContent = on ? 'Submitting…' : 'Submit';
  };

  async function submit() {
    if (busy || Date.now() < blockedUntil) return;
    const source = editor.text();
    if (!lang) {
      ctx.error('submit', { message: 'No language is available: the language list could not be loaded.' });
      return;
    }
    if (!source.trim()) {
      ctx.error('submit', { message: 'Write or load a solution before submitting.' });
      editor.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await api.submit(p.id, lang, source);
      ctx.clear('submit');
      const entry = {
        id: String(r.id), token: r.token || null, problem: p.id, problemName: p.name, language: lang,
        languageName: languages.find((l) => l.id === lang)?.name || lang, created: Date.now(),
      };
      store.addSubmission(entry);
      showSubmission(entry);
      panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    } catch (e) {
      if (e.retryAfter && (e.status === 429 || e.status === 503)) {
        blockedUntil = Date.now() + e.retryAfter * 1000;
        setTimeout(() => setBusy(false), e.retryAfter * 1000 + 50);
      }
      if (e.status === 413) {
        const bytes = new TextEncoder().encode(source).length;
        e.message = `${e.message} Yours is ${fmtKib(bytes / 1024)}.`;
      }
      ctx.error('submit', e);
    } finally {
      setBusy(false);
    }
  }

  select.addEventListener('change', () => {
    lang = select.value;
    store.setLanguage(lang);
    editor.setLanguage(lang);
    editor.setText(store.draft(p.id, lang) || '');
  });

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    if (file.size > FILE_MAX) {
      ctx.error('file', { message: `${file.name} is ${fmtKib(file.size / 1024)}: files over ${fmtKib(FILE_MAX / 1024)} are not loaded.` });
      return;
    }
    try {
      const text = await file.text();
      const guessed = languageOfFile(file.name, languages);
      if (guessed && ids.includes(guessed) && guessed !== lang) {
        lang = guessed;
        select.value = lang;
        store.setLanguage(lang);
        editor.setLanguage(lang);
      }
      editor.setText(text);
      ctx.clear('file');
    } catch (e) {
      ctx.error('file', { message: `Could not read ${file.name}: ${e.message}` });
    } finally {
      fileInput.value = '';
    }
  });
  submitBtn.addEventListener('click', () => submit());

  replace(main, h('div', { class: 'problem-page' },
    statementColumn(p),
    h('section', { class: 'solve-col', 'aria-label': 'Your solution' },
      h('div', { class: 'toolbar' },
        h('label', { for: 'language' }, 'Language'), select,
        fileInput, h('label', { class: 'btn small file-label', for: 'source-file' }, 'Load file…')),
      editorBox,
      h('div', { class: 'submit-row' }, submitBtn,
        h('span', { class: 'hint' }, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' submits · ',
          h('kbd', {}, 'Esc'), ' then ', h('kbd', {}, 'Tab'), ' leaves the editor')),
      panel, recentSlot)));
  panel.hidden = true;

  const latest = store.history().find((e) => e.problem === p.id);
  if (latest) showSubmission(latest);
  else replace(recentSlot, recentList(p.id, null));
  ctx.onLeave(() => following && following.stop());
}
