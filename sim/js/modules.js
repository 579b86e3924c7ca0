/*
 * modules.js - the tab's code in its realm: how the adapter ([js] module)
 * and what it requires or imports are found, loaded and reset (part of the
 * script node runs; host.js says how the parts are put together).
 *
 * Why: a page's code reaches its packages through a bundler, which picks
 * a package's browser build; tabsim does the same, without a bundler, so
 * that the code published on npm runs unmodified.
 *
 * Resolution.  Relative paths and absolute paths as they are, else
 * packages in node_modules folders up from the importing file.  In a
 * package, the "exports" entry under the conditions browser, then default,
 * then require (for require) or browser, import, default (for import);
 * without one, the "browser" entry, for import the "module" entry, then
 * "main".  A file name may omit .js (and .mjs for import), .cjs, .json, or
 * be a folder with index.js.  require() never picks an .mjs file.
 *
 * CommonJS files (.js, .cjs, .json) run in a function wrapper, compiled
 * once per process (vm.Script is context-free) and evaluated again in each
 * realm.  ES modules (.mjs, or .js under a package.json whose "type" is
 * "module") are vm.SourceTextModule (node's --experimental-vm-modules),
 * one per realm and file, compiled from a code cache made at the first;
 * the adapter module's namespace is what require() of the adapter gives
 * (its default export the factory).  A CommonJS file an ES module imports
 * is a vm.SyntheticModule whose default export is its module.exports and
 * whose named exports are that object's own keys; it runs when the import
 * graph is linked, so before the ES modules' bodies (node runs it in its
 * place in evaluation order).  Not supported: require() of an ES module
 * (as in node 20), import() inside the realm, top-level await.
 *
 * Invariants: one realm per process, reset (resetRealm) for each
 * execution; a realm's module caches (CommonJS and ES) are its own, so
 * every execution evaluates every module again, in the same order;
 * resolution and package.json reads are cached per process (the files do
 * not change during a run).  Nothing here reads the clock or draws random
 * numbers.
 */
const scripts = new Map(); /* file -> compiled CommonJS wrapper, shared by realms */
const resolved = new Map(); /* kind + dir + '\0' + spec -> file */
const packages = new Map(); /* dir -> its parsed package.json, or null */
const moduleTypes = new Map(); /* dir -> whether its .js files are ES modules */
const esmCache = new Map(); /* file -> V8 code cache of its SourceTextModule */
const REQUIRE = ['browser', 'default', 'require'];
const IMPORT = ['browser', 'import', 'default'];

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (e) {
    return false;
  }
}

function readPackage(dir) {
  if (!packages.has(dir)) {
    const pj = path.join(dir, 'package.json');
    packages.set(dir, isFile(pj) ? JSON.parse(fs.readFileSync(pj, 'utf8')) : null);
  }
  return packages.get(dir);
}

/* Whether a file is an ES module: .mjs, or .js under "type": "module". */
function isModuleFile(file) {
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;
  const typeOf = (dir) => {
    if (!moduleTypes.has(dir)) {
      const meta = readPackage(dir);
      const parent = path.dirname(dir);
      moduleTypes.set(dir, meta ? meta.type === 'module' : parent !== dir && typeOf(parent));
    }
    return moduleTypes.get(dir);
  };
  return typeOf(path.dirname(file));
}

function usable(file, conditions) {
  return typeof file === 'string' && (conditions === IMPORT || !file.endsWith('.mjs'));
}

function fromPackage(dir, conditions) {
  const meta = readPackage(dir);
  if (!meta) return null;
  const main = fromExports(meta.exports, conditions) ||
    (usable(meta.browser, conditions) ? meta.browser
      : conditions === IMPORT && usable(meta.module, conditions) ? meta.module : meta.main);
  return main ? asFile(path.join(dir, main), conditions) : null;
}

function fromExports(exp, conditions) {
  if (!exp || typeof exp !== 'object') return usable(exp, conditions) ? exp : null;
  const root = Object.keys(exp).some((k) => k.startsWith('.')) ? exp['.'] : exp;
  const pick = (e) => {
    if (typeof e === 'string') return usable(e, conditions) ? e : null;
    if (!e || typeof e !== 'object') return null;
    for (const c of conditions) {
      const r = pick(e[c]);
      if (r) return r;
    }
    return null;
  };
  return pick(root);
}

function asFile(p, conditions) {
  const tries = conditions === IMPORT ? [p, p + '.js', p + '.mjs', p + '.cjs', p + '.json'] : [p, p + '.js', p + '.cjs', p + '.json'];
  for (const c of tries)
    if (isFile(c)) return c;
  return fromPackage(p, conditions) || (isFile(path.join(p, 'index.js')) ? path.join(p, 'index.js') : null);
}

