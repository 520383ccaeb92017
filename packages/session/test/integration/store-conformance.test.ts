import { describeStoreConformance } from './store-conformance/conformance-cases.js';
import {
  batonSubject,
  connectRedisSubject,
  memoryStoreSubject,
} from './store-conformance/subjects.js';

// One contract, three stores, each on its own Valkey so one's outage cannot touch another.
describeStoreConformance('BatonStore', batonSubject);
describeStoreConformance('MemoryStore', memoryStoreSubject);
describeStoreConformance('connect-redis', connectRedisSubject);
