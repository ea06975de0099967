// store.js - what this browser remembers, in localStorage: the chosen language, a draft per
// problem and language, and the list of this browser's submissions (id, token, problem, language,
// time, and the final verdict once known, so the list shows without asking the server again).
//
// localStorage can be missing or full (private windows, quotas): every access is wrapped, and a
// failure only loses the memory, never breaks the page. The history is capped at HISTORY_MAX.

const PREFIX = 'gavel.';
const HISTORY_MAX = 200;
const DRAFT_MAX = 256 * 1024; // characters; larger drafts are not kept

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export const store = {
  language: () => read('language', null),
  setLanguage: (id) => write('language', id),

  draft: (problem, language) => read(`draft.${problem}.${language}`, null),
  setDraft(problem, language, text) {
    if (text.length > DRAFT_MAX) return false;
    return write(`draft.${problem}.${language}`, text.length ? text : undefined);
  },

  // Newest first.
  history: () => {
    const list = read('submissions', []);
    return Array.isArray(list) ? list.filter((e) => e && typeof e.id === 'string') : [];
  },
  addSubmission(entry) {
    const list = store.history().filter((e) => e.id !== entry.id);
    list.unshift(entry);
    write('submissions', list.slice(0, HISTORY_MAX));
  },
  // Merges fields (verdict, score, time_ms...) into the entry of submission id, if it is ours.
  updateSubmission(id, fields) {
    const list = store.history();
    const entry = list.find((e) => e.id === id);
    if (!entry) return;
    Object.assign(entry, fields);
    write('submissions', list);
  },
  submission: (id) => store.history().find((e) => e.id === id) || null,
};
