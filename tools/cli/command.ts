// What every subcommand module implements, and the error that means "bad usage" (status 2).
export class UsageError extends Error {}

export interface Command {
  name: string;
  /** the one line `recomp --help` shows */
  summary: string;
  run(args: string[]): Promise<number>;
}
