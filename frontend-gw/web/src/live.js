// live.js - the WebSocket to the gateway: subscriptions that survive a dropped connection.
//
// One socket per page, opened when the first subscription is made. Each subscription is a
// submission id and a callback that gets every message whose `submission` is that id. When the
// socket closes for any reason (gateway restarted, network lost, load balancer idle timeout), it
// is opened again after a backoff (BACKOFF_MIN doubling to BACKOFF_MAX, with jitter so that many
// browsers do not come back at the same instant), and every subscription is sent again: the
// gateway answers each with a snapshot, which brings the page up to date (model.js joins it with
// what was already shown). While no subscription is left, a lost socket is not reopened.
// Listeners given to onState learn 'connecting' | 'open' | 'waiting' (with the seconds until the
// next try) | 'idle', for the indicator in the top bar.

const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
const CONNECT_TIMEOUT = 8000; // a socket not open by then is dropped and tried again
const MESSAGE_MAX = 1 << 20;  // characters; a larger message is ignored, not parsed

export class Live {
  constructor(url) {
    this.url = url;
    this.subs = new Map(); // id -> Set of callbacks
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.state = 'idle';
    this.listeners = new Set();
  }

  onState(fn) {
    this.listeners.add(fn);
    fn(this.state, null);
    return () => this.listeners.delete(fn);
  }

  setState(state, detail) {
    this.state = state;
    for (const fn of this.listeners) fn(state, detail);
  }

  // Follows submission id; returns the function that stops following it.
  subscribe(id, callback) {
    let set = this.subs.get(id);
    if (!set) {
      set = new Set();
      this.subs.set(id, set);
    }
    set.add(callback);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.send({ op: 'subscribe', id });
    else this.ensure();
    return () => {
      set.delete(callback);
      if (set.size === 0 && this.subs.get(id) === set) {
        this.subs.delete(id);
        this.send({ op: 'unsubscribe', id });
      }
    };
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  ensure() {
    if (this.ws || this.timer) return;
    this.connect();
  }

  connect() {
    this.timer = null;
    if (this.subs.size === 0) {
      this.setState('idle');
      return;
    }
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    const guard = setTimeout(() => ws.readyState === WebSocket.CONNECTING && ws.close(), CONNECT_TIMEOUT);
    ws.onopen = () => {
      clearTimeout(guard);
      this.attempt = 0;
      this.setState('open');
      for (const id of this.subs.keys()) this.send({ op: 'subscribe', id });
    };
    ws.onmessage = (ev) => this.dispatch(ev.data);
    ws.onclose = () => {
      clearTimeout(guard);
      if (this.ws === ws) this.ws = null;
      this.retry();
    };
    ws.onerror = () => {}; // onclose follows and does the work
  }

  retry() {
    if (this.subs.size === 0) {
      this.setState('idle');
      return;
    }
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.attempt = Math.min(this.attempt + 1, 10);
    this.setState('waiting', Math.ceil(delay / 1000));
    this.timer = setTimeout(() => this.connect(), delay);
  }

  // Reconnects at once (the "retry now" button), skipping the rest of the backoff.
  now() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.attempt = 0;
      this.connect();
    }
  }

  dispatch(data) {
    if (typeof data !== 'string' || data.length > MESSAGE_MAX) return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    const id = msg && (msg.submission ?? msg.id);
    const set = typeof id === 'string' ? this.subs.get(id) : null;
    if (set) for (const fn of [...set]) fn(msg);
    else if (msg && msg.type === 'error') console.warn('gavel: gateway error message', msg);
  }
}

export function wsUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
