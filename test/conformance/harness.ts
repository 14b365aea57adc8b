import { after } from 'node:test';
import { createRampart, type Rampart, type RampartOptions } from 'rampart';
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

/** An app on `driver` around an engine the test keeps, for what only the engine can do (start a shutdown, read metrics). */
export async function withEngine(driver: AdapterDriver, options: RampartOptions): Promise<{ app: TestApp; core: Rampart }> {
  const core = createRampart({ log: { destination: new LogCapture() }, ...options });
  const app = await driver.create({ rampart: core } as RampartOptions);
  after(async () => {
    await app.close();
    await core.close();
  });
  return { app, core };
}
