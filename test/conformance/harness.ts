import { after } from 'node:test';
import type { RampartOptions } from 'rampart';
import { LogCapture } from '../support/capture-log.js';
import type { AdapterDriver, TestApp } from './drivers/index.js';

export interface Harness {
  app: TestApp;
  logs: LogCapture;
}

/** An app for `driver` whose log lines are captured; closed after the file's tests. */
export async function harden(driver: AdapterDriver, options: RampartOptions = {}): Promise<Harness> {
  const logs = new LogCapture();
  const app = await driver.create({ profile: 'production', ...options, log: { format: 'json', level: 'info', ...options.log, destination: logs } });
  after(() => app.close());
  return { app, logs };
}

/** Lets asynchronous log writes and `onResponse` hooks land. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
