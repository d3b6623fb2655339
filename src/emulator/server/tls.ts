/**
 * TEST-ONLY TLS material for the emulator's `https: true` mode: a self-signed certificate for `localhost`,
 * `::1` and `127.0.0.1` … `127.0.0.16` (so a portal can move between loopback addresses; ECDSA P-256, valid
 * 2020–2120), generated once with openssl. The private key is public
 * on purpose — never use this pair for anything but local tests. Clients either skip verification
 * (`rejectUnauthorized: false`) or trust `EMULATOR_TLS_CERT` as a CA.
 */

export const EMULATOR_TLS_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJCbHx9vrp1ZbkED6
2MOiYHGQ6Eq9olmf8q2x1C4uhc2hRANCAAR4PGIuAt2lZIa2SYULxltUAk+yKk8Z
SHsZwGAiDrhHksOJ+hWWtsJ1LMuBFQn4mlqv+8cXq9RmeX3Oajv4UQ+T
-----END PRIVATE KEY-----
`

/**
 * The emulator's HTTPS certificate (test-only and public): trust it in a client (`{ ca: EMULATOR_TLS_CERT }`)
 * instead of turning certificate checks off.
 */
export const EMULATOR_TLS_CERT = `
-----BEGIN CERTIFICATE-----
MIICSDCCAe6gAwIBAgIBATAKBggqhkjOPQQDAjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMCAXDTIw
MDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAEeDxiLgLdpWSGtkmFC8ZbVAJPsipPGUh7GcBg
Ig64R5LDifoVlrbCdSzLgRUJ+Jpar/vHF6vUZnl9zmo7+FEPk6OB3jCB2zCBhgYD
VR0RBH8wfYIJbG9jYWxob3N0hxAAAAAAAAAAAAAAAAAAAAABhwR/AAABhwR/AAAC
hwR/AAADhwR/AAAEhwR/AAAFhwR/AAAGhwR/AAAHhwR/AAAIhwR/AAAJhwR/AAAK
hwR/AAALhwR/AAAMhwR/AAANhwR/AAAOhwR/AAAPhwR/AAAQMAwGA1UdEwEB/wQC
MAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQW
BBQ7bx8VQztqvn04MBSVG6U+HibpAjAKBggqhkjOPQQDAgNIADBFAiEAu2Qw7/A7
SNzLSzvgeowXyuVoYfPYeJnCkdqGN2svpEICIC+WU2Key/hY7e6knKADFCQWcbZm
94kVU+9Cg+jZS324
-----END CERTIFICATE-----
`
