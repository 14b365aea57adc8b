// One engine for every route handler of a Next.js app (App Router).
import { rampart } from 'rampart/fetch';

export const guard = rampart({ trustProxy: 1 });
