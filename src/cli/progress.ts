import cliProgress from 'cli-progress';
import type { Progress } from '../retrieve/types.js';

/** A progress bar per system on stderr; nothing when stderr is not a terminal (CI logs) or with --quiet. */
export function terminalProgress(quiet: boolean, unit = 'queries'): Progress | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(system, total) {
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${system} {bar} {value}/{total} ${unit} {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
