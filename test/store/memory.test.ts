import { MemorySwitchState, MemorySwitchStore } from '../../src/store/memory-switch-store.js';
import { switchStoreContract } from './switch-store.contract.js';

switchStoreContract('memory', async () => {
  const state = new MemorySwitchState();
  const store = new MemorySwitchStore(state);
  return {
    store,
    peer: async () => new MemorySwitchStore(state),
    cleanup: () => store.close(),
  };
});
