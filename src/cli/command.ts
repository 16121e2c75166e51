/** One CLI command. `path` is matched against the leading words of argv, longest first. */
export interface CliCommand {
  readonly path: readonly string[];
  /** Argument synopsis after the command path, e.g. '[--config FILE] --since SEQ'. */
  readonly synopsis: string;
  readonly summary: { zh: string; en: string };
  /** The exit code; a command that only does synchronous work returns it directly. */
  run(args: string[]): number | Promise<number>;
}

/** What `help` shows of a command: enough to list it without loading its code. */
export type CliCommandHead = Pick<CliCommand, 'path' | 'synopsis' | 'summary'>;

export const DEFAULT_CONFIG_PATH = '/etc/room-agent/config.yaml';
