// alerts.js - the one place errors are shown: a banner under the top bar (role=alert, so screen
// readers announce it), one per kind of problem, replaced when the same kind comes again, with a
// close button. An alert with retryAfter counts down and removes itself when the wait is over.
import { h } from './dom.js';

const box = () => document.getElementById('alerts');
const shown = new Map(); // key -> { node, timer }

export function showAlert(key, text, { level = 'error', retryAfter = null, onExpire = null } = {}) {
  clearAlert(key);
  const msg = h('span', { class: 'alert-text' }, text);
  const close = h('button', { type: 'button', class: 'alert-close', 'aria-label': 'Dismiss this message', onclick: () => clearAlert(key) }, '×');
  const node = h('div', { class: `alert ${level}`, dataset: { testid: 'alert', alert: key } }, msg, close);
  const entry = { node, timer: null };
  if (retryAfter) {
    let left = retryAfter;
    const base = text.replace(/ Try again in \d+ s\.$/, '');
    const tick = () => {
      if (left <= 0) {
        clearAlert(key);
        if (onExpire) onExpire();
        return;
      }
      msg.textContent = `${base} Try again in ${left} s.`;
      left -= 1;
    };
    tick();
    entry.timer = setInterval(tick, 1000);
  }
  shown.set(key, entry);
  box().append(node);
}

export function clearAlert(key) {
  const entry = shown.get(key);
  if (!entry) return;
  clearInterval(entry.timer);
  entry.node.remove();
  shown.delete(key);
}

// Removes every alert but those whose keys are listed (on leaving a page, its own alerts go).
export function clearAlertsExcept(keep) {
  for (const key of [...shown.keys()]) if (!keep.includes(key)) clearAlert(key);
}
