// dom.js - a tiny DOM builder, so views read as the HTML they make, without a framework.
//
// h('a', { href: '#/x', dataset: { testid: 'problem-link' } }, 'text', child) creates an element:
// keys starting with "on" become event listeners, `dataset` fills data-* attributes, `class` and
// other names become attributes; children are nodes or strings (strings become text nodes, never
// HTML), null/false children are skipped, arrays are flattened.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// Replaces every child of el with the given children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Human formats shared by the views.
export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  return ms < 10000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// A limit: "1.5 s" from a second up, else milliseconds.
export function fmtLimitMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : `${ms} ms`;
}

export function fmtKib(kib) {
  if (kib === null || kib === undefined || Number.isNaN(kib)) return '—';
  if (kib < 1024) return `${Math.round(kib)} KiB`;
  if (kib >= 1024 * 1024 && kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)} GiB`;
  return `${(kib / 1024).toFixed(kib < 10240 ? 1 : 0)} MiB`;
}

export function fmtAgo(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
