// browser-tabs-lock 1.3.0 as published, behind tabsim's adapter contract
// (docs/javascript.md): lock() resolves true or false, unlock() resolves.
//
// The storage handler is the library's own hook (new SuperTokensLock(
// storageHandler)); it passes every call to localStorage unchanged and
// tells tabsim one fact: when acquireLock finds the lock key empty, its
// next Math.random() picks the 0-24 ms delay before the claim, a timing
// (tab.timing(25)), which the chooser then decides as it does for the C
// port (core/src/mutex_btl.c announces the same draw).  So the C port and
// this run through the same choices, and the ctests js_btl_differential_*
// compare their timelines seed by seed (tests/sim/js/btl_differential.sh).
const SuperTokensLock = require('browser-tabs-lock').default;

const KEY = 'browser-tabs-lock-key-bucketeer_events';

module.exports = (tab) => {
  const storage = {
    getItemSync(key) {
      const value = localStorage.getItem(key);
      if (value === null && key === KEY) tab.timing(25);
      return value;
    },
    setItemSync: (key, value) => localStorage.setItem(key, value),
    removeItemSync: (key) => localStorage.removeItem(key),
    keySync: (index) => localStorage.key(index),
    clearSync: () => localStorage.clear(),
    getItem: async (key) => localStorage.getItem(key),
    setItem: async (key, value) => localStorage.setItem(key, value),
    removeItem: async (key) => localStorage.removeItem(key),
    key: async (index) => localStorage.key(index),
    clear: async () => localStorage.clear(),
  };
  // Made at the first lock(), where the C port draws its first random
  // value: its constructor's Math.random draws (its 15-character id) then
  // seed the tab's stream at the same moment of the run.
  let lock = null;
  return {
    lock: () => (lock = lock || new SuperTokensLock(storage)).acquireLock('bucketeer_events', 5000),
    unlock: () => lock.releaseLock('bucketeer_events'),
  };
};
