// What every subcommand module implements, and the error that means "bad usage" (status 2).
export class UsageError extends Error {}

/** a subcommand's entry point: its arguments in, its exit status out */
export type CommandMain = (args: string[]) => Promise<number>;

export interface Command {
  name: string;
  /** the one line `recomp --help` shows */
  summary: string;
  /** loads the command's module only when it runs: `recomp run` must not pay for the translator */
  load(): Promise<CommandMain>;
}
