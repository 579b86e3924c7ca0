/*
 * host.js - the node side of a JavaScript tab (sim/js/js_mutex.c).
 *
 * tabsim starts one node process per tab slot and feeds it this file
 * (embedded in the binary).  The process owns nothing of the world: it is
 * the tab's JavaScript engine.  Every browser global the tab's code reaches
 * (localStorage, Date, performance, Math.random, timers, console) is a call
 * to the C process over stdin/stdout, so each storage call is a scheduling
 * point of the simulated world exactly as for a C tab, the clock is the
 * world's and every random value is the chooser's.
 *
 * Protocol: frames [u8 op][u32 little-endian length][payload], the payload
 * being fields each followed by a NUL byte.  C -> node: 'I' make a fresh
 * realm and the adapter instance, 'L' / 'U' call lock() / unlock(), 'T' run
 * a timer's callback, 'G' a Web Lock request's callback (granted, or null
 * for ifAvailable), 'E' dispatch a `storage` event (key, then oldValue and
 * newValue as 'v' + value or 'n' for null), 'A' / 'F' call a store's
 * add(event) (the event as JSON) / flush(), 'S' a send's answer, 'R' a
 * reply.  Each of I, L, U, T, G, E, A, F, S starts a macrotask:
 * node runs it with its microtasks to completion (the vm context's
 * microtaskMode 'afterEvaluate' drains them when the entry script returns),
 * then sends 'D'.  node -> C inside a macrotask: requests that wait for an
 * 'R' (g getItem, s setItem, x removeItem, k key, n length, r a batch of
 * Math.random values) and notes that do not (c the clock was read,
 * t setTimeout, q clearTimeout, l navigator.locks.request, f a Web Lock's
 * callback settled (release it), a the realm has storage listeners (1) or
 * none (0), p tab.send or fetch posts a body, o a call settled, w console, X a fatal
 * error); notes are queued and sent with the next request or the 'D'.
 * The world's time ends every frame that starts a macrotask and begins
 * every reply: it moves only while node waits for tabsim, so Date.now()
 * needs no round trip (its 'c' note still marks the step as a clock read).
 *
 * Invariants: one macrotask at a time (the C side serves it on the task
 * that started it); no JavaScript of the tab runs outside a macrotask, so
 * nothing happens between two frames; a realm lives until the next 'I'
 * (each execution of the search gets a fresh one, without a new process);
 * compiled scripts are shared by all realms (vm.Script is context-free).
 * Nothing here reads the wall clock or draws random numbers of its own.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const major = Number(process.versions.node.split('.')[0]);

let inBuf = Buffer.alloc(1 << 16);
let inStart = 0;
let inEnd = 0;

function fill(n) {
  if (inEnd - inStart >= n) return;
  if (inStart > 0) {
    inBuf.copy(inBuf, 0, inStart, inEnd);
    inEnd -= inStart;
    inStart = 0;
  }
  if (n > inBuf.length) {
    const b = Buffer.alloc(Math.max(n, inBuf.length * 2));
    inBuf.copy(b, 0, 0, inEnd);
    inBuf = b;
  }
  while (inEnd - inStart < n) {
    let r;
    try {
      r = fs.readSync(0, inBuf, inEnd, inBuf.length - inEnd, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      throw e;
    }
    if (r === 0) process.exit(0); /* tabsim has gone: so do we */
    inEnd += r;
  }
}

function readFrame() {
  fill(5);
  const op = String.fromCharCode(inBuf[inStart]);
  const len = inBuf.readUInt32LE(inStart + 1);
  fill(5 + len);
  const fields = len ? inBuf.toString('utf8', inStart + 5, inStart + 5 + len).split('\0') : [''];
  fields.pop();
  inStart += 5 + len;
  return { op, fields };
}

const outQueue = [];

function queueFrame(op, fields) {
  const text = fields.length ? fields.join('\0') + '\0' : '';
  const n = Buffer.byteLength(text, 'utf8');
  const b = Buffer.allocUnsafe(5 + n);
  b[0] = op.charCodeAt(0);
  b.writeUInt32LE(n, 1);
  b.write(text, 5, 'utf8');
  outQueue.push(b);
}

