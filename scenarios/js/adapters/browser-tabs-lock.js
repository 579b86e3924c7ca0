// browser-tabs-lock 1.3.0 as published, behind tabsim's adapter contract
// (docs/javascript.md): lock() resolves true or false, unlock() resolves.
const SuperTokensLock = require('browser-tabs-lock').default;

module.exports = (tab) => {
  const lock = new SuperTokensLock();
  return {
    lock: () => lock.acquireLock('bucketeer_events', 5000),
    unlock: () => lock.releaseLock('bucketeer_events'),
  };
};
