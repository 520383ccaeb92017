import { StackError } from './errors.js';
import { MAX_REPLICAS, MIN_REPLICAS } from './topology.js';

/** Throws STACK_OPTIONS_INVALID, naming the range, unless `replicas` is a whole number 1..16. */
export function assertReplicaCount(replicas: number): number {
  if (Number.isInteger(replicas) && replicas >= MIN_REPLICAS && replicas <= MAX_REPLICAS) {
    return replicas;
  }
  throw new StackError(
    'STACK_OPTIONS_INVALID',
    `replicas must be a whole number from ${MIN_REPLICAS} to ${MAX_REPLICAS}, not ${replicas}`,
  );
}
