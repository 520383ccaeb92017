import { mkdir } from 'node:fs/promises';
import { valkeyPong } from './probes.js';
import { specBase } from './process-spec.js';
import type { ValkeyTopology } from './valkey-topology.js';

/** One valkey-server from the shared infra/valkey config, only what differs locally on the command line. */
export const standaloneTopology: ValkeyTopology = {
  processes: ['valkey'],
  spec(name, { paths, binaries, state }) {
    const port = state.ports.valkey;
    return {
      ...specBase(name, paths),
      port,
      command: binaries.valkeyServer,
      args: [
        paths.valkeyConfig,
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', paths.valkeyDir],
        // The apps' ACL user (infra/valkey/users.acl); not in valkey.conf, so a plain
        // valkey-server with that config (bench, tests) keeps its open default user.
        ...['--aclfile', paths.valkeyAclFile],
        ...['--daemonize', 'no'],
      ],
      signature: 'valkey-server',
      ready: valkeyPong(port),
      prepare: () => mkdir(paths.valkeyDir, { recursive: true }).then(() => undefined),
    };
  },
  portOf: (_name, state) => state.ports.valkey,
  appEnv: () => ({}),
  afterStart: async () => {},
};
