// solve.js - the "your solution" column of a problem page: language picker, file loader, editor,
// Submit, and the result panel that follows this browser's latest submission on the problem.
//
// A Solver owns its elements and its state (language, busy, blocked-until for Retry-After); each
// user action is one method. The draft is saved on every change under (problem, language), so a
// reload or a language switch loses nothing; the language is remembered for all problems.
import { h, replace, fmtKib, fmtAgo } from './dom.js';
import { api } from './api.js';
import { store } from './store.js';
import { createEditor, languageOfFile } from './editor.js';
import { follow, verdictBadge } from './result.js';

const FILE_MAX = 1024 * 1024; // bytes; a larger file is refused before it is read
const RECENT_SHOWN = 10;

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

export class Solver {
  constructor(ctx, problem, languages) {
    this.ctx = ctx;
    this.p = problem;
    this.languages = languages;
    const ids = languages.map((l) => l.id);
    const remembered = store.language();
    this.lang = ids.includes(remembered) ? remembered : (ids.includes('cpp') ? 'cpp' : ids[0]);
    this.busy = false;
    this.blockedUntil = 0;
    this.following = null;
    this.build();
  }

  build() {
    this.select = h('select', { id: 'language', dataset: { testid: 'language' }, onchange: () => this.pickLanguage(this.select.value) },
      this.languages.map((l) => h('option', { value: l.id, title: l.version || null }, `${l.name}${shortVersion(l.version)}`)));
    if (this.lang) this.select.value = this.lang;
    this.fileInput = h('input', { type: 'file', id: 'source-file', class: 'file-input', dataset: { testid: 'source-file' }, onchange: () => this.loadFile() });
    this.button = h('button', { type: 'button', class: 'btn primary', dataset: { testid: 'submit' }, 'aria-keyshortcuts': 'Control+Enter', onclick: () => this.submit() }, 'Submit');
    this.panel = h('div', { class: 'result', 'aria-label': 'Result of your submission', hidden: true });
    this.recent = h('div', {});
    const editorBox = h('div', { class: 'editor', dataset: { testid: 'editor' } });
    this.editor = createEditor(editorBox, {
      doc: (this.lang && store.draft(this.p.id, this.lang)) || '',
      language: this.lang,
      label: `Source code for ${this.p.name}`,
      onChange: (text) => this.lang && store.setDraft(this.p.id, this.lang, text),
      onSubmit: () => this.submit(),
    });
    this.element = h('section', { class: 'solve-col', 'aria-label': 'Your solution' },
      h('div', { class: 'toolbar' },
        h('label', { for: 'language' }, 'Language'), this.select,
        this.fileInput, h('label', { class: 'btn small file-label', for: 'source-file' }, 'Load file…')),
      editorBox,
      h('div', { class: 'submit-row' }, this.button,
        h('span', { class: 'hint' }, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' submits · ',
          h('kbd', {}, 'Esc'), ' then ', h('kbd', {}, 'Tab'), ' leaves the editor')),
      this.panel, this.recent);
  }

  // Shows the latest submission on this problem, if this browser has one (a reload mid-judging).
  resume() {
    const latest = store.history().find((e) => e.problem === this.p.id);
    if (latest) this.show(latest);
    else replace(this.recent, recentList(this.p.id, null));
  }

  stop() {
    if (this.following) this.following.stop();
  }

  languageName(id) {
    return this.languages.find((l) => l.id === id)?.name || id;
  }

  // Switches language; the editor shows that language's draft unless keepText.
  pickLanguage(id, keepText = false) {
    this.lang = id;
    this.select.value = id;
    store.setLanguage(id);
    this.editor.setLanguage(id);
    if (!keepText) this.editor.setText(store.draft(this.p.id, id) || '');
  }

  async loadFile() {
    const file = this.fileInput.files && this.fileInput.files[0];
    if (!file) return;
    if (file.size > FILE_MAX) {
      this.ctx.error('file', { message: `${file.name} is ${fmtKib(file.size / 1024)}: files over ${fmtKib(FILE_MAX / 1024)} are not loaded.` });
      return;
    }
    try {
      const text = await file.text();
      const guessed = languageOfFile(file.name, this.languages);
      if (guessed && guessed !== this.lang && this.languages.some((l) => l.id === guessed)) this.pickLanguage(guessed, true);
      this.editor.setText(text);
      this.ctx.clear('file');
    } catch (e) {
      this.ctx.error('file', { message: `Could not read ${file.name}: ${e.message}` });
    } finally {
      this.fileInput.value = '';
    }
  }

  setBusy(on) {
    this.busy = on;
    this.button.disabled = on || Date.now() < this.blockedUntil;
    this.button.textContent = on ? 'Submitting…' : 'Submit';
  }

  // Why a submit cannot go now, or null.
  refusal(source) {
    if (!this.lang) return 'No language is available: the language list could not be loaded. Reload the page to try again.';
    if (!source.trim()) return 'Write or load a solution before submitting.';
    return null;
  }

  async submit() {
    if (this.busy || Date.now() < this.blockedUntil) return;
    const source = this.editor.text();
    const refused = this.refusal(source);
    if (refused) {
      this.ctx.error('submit', { message: refused });
      this.editor.focus();
      return;
    }
    this.setBusy(true);
    try {
      const r = await api.submit(this.p.id, this.lang, source);
      this.ctx.clear('submit');
      const entry = {
        id: String(r.id), token: r.token || null, problem: this.p.id, problemName: this.p.name,
        language: this.lang, languageName: this.languageName(this.lang), created: Date.now(),
      };
      store.addSubmission(entry);
      this.show(entry);
      this.panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    } catch (e) {
      this.refused(e, source);
    } finally {
      this.setBusy(false);
    }
  }

  // A submit the API refused: say why; after 429/503 keep Submit disabled for Retry-After.
  refused(e, source) {
    if (e.retryAfter && (e.status === 429 || e.status === 503)) {
      this.blockedUntil = Date.now() + e.retryAfter * 1000;
      setTimeout(() => this.setBusy(false), e.retryAfter * 1000 + 50);
    }
    if (e.status === 413) e.message = `${e.message} Yours is ${fmtKib(new TextEncoder().encode(source).length / 1024)}.`;
    this.ctx.error('submit', e);
  }

  show(entry) {
    this.stop();
    this.panel.hidden = false;
    this.following = follow(this.ctx.live, entry.id, this.panel, {
      token: entry.token, total: this.p.tests, language: this.languageName(entry.language),
      maxScore: this.p.scoring ? this.p.maxScore : null,
      onFinal: (s) => {
        replace(this.recent, recentList(this.p.id, entry.id));
        if (!this.ctx.stale()) document.title = `${s.verdict} · ${this.p.name} · Gavel`;
      },
    });
    replace(this.recent, recentList(this.p.id, entry.id));
  }
}
