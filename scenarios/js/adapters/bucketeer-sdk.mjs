// bucketeer-sdk.mjs - adapters/bucketeer-sdk.js as an ES module: the same
// adapter of @bucketeer/js-client-sdk 2.6.1, from the package's ES module
// browser build.  `import ... from '@bucketeer/js-client-sdk'` picks
// dist/main.browser.mjs (its "exports" entry: default, then import), which
// imports its shared chunk and async-mutex's index.mjs (its "import"
// entry).  The internal classes come from that chunk (the names are its
// minified export names), as the CommonJS adapter takes them from the
// CommonJS chunk.  bucketeer-sdk-esm.ini checks the same as
// bucketeer-sdk.ini, run for run (ctest js_esm_bucketeer_sdk).
import { defineBKTConfig, defineBKTUser } from '@bucketeer/js-client-sdk';
import {
  D as DefaultComponent,
  a as DataModule,
  I as InteractorModule,
  t as toUser,
  r as requiredInternalConfig,
} from '@bucketeer/js-client-sdk/dist/shared/js-client-sdk.CZPrRRKe.mjs';

export default (tab) => {
  const config = defineBKTConfig({
    apiKey: 'tabsim',
    apiEndpoint: 'https://api.tabsim.test',
    appVersion: '1.0.0',
    featureTag: 'web',
    storageKeyPrefix: 'bucketeer',
    enableAutoPageLifecycleFlush: false,
  });
  let nextId = null;
  const platform = { idGenerator: () => ({ newId: () => nextId }) };
  const component = new DefaultComponent(
    platform,
    new DataModule(toUser(defineBKTUser({ id: 'user-1' })), requiredInternalConfig(config)),
    new InteractorModule(),
  );
  const events = component.eventInteractor();
  return {
    // BKTClientImpl.track(goalId, value)
    add(event) {
      nextId = event.id;
      return events.trackGoalEvent(config.featureTag, component.userHolder().get(), 'goal', 1);
    },
    // BKTClientImpl.flush()
    async flush() {
      for (;;) {
        const result = await events.sendEvents(true);
        if (result.type === 'failure') throw result.error;
        if (!result.sent) break;
      }
    },
  };
};
