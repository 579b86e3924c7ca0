// @bucketeer/js-client-sdk 2.6.1 as published, its event path driven as a
// js-events store (docs/javascript.md): add(event) is the client's
// track(goalId) (EventInteractor.trackGoalEvent into the SDK's own
// EventStorageImpl on localStorage), flush() is the client's flush()
// (EventInteractor.sendEvents, ApiClientImpl.registerEvents through fetch
// to the simulated server).  The component is built as the SDK's
// createBrowserComponent builds it, from the package's CommonJS browser
// build, with two changes: the event ids are tabsim's (the platform
// module's idGenerator hands out the id of the event being added), and
// no evaluation polling is started (initializeBKTClient's network calls
// are not part of the event path).
const sdk = require('@bucketeer/js-client-sdk'); // dist/main.browser.cjs
const internal = require('@bucketeer/js-client-sdk/dist/shared/js-client-sdk.DII-SbYn.cjs');

module.exports = (tab) => {
  const config = sdk.defineBKTConfig({
    apiKey: 'tabsim',
    apiEndpoint: 'https://api.tabsim.test',
    appVersion: '1.0.0',
    featureTag: 'web',
    storageKeyPrefix: 'bucketeer',
    enableAutoPageLifecycleFlush: false,
  });
  let nextId = null;
  const platform = { idGenerator: () => ({ newId: () => nextId }) };
  const component = new internal.DefaultComponent(
    platform,
    new internal.DataModule(internal.toUser(sdk.defineBKTUser({ id: 'user-1' })), internal.requiredInternalConfig(config)),
    new internal.InteractorModule(),
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
