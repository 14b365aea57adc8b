import type { AlgorithmName } from '../store.js';
import { fixedWindow } from './fixed-window.js';
import { gcra } from './gcra.js';
import { slidingWindow } from './sliding-window.js';
import type { Decide } from './verdict.js';

export const ALGORITHM_NAMES: readonly AlgorithmName[] = ['sliding-window', 'fixed-window', 'gcra'];

export function decideFor(algorithm: AlgorithmName): Decide {
  switch (algorithm) {
    case 'sliding-window':
      return slidingWindow;
    case 'fixed-window':
      return fixedWindow;
    case 'gcra':
      return gcra;
    default: {
      const never: never = algorithm;
      throw new TypeError(`unknown algorithm ${String(never)}`);
    }
  }
}

export { fixedWindow, gcra, slidingWindow };
export { emptyVerdict, type Decide, type Verdict } from './verdict.js';
