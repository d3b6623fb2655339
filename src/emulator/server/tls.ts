/**
 * TEST-ONLY TLS material for the emulator's `https: true` mode: a self-signed certificate for `localhost`,
 * `*.bitrix24.test` (the named portals of a multi-portal emulator), `::1` and `127.0.0.1` … `127.0.0.16` (so a
 * portal can move between loopback addresses; ECDSA P-256, valid
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
MIICNjCCAdygAwIBAgIBATAKBggqhkjOPQQDAjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMCAXDTIw
MDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAEeDxiLgLdpWSGtkmFC8ZbVAJPsipPGUh7GcBg
Ig64R5LDifoVlrbCdSzLgRUJ+Jpar/vHF6vUZnl9zmo7+FEPk6OBzDCByTCBmQYD
VR0RBIGRMIGOgglsb2NhbGhvc3SCDyouYml0cml4MjQudGVzdIcQAAAAAAAAAAAA
AAAAAAAAAYcEfwAAAYcEfwAAAocEfwAAA4cEfwAABIcEfwAABYcEfwAABocEfwAA
B4cEfwAACIcEfwAACYcEfwAACocEfwAAC4cEfwAADIcEfwAADYcEfwAADocEfwAA
D4cEfwAAEDAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBQ7bx8VQztqvn04MBSVG6U+
HibpAjAKBggqhkjOPQQDAgNIADBFAiEAl6j8lOaBVBls9TA2JvfbPi6g1GdX8V37
p5ZAC9H98UACICh/dRua9N2Y39JhqQQyOpOH3n//tVINKyTBqraDIpD+
-----END CERTIFICATE-----
`