function flush() {
  if (outQueue.length === 0) return;
  const b = outQueue.length === 1 ? outQueue[0] : Buffer.concat(outQueue);
  outQueue.length = 0;
  let off = 0;
  while (off < b.length) {
    try {
      off += fs.writeSync(1, b, off, b.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

/* A request: send it (after the queued notes) and wait for the reply. */
function request(op, fields) {
  queueFrame(op, fields);
  flush();
  const f = readFrame();
  if (f.op !== 'R') fatal(`protocol: expected a reply to '${op}', got '${f.op}'`);
  clock = Number(f.fields[0]);
  clockNoted = false;
  return f.fields;
}

/* The world's clock as of the last frame from tabsim: virtual time moves
 * only while the JavaScript waits for tabsim (a storage call, between
 * macrotasks), and every reply and macrotask says where it stands.  A read
 * is still reported (a 'c' note, once per stretch between two replies), so
 * that the search knows this step read the clock. */
let clock = 0;
let clockNoted = false;
/* Math.random values, drawn by tabsim from the tab's stream in batches. */
const randoms = [];
/* tab.timing(n): the next Math.random decides one of n timings (a delay),
 * a choice of the chooser, drawn alone; a storage call or a clock read
 * first forgets it (code that reads the clock before it draws is computing
 * something else: browser-tabs-lock's new iat after a lost read-back). */
let outcomes = 0;

function fatal(message) {
  queueFrame('X', [String(message)]);
  flush();
  process.exit(2);
}

/* ---- the bridge the realm's globals call (all values primitive) ---- */

/* Storage results: a string, null, or a negative code (the realm throws):
 * -2 quota, -3 unavailable, -7 cancelled (the tab is going away). */
function code(text) {
  return text === 'ok' ? 0 : Number(text);
}

let pending = null; /* the macrotask the entry script runs */
let realmRequire = null;
let modulePath = '';

const bridge = Object.freeze({
  get(key) {
    outcomes = 0;
    const f = request('g', [key]);
    return f[1] === 'ok' ? f[2] : f[1] === 'null' ? null : code(f[1]);
  },
  set(key, value) {
    outcomes = 0;
    return code(request('s', [key, value])[1]);
  },
  remove(key) {
    outcomes = 0;
    return code(request('x', [key])[1]);
  },
  key(i) {
    const f = request('k', [String(i)]);
    return f[1] === 'ok' ? f[2] : f[1] === 'null' ? null : code(f[1]);
  },
  length() {
    return Number(request('n', [])[1]);
  },
  now() {
    outcomes = 0;
    if (!clockNoted) {
      queueFrame('c', []);
      clockNoted = true;
    }
    return clock;
  },
  random() {
    if (outcomes > 1) {
      const n = outcomes;
      outcomes = 0;
      return Number(request('r', [String(n)])[1]);
    }
    if (randoms.length === 0) {
      const f = request('r', []);
      for (let i = f.length - 1; i >= 1; i--) randoms.push(Number(f[i]));
    }
    return randoms.pop();
  },
  timer(id, ms) {
    queueFrame('t', [String(id), String(ms)]);
  },
  clear(id) {
    queueFrame('q', [String(id)]);
  },
  lockRequest(id, name, flags) {
    queueFrame('l', [String(id), name, String(flags)]);
  },
  lockRelease(id) {
    queueFrame('f', [String(id)]);
  },
  send(id, body) {
    queueFrame('p', [String(id), body]);
  },
  settled(call, result) {
    queueFrame('o', [String(call), result]);
  },
  timing(n) {
    outcomes = Math.trunc(Number(n)) || 0;
  },
  listening(on) {
    queueFrame('a', [on ? '1' : '0']);
  },
  log(level, text) {
    queueFrame('w', [level, text]);
  },
  next() {
    return pending;
  },
  require(spec) {
    return realmRequire(spec, path.dirname(modulePath));
  },
  /* Pure classes a page has and a vm context lacks (no I/O, no clock). */
  URL,
  URLSearchParams,
  TextEncoder,
  TextDecoder,
  fatal,
});

/* ---- the realm: browser globals over the bridge ---- */

const bootstrap = new vm.Script(`(function (host, hasLocks) {
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
  const storage = {
    getItem(k) { return check(host.get(String(k))); },
    setItem(k, v) { check(host.set(String(k), String(v))); },
    removeItem(k) { check(host.remove(String(k))); },
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
  function text(e) { return e && e.stack ? String(e.stack) : String(e); }
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
      (v) => host.settled(call, v === true ? '1' : v === false ? '0' : v === undefined ? 'u' : 'v' + (typeof v === 'string' ? JSON.stringify(v) : typeof v)),
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
        host.fatal('module.exports (or its default export) is not a function (tab) => ({ lock, unlock }); it is ' + typeof m);
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

const entry = new vm.Script('__tabsim_run()', { filename: 'tabsim:entry' });
const scripts = new Map(); /* file -> compiled CommonJS wrapper, shared by realms */
const resolved = new Map(); /* dir + '\0' + spec -> file */

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (e) {
    return false;
  }
}

function fromPackage(dir) {
  const pj = path.join(dir, 'package.json');
  if (!isFile(pj)) return null;
  const meta = JSON.parse(fs.readFileSync(pj, 'utf8'));
  /* A bundler's view for require(): the "exports" entry under the
   * conditions browser, then default, with require (CommonJS), then the
   * "browser" entry, then "main" (a tab is a browser; ES modules, .mjs,
   * are not loaded). */
  const main = fromExports(meta.exports) ||
    (typeof meta.browser === 'string' && !meta.browser.endsWith('.mjs') ? meta.browser : meta.main);
  return main ? asFile(path.join(dir, main)) : null;
}

function fromExports(exp) {
  if (!exp || typeof exp !== 'object') return typeof exp === 'string' && !exp.endsWith('.mjs') ? exp : null;
  const root = Object.keys(exp).some((k) => k.startsWith('.')) ? exp['.'] : exp;
  const pick = (e) => {
    if (typeof e === 'string') return e.endsWith('.mjs') ? null : e;
    if (!e || typeof e !== 'object') return null;
    for (const c of ['browser', 'default', 'require']) {
      const r = pick(e[c]);
      if (r) return r;
    }
    return null;
  };
  return pick(root);
}

function asFile(p) {
  for (const c of [p, p + '.js', p + '.cjs', p + '.json'])
    if (isFile(c)) return c;
  return fromPackage(p) || (isFile(path.join(p, 'index.js')) ? path.join(p, 'index.js') : null);
}

function resolve(spec, dir) {
  const memo = dir + '\0' + spec;
  if (resolved.has(memo)) return resolved.get(memo);
  let file = null;
  if (spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec)) {
    file = asFile(path.resolve(dir, spec));
  } else {
    for (let d = dir; !file; d = path.dirname(d)) {
      file = asFile(path.join(d, 'node_modules', spec));
      if (d === path.dirname(d)) break;
    }
  }
  if (!file) throw new Error(`Cannot find module '${spec}' from ${dir}`);
  resolved.set(memo, file);
  return file;
}

function compiled(file) {
  let s = scripts.get(file);
  if (!s) {
    const src = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const body = file.endsWith('.json') ? 'module.exports = ' + src + ';' : src;
    s = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + body + '\n})',
                      { filename: file });
    scripts.set(file, s);
  }
  return s;
}

/* The tab's realm, fresh for each execution.  A new vm context costs
 * over a millisecond, more than a whole run, so the context is made once
 * per process and reset instead: the globals the tab's code added are
 * deleted, the browser globals installed again (new storage, clock,
 * timers, listeners), and every module evaluated again from an empty
 * module cache (the compiled scripts are kept).  What is not undone: changes
 * to the built-in objects' prototypes (a polyfill's), which live on. */
let ctx = null;
let baseline = null; /* the global names after the first bootstrap */

function resetRealm(index, hasLocks) {
  if (!ctx) {
    ctx = vm.createContext({}, { name: 'tab' + index, microtaskMode: 'afterEvaluate' });
    bootstrap.runInContext(ctx)(bridge, hasLocks);
    baseline = vm.runInContext('Object.getOwnPropertyNames(globalThis)', ctx);
  } else {
    vm.runInContext('(function (keep) { for (const n of Object.getOwnPropertyNames(globalThis)) ' +
                    'if (!keep.includes(n)) delete globalThis[n]; })', ctx)(baseline);
    bootstrap.runInContext(ctx)(bridge, hasLocks);
  }
  const cache = new Map();
  function load(spec, dir) {
    const file = resolve(spec, dir);
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {}, filename: file };
    cache.set(file, module);
    const req = (s) => load(s, path.dirname(file));
    compiled(file).runInContext(ctx)(module.exports, req, module, file, path.dirname(file));
    return module.exports;
  }
  realmRequire = load;
}

if (major < 18) fatal(`node ${process.versions.node} is too old; tabsim needs node 18 or newer`);
queueFrame('H', [process.versions.node]);
flush();
for (;;) {
  const f = readFrame();
  if (f.op === 'I') {
    modulePath = f.fields[0];
    resetRealm(f.fields[2], f.fields[3] === '1');
    pending = ['I', modulePath, f.fields[1], Number(f.fields[2]), f.fields[4] === '1'];
    randoms.length = 0;
    outcomes = 0;
  } else if (f.op === 'L' || f.op === 'U' || f.op === 'T' || f.op === 'F') {
    pending = [f.op, Number(f.fields[0])];
  } else if (f.op === 'A' || f.op === 'S') {
    pending = [f.op, Number(f.fields[0]), f.fields[1]];
  } else if (f.op === 'G') {
    pending = [f.op, Number(f.fields[0]), f.fields[1] === '1'];
  } else if (f.op === 'E') {
    const v = (x) => (x[0] === 'v' ? x.slice(1) : null);
    pending = [f.op, f.fields[0], v(f.fields[1]), v(f.fields[2])];
  } else {
    fatal(`protocol: unexpected frame '${f.op}'`);
  }
  clock = Number(f.fields[f.fields.length - 1]);
  clockNoted = false;
  entry.runInContext(ctx);
  pending = null;
  queueFrame('D', []);
  flush();
}
