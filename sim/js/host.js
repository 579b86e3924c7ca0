/*
 * host.js - the node side of a JavaScript tab (sim/js/js_mutex.c).
 *
 * tabsim starts one node process per tab slot and feeds it this script
 * (embedded in the binary; see "Parts" below).  The process owns nothing of the world: it is
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
 * t setTimeout, with the call whose code set it, q clearTimeout,
 * l navigator.locks.request, f a Web Lock's
 * callback settled (release it), a the realm has storage listeners (1) or
 * none (0), p tab.send or fetch posts a body, o a call settled, w console, X a fatal
 * error); notes are queued and sent with the next request or the 'D'.
 * The world's time ends every frame that starts a macrotask and begins
 * every reply: it moves only while node waits for tabsim, so Date.now()
 * needs no round trip (its 'c' note still marks the step as a clock read).
 *
 * Parts.  The script node runs (node --experimental-vm-modules -e) is
 * realm.js (the browser globals), modules.js (finding and loading the
 * tab's code, CommonJS and ES modules, and the realm's reset) and this
 * file (the protocol, the bridge, the main loop), in that order, under one
 * 'use strict' (sim/js/embed.cmake).  They share its top-level scope; the
 * other two only define things, and the main loop at the end of this file
 * starts once everything is defined.
 *
 * Invariants: one macrotask at a time (the C side serves it on the task
 * that started it); no JavaScript of the tab runs outside a macrotask, so
 * nothing happens between two frames; a realm lives until the next 'I'
 * (each execution of the search gets a fresh one, without a new process);
 * compiled scripts are shared by all realms (vm.Script is context-free).
 * Nothing here reads the wall clock or draws random numbers of its own.
 * The only asynchronous step is the linking of an ES module adapter at
 * 'I' (node's API is promise-based); the loop awaits it, and nothing else
 * of node's event loop runs meanwhile (no timers, no I/O callbacks).
 */
const fs = require('fs');
const path = require('path');
const url = require('url');
const vm = require('vm');
const v8 = require('v8');

/* node prints an ExperimentalWarning when the first vm.SourceTextModule
 * is made (an ES module adapter): that one is dropped, so that a run's
 * output does not depend on the kind of module; others go to stderr. */
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning' || !/VM Modules/.test(w.message))
    process.stderr.write(`(node) ${w.name}: ${w.message}\n`);
});

const major = Number(process.versions.node.split('.')[0]);

/* Unhandled rejections: a promise of the tab's code rejected with no
 * handler by the end of the macrotask that rejected it (an async timer
 * callback or storage listener that throws, a Promise.reject() nobody
 * awaits) is reported as a browser's console reports it, "Uncaught (in
 * promise)", as a warning of the step that ran the macrotask.  node
 * tracks rejections for every context; it hands them to this listener
 * when it processes its tick queue, which nothing else does while the
 * main loop runs, so the loop asks for that after each macrotask
 * (process._tickCallback: node 18 and 20 have it).  A node without it
 * would hand them over only at the next 'I' of an ES module adapter, in
 * another execution: there they are dropped, not pinned on a step that
 * did not make them.  The listener also keeps node from treating them
 * as fatal, its default. */
const tickQueue = typeof process._tickCallback === 'function' ? process._tickCallback : null;
process.on('unhandledRejection', (reason) => {
  if (tickQueue) queueFrame('w', ['warn', 'uncaught (in promise): ' + errorText(reason)]);
});

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

/* What a note or request carries that the tab's code chose, by op: a NUL
 * in it cannot cross (fields end at NUL, and the world's keys and values
 * are C strings), so it is refused rather than cut short silently. */
const NUL_WHAT = {
  g: 'a localStorage key (getItem)', s: 'a localStorage key or value (setItem)', x: 'a localStorage key (removeItem)',
  l: 'a Web Lock name (navigator.locks.request)', p: 'a body sent (tab.send or fetch)',
};

