// fast-mutex 1.0.2 as published (Lamport's fast mutual exclusion algorithm 1
// with a 50 ms delay), behind tabsim's adapter contract (docs/javascript.md).
// Its lock() rejects after its 5 s timeout: the adapter says false (gave up).
const FastMutex = require('fast-mutex');

module.exports = (tab) => {
  const mutex = new FastMutex({ clientId: tab.id, localStorage: window.localStorage });
  return {
    lock: () => mutex.lock('bucketeer_events').then(() => true, () => false),
    unlock: () => mutex.release('bucketeer_events').then(() => undefined),
  };
};
