// A worker thread's entry: serves (core/proxy/serve.ts) what the supervisor sends over parentPort.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerData } from './messages.ts';
import { createLogger } from '../observe/log.ts';
import { serve } from './serve.ts';

const data = workerData as WorkerData;
const log = createLogger(data.settings.logLevel, { worker: data.index });

// A fault from traffic must never take the worker down: log it, keep serving (a thread the supervisor restarts loses
// its requests in flight). With --workers 1 the main thread serves, and such a fault ends the process instead.
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception in worker'));

serve(data, parentPort!, log);
