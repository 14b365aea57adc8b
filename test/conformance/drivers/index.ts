import { expressDriver } from './express.js';
import { fastifyDriver } from './fastify.js';
import { fetchDriver } from './fetch.js';
import { honoDriver } from './hono.js';
import type { AdapterDriver } from './types.js';

/** Every adapter the conformance suite runs against. Adding an adapter means adding one driver here. */
export const DRIVERS: readonly AdapterDriver[] = [fastifyDriver, expressDriver, fetchDriver, honoDriver];

export type { AdapterDriver, TestApp, TestResponse } from './types.js';
