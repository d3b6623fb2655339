/**
 * TEST-ONLY TLS material for the emulator's `https: true` mode: a self-signed certificate for `localhost`,
 * `127.0.0.1` and `::1` (ECDSA P-256, valid 2020–2120), generated once with openssl. The private key is public
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

export const EMULATOR_TLS_CERT = `
-----BEGIN CERTIFICATE-----
MIIB7jCCAZOgAwIBAgIBATAKBggqhkjOPQQDAjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMCAXDTIw
MDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjA8MRIwEAYDVQQDDAlsb2NhbGhv
c3QxJjAkBgNVBAoMHWIyNHRzc2RrIGVtdWxhdG9yICh0ZXN0IG9ubHkpMFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAEeDxiLgLdpWSGtkmFC8ZbVAJPsipPGUh7GcBg
Ig64R5LDifoVlrbCdSzLgRUJ+Jpar/vHF6vUZnl9zmo7+FEPk6OBgzCBgDAsBgNV
HREEJTAjgglsb2NhbGhvc3SHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAEwDAYDVR0T
AQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYD
VR0OBBYEFDtvHxVDO2q+fTgwFJUbpT4eJukCMAoGCCqGSM49BAMCA0kAMEYCIQCI
pwP12cegWiMF+Xg4s/I1Sk//Tv2Q8KI+yMbDwOdG3AIhANXwrUWxt4vxlZe/puqp
GAUIuzpG+AWbSyyZYLUuM8gP
-----END CERTIFICATE-----
`
