// editor.js - the code editor: CodeMirror 6 with a language mode per Gavel language id.
//
// The language mode sits in a Compartment, so switching language reconfigures only that part and
// keeps the text, the undo history and the cursor. Tab indents (as in every code editor); a keyboard
// user leaves the editor with Escape then Tab (CodeMirror's own rule), which the page says next to
// the editor. Mod-Enter (Ctrl+Enter, Cmd+Enter) calls onSubmit; it is bound with the highest
// precedence so no other key binding takes it.
import { EditorState, Compartment, Prec } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars, placeholder,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, indentUnit,
} from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { cpp } from '@codemirror/lang-cpp';
import { python } from '@codemirror/lang-python';
import { java } from '@codemirror/lang-java';
import { javascript } from '@codemirror/lang-javascript';
import { rust } from '@codemirror/lang-rust';

// Gavel language id (judge/languages.json) -> CodeMirror mode. An id not listed (a language added
// later as data) still gets a plain editor.
const MODES = {
  c: cpp, cpp, 'c++': cpp, python3: python, python: python, pypy3: python,
  java, javascript, js: javascript, nodejs: javascript, rust,
};

function modeFor(id) {
  const make = MODES[id] || (id && MODES[id.replace(/[0-9.]+$/, '')]);
  return make ? make() : [];
}

// Language id guessed from a file name's extension (for the file input).
const EXTENSIONS = {
  c: 'c', h: 'c', cpp: 'cpp', cc: 'cpp', cxx: 'cpp', 'c++': 'cpp', hpp: 'cpp',
  py: 'python3', java: 'java', js: 'javascript', mjs: 'javascript', cjs: 'javascript', rs: 'rust',
};

// The server's own extension lists (GET /api/languages) come first; EXTENSIONS is the fallback.
export function languageOfFile(name, languages = []) {
  const m = /\.([^.]+)$/.exec(name || '');
  if (!m) return null;
  const ext = m[1];
  const served = languages.find((l) => (l.extensions || []).includes(ext))
    || languages.find((l) => (l.extensions || []).some((e) => e.toLowerCase() === ext.toLowerCase()));
  return served ? served.id : EXTENSIONS[ext.toLowerCase()] || null;
}

export function createEditor(parent, { doc, language, onChange, onSubmit, label }) {
  const mode = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: doc || '',
      extensions: [
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { onSubmit(); return true; } }])),
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        indentUnit.of('    '),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
        placeholder('Write your solution here, or load a file from disk.'),
        EditorView.contentAttributes.of({ 'aria-label': label || 'Source code' }),
        EditorView.updateListener.of((u) => u.docChanged && onChange(u.state.doc.toString())),
        mode.of(modeFor(language)),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage(id) {
      view.dispatch({ effects: mode.reconfigure(modeFor(id)) });
    },
    focus: () => view.focus(),
  };
}
