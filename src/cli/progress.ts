import cliProgress from 'cli-progress';
import type { Progress } from '../retrieve/types.js';
import type { OutputStream } from './io.js';

/** A progress bar per system on `stream`; nothing when it is not a terminal (CI logs) or with --quiet. */
export function terminalProgress(
  stream: OutputStream,
  quiet: boolean,
  unit = 'queries',
): Progress | undefined {
  if (quiet || !stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(system, total) {
      bar = new cliProgress.SingleBar(
        {
          stream,
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
