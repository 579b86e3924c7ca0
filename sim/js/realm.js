/*
 * realm.js - the browser a tab's code sees: the globals of its realm
 * (a vm context), installed by the bootstrap function below over the
 * bridge to tabsim (host.js): localStorage, the clock, Math.random, timers,
 * the `storage` event, navigator.locks, fetch, console, and the entry
 * (__tabsim_run) that runs each macrotask tabsim starts.  Part of the
 * script node runs; host.js says how the parts are put together.
 *
 * Why here, as text: the code runs inside the realm, so that the page's
 * code sees objects of its own realm (its own Object, Promise, Error),
 * not the host's; it is compiled once per process (vm.Script is
 * context-free) and run again in each fresh realm (modules.js).
 *
 * Invariants: every global that reaches the world (storage, clock,
 * random, timers, locks, sends, logs) goes through the bridge (host), so
 * that each is a frame to tabsim and nothing else decides; the realm
 * keeps no state between executions (resetRealm runs this again); one
 * macrotask at a time (run() is called by the entry script only).
 */
let bootstrapScript = null;

/* The compiled bootstrap: (host, hasLocks) => void, run in a realm. */
function bootstrap() {
  if (!bootstrapScript)
    bootstrapScript = new vm.Script(`(function (host, hasLocks) {
  'use strict';
  const g = globalThis;
  const HostDate = Date;
  class DOMException extends Error {
    constructor(message, name) { super(message); this.name = name || 'Error'; }
  }
  function check(r) {
    if (typeof r !== 'number' || r === 0) return r;
    if (r === -2) throw new DOMException("Failed to execute 'setItem' on 'Storage': the quota has been exceeded.", 'QuotaExceededError');
    if (r === -3) throw new DOMException('The operation is insecure.', 'SecurityError');
    throw new DOMException('tabsim: the tab is going away', 'AbortError');
  }
  /* WebIDL's DOMString conversion: ToString, which throws on a Symbol
   * (String(symbol) would store "Symbol(s)" where a browser throws). */
  function domString(v) {
    if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
    return String(v);
  }
  const storage = {
    getItem(k) { return check(host.get(domString(k))); },
    setItem(k, v) { check(host.set(domString(k), domString(v))); },
    removeItem(k) { check(host.remove(domString(k))); },
    key(i) { return check(host.key(Math.trunc(Number(i)) || 0)); },
    get length() { return host.length(); },
    clear() { throw new DOMException('tabsim: localStorage.clear() is not simulated', 'NotSupportedError'); },
  };
  function now() { return host.now(); }
  function SimDate(...a) {
    if (!new.target) return new HostDate(now()).toString();
    return a.length === 0 ? new HostDate(now()) : new HostDate(...a);
  }
  SimDate.prototype = HostDate.prototype;
  SimDate.now = now;
  SimDate.UTC = HostDate.UTC;
  SimDate.parse = HostDate.parse;
  Object.defineProperty(HostDate.prototype, 'constructor', { value: SimDate });
  Math.random = function random() { return host.random(); };
  /* Timers: HTML clamps a timeout nested more than 5 deep to 4 ms. */
  const timers = new Map();
  let nextTimer = 1;
  let nesting = 0;
  function addTimer(fn, ms, args, repeat) {
    const id = nextTimer++;
    let d = Math.max(0, Math.trunc(Number(ms)) || 0);
    const level = nesting + 1;
    if (level > 5 && d < 4) d = 4;
    timers.set(id, { fn, args, level, repeat, d });
    host.timer(id, d);
    return id;
  }
  function clearTimer(id) {
    if (timers.delete(id)) host.clear(id);
  }
  /* The storage event: listeners in the order added, the onstorage
   * handler at the place it was first set (as DOM event handlers are);
   * tabsim is told when there come to be some, or none. */
  const listeners = [];
  let onstorage = null;
  const handlerSlot = {};
  function listenersChanged(before) {
    const now = listeners.length > 0;
    if (now !== before) host.listening(now);
  }
  class StorageEvent {
    constructor(type, init) {
      const i = init || {};
      this.type = String(type);
      this.key = i.key === undefined ? null : i.key;
      this.oldValue = i.oldValue === undefined ? null : i.oldValue;
      this.newValue = i.newValue === undefined ? null : i.newValue;
      this.url = i.url === undefined ? '' : i.url;
      this.storageArea = i.storageArea === undefined ? null : i.storageArea;
      this.bubbles = false;
      this.cancelable = false;
      this.isTrusted = false;
      this.target = null;
      this.currentTarget = null;
      this.timeStamp = host.now();
    }
    preventDefault() {}
    stopPropagation() {}
    stopImmediatePropagation() { this.stopped = true; }
  }
  function dispatchStorage(key, oldValue, newValue) {
    const ev = new StorageEvent('storage', { key, oldValue, newValue, url: location.href, storageArea: storage });
    Object.defineProperty(ev, 'isTrusted', { value: true });
    ev.target = ev.currentTarget = g;
    for (const fn of listeners.slice()) {
      if (ev.stopped) break;
      const f = fn === handlerSlot ? onstorage : fn;
      try {
        if (typeof f === 'function') f.call(g, ev);
        else if (f && typeof f.handleEvent === 'function') f.handleEvent(ev);
      } catch (e) { report(e); }
    }
  }
  /* navigator.locks: exclusive requests, ifAvailable and steal, granted
   * by the simulator's Web Locks manager; absent when the scenario's
   * browser has none ([web-locks] available = false). */
  const requests = new Map();
  let nextRequest = 1;
  const notSupported = (what) => Promise.reject(new DOMException('tabsim: ' + what + ' is not simulated', 'NotSupportedError'));
  const locks = {
    request(name, a, b) {
      const options = typeof a === 'function' ? {} : a || {};
      const callback = typeof a === 'function' ? a : b;
      if (typeof callback !== 'function') return Promise.reject(new TypeError('navigator.locks.request: no callback'));
      if ((options.mode || 'exclusive') !== 'exclusive') return notSupported('a shared Web Lock');
      if (options.signal) return notSupported('an AbortSignal on a Web Lock request');
      if (options.steal && options.ifAvailable) return Promise.reject(new DOMException('steal and ifAvailable', 'NotSupportedError'));
      const id = nextRequest++;
      return new Promise((resolve, reject) => {
        requests.set(id, { name: String(name), callback, resolve, reject });
        host.lockRequest(id, String(name), (options.ifAvailable ? 1 : 0) | (options.steal ? 2 : 0));
      });
    },
    query() { return notSupported('navigator.locks.query()'); },
  };
  function granted(id, ok) {
    const r = requests.get(id);
    if (!r) return;
    let p;
    try { p = r.callback(ok ? { name: r.name, mode: 'exclusive' } : null); } catch (e) { p = Promise.reject(e); }
    const end = () => { requests.delete(id); if (ok) host.lockRelease(id); };
    Promise.resolve(p).then((v) => { end(); r.resolve(v); }, (e) => { end(); r.reject(e); });
  }
  /* tab.send(body) and fetch(url, {body}): a POST of body to the
   * simulated server, answered in a macrotask of its own ('S') with "ok",
   * or an error code: -4 the server answered an error (HTTP 500), -5 no
   * answer in time (delivery unknown; fetch rejects as a network error). */
  const sends = new Map();
  let nextSend = 1;
  function post(body) {
    const id = nextSend++;
    return new Promise((resolve, reject) => {
      sends.set(id, { resolve, reject });
      host.send(id, String(body));
    });
  }
  function answered(id, result) {
    const s = sends.get(id);
    if (!s) return;
    sends.delete(id);
    s.resolve(result === 'ok' ? 'ok' : result === '-4' ? 'error' : 'timeout');
  }
  class AbortSignal {
    constructor() { this.aborted = false; this.reason = undefined; this.onabort = null; this._l = []; }
    addEventListener(type, fn) { if (type === 'abort') this._l.push(fn); }
    removeEventListener(type, fn) { this._l = this._l.filter((f) => f !== fn); }
    throwIfAborted() { if (this.aborted) throw this.reason; }
  }
  class AbortController {
    constructor() { this.signal = new AbortSignal(); }
    abort(reason) {
      const s = this.signal;
      if (s.aborted) return;
      s.aborted = true;
      s.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
      const ev = { type: 'abort', target: s };
      for (const f of [s.onabort, ...s._l]) if (typeof f === 'function') { try { f.call(s, ev); } catch (e) { report(e); } }
    }
  }
  class Response {
    constructor(status, body) {
      this.status = status;
      this.ok = status >= 200 && status < 300;
      this.statusText = status === 200 ? 'OK' : 'Internal Server Error';
      this._body = body;
      this.headers = { get: (n) => (String(n).toLowerCase() === 'content-type' ? 'application/json' : null) };
    }
    text() { return Promise.resolve(this._body); }
    json() { return Promise.resolve().then(() => JSON.parse(this._body)); }
  }
  function fetch(url, init) {
    const o = init || {};
    const signal = o.signal;
    const aborted = () => (signal && signal.reason) || new DOMException('This operation was aborted', 'AbortError');
    if (signal && signal.aborted) return Promise.reject(aborted());
    return new Promise((resolve, reject) => {
      if (signal) signal.addEventListener('abort', () => reject(aborted()));
      post(o.body === undefined || o.body === null ? '' : o.body).then((r) => {
        if (r === 'ok') resolve(new Response(200, '{}'));
        else if (r === 'error') resolve(new Response(500, '{"error":{"message":"tabsim: the server answered an error"}}'));
        else reject(new TypeError('Failed to fetch'));
      });
    });
  }
  /* An error as a user reads it (host.js: errorText). */
  function text(e) { return host.errorText(e); }
  function report(e) { host.log('warn', 'uncaught: ' + text(e)); }
  const console = {};
  for (const [name, level] of [['log', 'debug'], ['debug', 'debug'], ['info', 'debug'], ['warn', 'warn'], ['error', 'warn']])
    console[name] = (...a) => host.log(level, a.map(String).join(' '));
  Object.assign(g, {
    window: g, self: g, localStorage: storage, Date: SimDate, DOMException, console,
    performance: { now },
    navigator: hasLocks ? { userAgent: 'tabsim', locks } : { userAgent: 'tabsim' },
    setTimeout(fn, ms, ...args) { return addTimer(fn, ms, args, false); },
    setInterval(fn, ms, ...args) { return addTimer(fn, ms, args, true); },
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    queueMicrotask(fn) { Promise.resolve().then(fn); },
    fetch, AbortController, AbortSignal, Response,
    URL: host.URL, URLSearchParams: host.URLSearchParams, TextEncoder: host.TextEncoder, TextDecoder: host.TextDecoder,
    location: { href: 'https://app.tabsim.test/', origin: 'https://app.tabsim.test' },
    StorageEvent,
    addEventListener(type, fn) {
      if (type !== 'storage' || !fn || listeners.includes(fn)) return;
      const before = listeners.length > 0;
      listeners.push(fn);
      listenersChanged(before);
    },
    removeEventListener(type, fn) {
      const i = listeners.indexOf(fn);
      if (type !== 'storage' || i < 0) return;
      const before = listeners.length > 0;
      listeners.splice(i, 1);
      listenersChanged(before);
    },
  });
  Object.defineProperty(g, 'onstorage', {
    configurable: true,
    enumerable: true,
    get() { return onstorage; },
    set(fn) {
      const before = listeners.length > 0;
      onstorage = typeof fn === 'function' ? fn : null;
      const i = listeners.indexOf(handlerSlot);
      if (onstorage && i < 0) listeners.push(handlerSlot);
      else if (!onstorage && i >= 0) listeners.splice(i, 1);
      listenersChanged(before);
    },
  });
  let instance = null;
  function settle(call, p) {
    Promise.resolve(p).then(
      (v) => host.settled(call, v === true ? '1' : v === false ? '0' : v === undefined ? 'u' : 'v' + (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' || typeof v === 'bigint' || v === null ? String(v) : typeof v)),
      (e) => host.settled(call, 'E' + text(e)));
  }
  function call(name, id, arg) {
    let p;
    try { p = instance[name](arg); } catch (e) { p = Promise.reject(e); }
    settle(id, p);
  }
  function run() {
    const [op, a, b, c, d] = host.next();
    if (op === 'T') {
      const t = timers.get(a);
      if (!t) return;
      if (!t.repeat) timers.delete(a);
      else host.timer(a, t.d);
      nesting = t.level;
      try { if (typeof t.fn === 'function') t.fn(...t.args); } catch (e) { report(e); }
      nesting = 0;
    } else if (op === 'G') {
      granted(a, b);
    } else if (op === 'E') {
      dispatchStorage(a, b, c);
    } else if (op === 'A') {
      call('add', a, JSON.parse(b));
    } else if (op === 'F') {
      call('flush', a);
    } else if (op === 'S') {
      answered(a, b);
    } else if (op === 'L') {
      call('lock', a);
    } else if (op === 'U') {
      call('unlock', a);
    } else if (op === 'I') {
      let m;
      try { m = host.require(a); } catch (e) { host.fatal('the module failed to load: ' + text(e)); }
      const factory = typeof m === 'function' ? m : m && typeof m.default === 'function' ? m.default : null;
      if (!factory)
        host.fatal('module.exports (or its default export) is not a function (tab) => ({ lock, unlock }); it is ' +
          (m && typeof m === 'object' && Object.prototype.toString.call(m) === '[object Module]'
            ? ('default' in m ? 'a default export of type ' + typeof m.default : 'an ES module with no default export')
            : typeof m));
      const tab = Object.freeze({ id: b, index: c, send: post, timing: (n) => host.timing(n) });
      try { instance = factory(tab); } catch (e) { host.fatal('the adapter threw: ' + text(e)); }
      if (d && (!instance || typeof instance.add !== 'function' || typeof instance.flush !== 'function'))
        host.fatal('the adapter returned no { add, flush } functions, which [workload] mode = js-events calls');
      if (!d && (!instance || typeof instance.lock !== 'function' || typeof instance.unlock !== 'function'))
        host.fatal('the adapter returned no { lock, unlock } functions');
    }
  }
  Object.defineProperty(g, '__tabsim_run', { value: run, configurable: true, writable: true });
})`, { filename: 'tabsim:bootstrap' });
  return bootstrapScript;
}