function resolve(spec, dir, conditions) {
  const memo = (conditions === IMPORT ? 'i' : 'r') + dir + '\0' + spec;
  if (resolved.has(memo)) return resolved.get(memo);
  let file = null;
  if (spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec)) {
    file = asFile(path.resolve(dir, spec), conditions);
  } else {
    for (let d = dir; !file; d = path.dirname(d)) {
      file = asFile(path.join(d, 'node_modules', spec), conditions);
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
 * timers, listeners), and every module evaluated again from empty
 * module caches (the compiled scripts are kept).  What is not undone: changes
 * to the built-in objects' prototypes (a polyfill's), which live on.
 *
 * Warm code.  Each CommonJS module's wrapper function, the bootstrap and
 * the reset are made in the realm once and called again at each reset:
 * a call runs the module's body afresh (its variables are the call's),
 * but the functions it creates come from the same closure sites of the
 * same function, so they share V8's feedback and optimised code from one
 * execution to the next.  Running the scripts again instead made new
 * functions whose code started cold every execution (most of a JavaScript
 * tab's time, bench/bench_js.sh). */
let ctx = null;
let baseline = null; /* the global names after the first bootstrap */
let loadFile = null; /* CommonJS: file -> module.exports, in this realm */
let esModules = null; /* file -> vm.Module, in this realm */
let bootFn = null; /* (host, hasLocks) => void, made in the realm */
let clearFn = null; /* (keep) => void: delete the globals not in keep */
const wrappers = new Map(); /* file -> its CommonJS wrapper function, made in the realm */

function resetRealm(index, hasLocks) {
  if (!ctx) {
    ctx = vm.createContext({}, { name: 'tab' + index, microtaskMode: 'afterEvaluate' });
    bootFn = bootstrap().runInContext(ctx);
    bootFn(bridge, hasLocks);
    baseline = vm.runInContext('Object.getOwnPropertyNames(globalThis)', ctx);
    clearFn = vm.runInContext('(function (keep) { for (const n of Object.getOwnPropertyNames(globalThis)) ' +
                              'if (!keep.includes(n)) delete globalThis[n]; })', ctx);
  } else {
    clearFn(baseline);
    bootFn(bridge, hasLocks);
  }
  const cache = new Map();
  loadFile = (file) => {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    if (isModuleFile(file))
      throw new Error(`require() of an ES module is not supported: ${file} (import it from an ES module)`);
    const module = { exports: {}, filename: file };
    cache.set(file, module);
    const req = (s) => loadFile(resolve(s, path.dirname(file), REQUIRE));
    let wrapper = wrappers.get(file);
    if (!wrapper) {
      wrapper = compiled(file).runInContext(ctx);
      wrappers.set(file, wrapper);
    }
    wrapper(module.exports, req, module, file, path.dirname(file));
    return module.exports;
  };
  esModules = new Map();
}

/* require(spec) from dir, in the realm: CommonJS only. */
function realmRequire(spec, dir) {
  return loadFile(resolve(spec, dir, REQUIRE));
}

/* The realm's module object for file: an ES module, or a CommonJS file
 * seen from one (see the top). */
function esModule(file) {
  let m = esModules.get(file);
  if (m) return m;
  if (isModuleFile(file)) {
    const cachedData = esmCache.get(file);
    m = new vm.SourceTextModule(fs.readFileSync(file, 'utf8'), {
      identifier: file,
      context: ctx,
      cachedData,
      initializeImportMeta(meta) { meta.url = url.pathToFileURL(file).href; },
    });
    if (!cachedData) esmCache.set(file, m.createCachedData());
  } else {
    const exports = loadFile(file);
    const names = exports !== null && (typeof exports === 'object' || typeof exports === 'function')
      ? Object.keys(exports).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n)) : [];
    m = new vm.SyntheticModule(['default', ...names], function () {
      this.setExport('default', exports);
      for (const n of names) this.setExport(n, exports[n]);
    }, { identifier: file, context: ctx });
  }
  esModules.set(file, m);
  return m;
}

/* Load the adapter file as an ES module, in the realm: its namespace.
 * Linking is asynchronous in node (host.js awaits it); the bodies then
 * run at once, synchronously, as the module graph has no top-level
 * await. */
async function importAdapter(file) {
  if (typeof vm.SourceTextModule !== 'function')
    throw new Error('ES modules need node\'s vm.SourceTextModule (node --experimental-vm-modules, which tabsim passes)');
  const m = esModule(file);
  await m.link((spec, referrer) => esModule(resolve(spec, path.dirname(referrer.identifier), IMPORT)));
  m.evaluate().catch(() => {}); /* the outcome is read from the status below */
  if (m.status === 'errored') throw m.error;
  if (m.status !== 'evaluated')
    throw new Error('the module did not finish evaluating at once (top-level await is not supported)');
  return m.namespace;
}
