export { ProcessSupervisor, type ProcessSpec, type RunningProcess } from './process-supervisor.js';
export {
  type DetachedSpawnRequest,
  type ProcessIdentity,
  isRunning,
  killGroup,
  signalProcess,
  spawnDetached,
  waitForExit,
} from './detached-process.js';
export { type SpawnRequest, spawnInOwnGroup } from './spawn-in-group.js';
export { type ProcStat, childrenOf, processIds, readStat } from './proc-stat.js';
