import { expressDriver } from './express.js';
import { fastifyDriver } from './fastify.js';
import type { AdapterDriver } from './types.js';

/** Every adapter the conformance suite runs against. Adding an adapter means adding one driver here. */
export const DRIVERS: readonly AdapterDriver[] = [fastifyDriver, expressDriver];

export type { AdapterDriver, TestApp, TestResponse } from './types.js';