function queueFrame(op, fields) {
  for (let i = 0; i < fields.length; i++) {
    if (typeof fields[i] !== 'string' || fields[i].indexOf('\0') < 0) continue;
    if (op === 'w' || op === 'X') { /* text to show: the NUL shown as \0 */
      fields[i] = fields[i].replace(/\0/g, '\\0');
    } else {
      fatal(`${NUL_WHAT[op] || 'a value the code passed'} holds a NUL character (U+0000), which tabsim cannot hold ` +
            '(keys, values and text are C strings in its world); allowed: text without U+0000');
    }
  }
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

/* An error as the user reads it, here and in the realm (its text()):
 * name and message, and the user's file and line, not node's frames.  An ES module's syntax error names no file in
 * its stack: the adapter's path is added. */
function errorText(e) {
  if (!e || typeof e !== 'object') return String(e);
  let head;
  try { head = String(e); } catch (_) { head = 'an error'; }
  const lines = String(e.stack || '').split('\n');
  let where = '';
  if (/^\S.*:\d+$/.test(lines[0]) && !lines[0].startsWith(head)) {
    where = lines[0];
  } else {
    const frame = lines.find((l) => /^\s+at /.test(l) && !/\(?(node:|\[eval\]|tabsim:|evalmachine)/.test(l));
    if (frame) where = frame.trim().slice(3);
  }
  if (!where && e.name === 'SyntaxError') where = modulePath;
  return where ? head + ' (at ' + where + ')' : head;
}

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

/* Whose code runs: the call of the tab's code (lock, unlock, add, flush:
 * its id) that the running code serves, followed through its awaits (as
 * DevTools' async stack traces and TC39's AsyncContext follow code);
 * undefined for code of no call (a storage listener's own body).  A
 * macrotask that calls the adapter runs in its call; a timer's callback
 * in the call whose code set the timer; a promise reaction (the code an
 * await resumes, a then callback) in the call that was running when it
 * was registered, whichever macrotask settles the promise.  tabsim reads
 * it with each timer ('t'): a timer is work under way as the call that
 * set it is (js_mutex.c, timer_start), whichever macrotask of the tab the
 * code ran in (a storage event's, another call's notify).  V8's promise
 * hooks carry it (they reach every realm of the process); node's
 * AsyncLocalStorage would too, but its async_hooks made bench_js's
 * browser-tabs-lock 55 % slower, these hooks no slower than that
 * measurement's noise. */
let runningCall;
const callOfReaction = Symbol('tabsim call');
const reactionCalls = [];
v8.promiseHooks.createHook({
  init(promise) {
    if (runningCall !== undefined) promise[callOfReaction] = runningCall;
  },
  before(promise) {
    reactionCalls.push(runningCall);
    runningCall = promise[callOfReaction];
  },
  after() {
    runningCall = reactionCalls.pop();
  },
});
const timerCalls = new Map(); /* timer id -> the call whose code set it */

let pending = null; /* the macrotask the entry script runs */
let modulePath = '';
let adapterNamespace = null; /* an ES module adapter's, loaded at 'I' */

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
    const call = runningCall;
    if (call === undefined) timerCalls.delete(id);
    else timerCalls.set(id, call);
    queueFrame('t', [String(id), String(ms), call === undefined ? '' : String(call)]);
  },
  clear(id) {
    timerCalls.delete(id);
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
    if (adapterNamespace && spec === modulePath) return adapterNamespace;
    return realmRequire(spec, path.dirname(modulePath));
  },
  /* Pure classes a page has and a vm context lacks (no I/O, no clock). */
  URL,
  URLSearchParams,
  TextEncoder,
  TextDecoder,
  errorText,
  fatal,
});

/* ---- the main loop: one frame from tabsim, one macrotask ---- */

const entry = new vm.Script('__tabsim_run()', { filename: 'tabsim:entry' });

async function main() {
  if (major < 18) fatal(`node ${process.versions.node} is too old; tabsim needs node 18 or newer`);
  queueFrame('H', [process.versions.node]);
  flush();
  for (;;) {
    const f = readFrame();
    clock = Number(f.fields[f.fields.length - 1]);
    clockNoted = false;
    if (f.op === 'I') {
      modulePath = f.fields[0];
      resetRealm(f.fields[2], f.fields[3] === '1');
      timerCalls.clear();
      pending = ['I', modulePath, f.fields[1], Number(f.fields[2]), f.fields[4] === '1'];
      randoms.length = 0;
      outcomes = 0;
      adapterNamespace = null;
      if (isModuleFile(modulePath)) {
        try {
          adapterNamespace = await importAdapter(modulePath);
        } catch (e) {
          fatal('the module failed to load: ' + errorText(e));
        }
      }
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
    let call;
    if (f.op === 'L' || f.op === 'U' || f.op === 'A' || f.op === 'F') {
      call = pending[1];
    } else if (f.op === 'T') {
      call = timerCalls.get(pending[1]);
      timerCalls.delete(pending[1]); /* setInterval's next round sets it again */
    }
    runningCall = call; /* its microtasks run before runInContext returns */
    entry.runInContext(ctx);
    runningCall = undefined;
    pending = null;
    if (tickQueue) tickQueue(); /* rejections left unhandled, as 'w' notes ("Unhandled rejections") */
    queueFrame('D', []);
    flush();
  }
}

main().catch((e) => fatal('host: ' + errorText(e)));
