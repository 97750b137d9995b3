import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

/**
 * A worker thread, started now, that runs `body` (CommonJS, with `input` and `report(message)` in scope)
 * and reports once. `report()` waits for that message without an event loop turning (a shared flag the
 * worker raises however it ends), so synchronous readers can hand work to a thread: undefined when the
 * worker ended without reporting. The worker is stopped once its report is taken, and never keeps the
 * process alive.
 */
export function startReportWorker<Input extends object, Report>(
  body: string,
  input: Input,
): { report: () => Report | undefined } {
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(`${PROLOGUE}\n${body}`, {
    eval: true,
    workerData: { input, signal, port: port2 },
    transferList: [port2],
  });
  worker.unref();
  let taken: { message: Report | undefined } | undefined;
  return {
    report: () => {
      if (taken) return taken.message;
      try {
        Atomics.wait(flag, 0, 0);
        taken = { message: receiveMessageOnPort(port1)?.message as Report | undefined };
        return taken.message;
      } finally {
        port1.close();
        void worker.terminate();
      }
    },
  };
}

/** What every body runs after: its input, and `report`, which raises the flag (as does the thread's end). */
const PROLOGUE = `
const { workerData } = require('node:worker_threads');
const { input, signal, port } = workerData;
const flag = new Int32Array(signal);
const done = () => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
process.on('exit', done);
const report = (message) => { port.postMessage(message); port.close(); done(); };
`;
