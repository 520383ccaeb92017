import { SERVICES } from '../topology.js';

/** The `<name>` argument's help: the replicas depend on the stack's scale (`status` lists them). */
export const PROCESS_NAME_HELP = `valkey | nginx | ${SERVICES.map((s) => `${s}-<n>`).join(' | ')} (see status)`;
