/**
 * Mozilla's "intermediate" server-side TLS profile (ssl-config.mozilla.org,
 * guidelines 5.7): TLS 1.2 and 1.3, forward-secret AEAD suites only, and the
 * client picks among them (it knows whether it has AES hardware). It serves
 * every browser of the last decade without the CBC, RC4 and 3DES suites that
 * scanners downgrade.
 */
export const TLS_PROTOCOLS = 'TLSv1.2 TLSv1.3';

/**
 * TLS 1.2 suites in Mozilla's order. TLS 1.3 suites are not set here: OpenSSL
 * enables the three 1.3 suites by default and nginx has no directive for them.
 * The DHE suites are used only when `ssl_dhparam` is set (nginx ≥ 1.11 ships
 * no built-in group), so they cost nothing when it is not.
 */
export const TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** X25519 first: fastest and the most widely supported modern curve. */
export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

/**
 * One day of session resumption from a shared cache; tickets off, because
 * nginx never rotates the ticket key and a stolen key would decrypt every
 * recorded session (no forward secrecy across restarts).
 */
export const TLS_SESSION_TIMEOUT = '1d';
export const TLS_SESSION_CACHE_SIZE = '10m';
