/*
 * modules.js - the tab's code in its realm: how the adapter ([js] module)
 * and what it requires are found, loaded and reset (part of the script
 * node runs; host.js says how the parts are put together).
 *
 * Why: a page's code reaches its packages through a bundler, which picks
 * a package's browser build; tabsim does the same, without a bundler, so
 * that the code published on npm runs unmodified.
 *
 * Resolution.  Relative paths and absolute paths as they are, else
 * packages in node_modules folders up from the requiring file.  In a
 * package, the "exports" entry under the conditions browser, then default,
 * with require (CommonJS), then the "browser" entry, then "main"; a file
 * name may omit .js, .cjs, .json, or be a folder with index.js.  ES
 * modules (.mjs) are not loaded.
 *
 * CommonJS files (.js, .cjs, .json) run in a function wrapper, compiled
 * once per process (vm.Script is context-free) and evaluated again in each
 * realm.
 *
 * Invariants: one realm per process, reset (resetRealm) for each
 * execution; a realm's module cache is its own, so every execution
 * evaluates every module again, in the same order; resolution is cached
 * per process (the files do not change during a run).  Nothing here reads
 * the clock or draws random numbers.
 */
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
let realmRequire = null; /* require(spec, dir) in this realm */

function resetRealm(index, hasLocks) {
  if (!ctx) {
    ctx = vm.createContext({}, { name: 'tab' + index, microtaskMode: 'afterEvaluate' });
    bootstrap().runInContext(ctx)(bridge, hasLocks);
    baseline = vm.runInContext('Object.getOwnPropertyNames(globalThis)', ctx);
  } else {
    vm.runInContext('(function (keep) { for (const n of Object.getOwnPropertyNames(globalThis)) ' +
                    'if (!keep.includes(n)) delete globalThis[n]; })', ctx)(baseline);
    bootstrap().runInContext(ctx)(bridge, hasLocks);
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
