/**
 * Where the fleet's heartbeats live, under the session namespace (so the ACL's `~myplatform:*`
 * covers them):
 *
 *   <namespace>:{fleet}:replicas            sorted set: replica name → last heartbeat (ms since epoch)
 *   <namespace>:{fleet}:replica:<name>      string: the replica's last heartbeat (JSON), short TTL
 *
 * The index lets a reader list the replicas without SCAN (which the ACL refuses); a name whose
 * heartbeat key has run out is a replica that is gone. `{fleet}` is one hash tag, so on a Cluster
 * every fleet key sits in one slot and one pipeline reads them all.
 */
export class FleetKeys {
  constructor(readonly namespace: string) {}

  get index(): string {
    return `${this.namespace}:{fleet}:replicas`;
  }

  replica(name: string): string {
    return `${this.namespace}:{fleet}:replica:${name}`;
  }
}
