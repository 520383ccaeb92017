/**
 * How the local driver starts and stops the stack's processes: detached, so they outlive the
 * invocation that started them (`up` returns while the stack keeps running), each in a process
 * group of its own (a Ctrl+C in the terminal reaches only the CLI, which then stops the stack in
 * order), and known afterwards by PID, start time and command line, so a reused PID is never
 * signalled. The mechanism is `@baton/process-supervisor`'s, the same the bench and the labs use.
 */
export {
  type DetachedSpawnRequest as SpawnRequest,
  isRunning,
  killGroup,
  signalProcess,
  spawnDetached,
  waitForExit,
} from '@baton/process-supervisor';
