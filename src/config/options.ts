import type { RampartOptions } from '../pipeline/rampart.js';
import { Keyring } from '../secrets/keyring.js';
import type { RampartConfig } from './define.js';

/** The settings `keyringFrom` reads. */
export type KeyringSettings = Pick<RampartConfig, 'SECRET_KEY' | 'SECRET_KEY_PREVIOUS'>;

/** The settings `optionsFrom` reads: any configuration from `defineConfig` has them. */
export type RampartSettings = Pick<RampartConfig, 'APP_ENV' | 'TRUST_PROXY' | 'LOG_LEVEL' | 'LOG_FORMAT' | 'LOG_FILE'> & KeyringSettings;

/**
 * The master secret and its predecessors as a `Keyring`: new signatures use
 * `SECRET_KEY`; ones made with a `SECRET_KEY_PREVIOUS` key still verify.
 */
export function keyringFrom(config: KeyringSettings): Keyring {
  return new Keyring(
    config.SECRET_KEY.reveal(),
    config.SECRET_KEY_PREVIOUS.map((key) => key.reveal()),
  );
}

/**
 * The loaded configuration as `createRampart` options, so wiring is one line:
 * `createRampart(optionsFrom(config))` or `app.register(rampart, optionsFrom(config))`.
 * Spread it to add options the configuration does not cover.
 *
 * @example
 * const config = await startup(definition);
 * await app.register(rampart, { ...optionsFrom(config), headers: { … } });
 */
export function optionsFrom(config: RampartSettings): RampartOptions {
  return {
    profile: config.APP_ENV,
    trustProxy: config.TRUST_PROXY,
    log: {
      level: config.LOG_LEVEL,
      format: config.LOG_FORMAT,
      ...(config.LOG_FILE === undefined ? {} : { file: config.LOG_FILE }),
    },
    keyring: keyringFrom(config),
  };
}
