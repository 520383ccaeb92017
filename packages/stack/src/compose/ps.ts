/** The fields of one `docker compose ps --format json` entry that the compose driver reads. */
export interface ComposeService {
  /** The container: `<project>-<service>-<n>`. */
  readonly Name: string;
  readonly Service: string;
  /** "running", "exited", "restarting", ... */
  readonly State: string;
  /** "healthy", "starting", "unhealthy", or "" without a healthcheck. */
  readonly Health?: string;
  readonly Publishers?: ReadonlyArray<{
    readonly TargetPort: number;
    readonly PublishedPort: number;
  }>;
}

/**
 * Parses `docker compose ps --format json`: a JSON array before compose 2.21, one JSON object
 * per line since.
 */
export function parseComposePs(output: string): ComposeService[] {
  const text = output.trim();
  if (!text) return [];
  if (text.startsWith('[')) return JSON.parse(text) as ComposeService[];
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ComposeService);
}

/** Running, and healthy when the service has a healthcheck. */
export function isServiceReady(service: ComposeService | undefined): boolean {
  if (!service || service.State !== 'running') return false;
  return !service.Health || service.Health === 'healthy';
}
