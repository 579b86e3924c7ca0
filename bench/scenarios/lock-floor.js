// lock-floor.js - bench/scenarios/lock-floor-js.ini: no lock at all, only
// the storage calls of one (set, read back, remove), so that what
// bench/bench_js.sh measures with it is the cost of a JavaScript tab's
// round trips, not of a library's code.  It breaks mutual exclusion.
module.exports = (tab) => ({
  async lock() {
    localStorage.setItem('floor', tab.id);
    return localStorage.getItem('floor') === tab.id;
  },
  async unlock() {
    localStorage.removeItem('floor');
  },
});
