/** An output stream: the process's own, or one a test reads back. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Where a command's output goes and what it reads from its environment (the bin passes the process's). */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** API key variables and CI detection; default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What a command's action works with: the streams, the environment, and the exit code it ends with. */
export interface Cli {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** 0 unless the action sets it (a failed gate: 1); an error that escapes decides it instead. */
  exitCode: number;
  /**
   * Writes one of the tool's own CI annotations (a workflow command it built and escaped itself) on stdout,
   * past the guard that keeps user text on stdout and stderr from starting a command (workflow-guard.ts).
   */
  annotate(line: string): void;
}
