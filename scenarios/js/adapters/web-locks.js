// web-locks.js - a lock on the Web Locks API (navigator.locks), the way a
// page holds one across awaits: lock() requests it and resolves once the
// request's callback runs; the callback's promise ends at unlock(), which
// releases the lock.
module.exports = () => {
  let release = null;
  return {
    lock: () =>
      new Promise((acquired) => {
        navigator.locks.request('bucketeer_events', () =>
          new Promise((done) => {
            release = done;
            acquired(true);
          }));
      }),
    unlock: async () => {
      const done = release;
      release = null;
      if (done) done();
    },
  };
};
