#!/usr/bin/env node
// The proxy as a process of its own (the local stack runs it): reads its control port, listens,
// and closes every link on SIGTERM/SIGINT. Links are declared through the control API.
import { z } from 'zod';
import { controlServer } from './control-server.js';
import { FaultProxy } from './fault-proxy.js';

const env = z
  .object({ FAULT_PROXY_CONTROL_PORT: z.coerce.number().int().min(1).max(65_535) })
  .safeParse(process.env);
if (!env.success) {
  console.error('FAULT_PROXY_CONTROL_PORT must be a port number (1-65535)');
  process.exit(2);
}
const port = env.data.FAULT_PROXY_CONTROL_PORT;
const proxy = new FaultProxy();
const server = controlServer(proxy);
server.listen(port, '127.0.0.1', () => console.log(`fault-proxy: control on 127.0.0.1:${port}`));

const stop = (signal: string) => {
  console.log(`fault-proxy: ${signal}, closing`);
  server.close();
  server.closeAllConnections();
  void proxy.close().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
