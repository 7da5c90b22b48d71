#ifndef TD_HASH_H
#define TD_HASH_H

#include <stddef.h>

/*
 * SHA-256 of len bytes as 64 lowercase hex digits and a NUL in out
 * (OpenSSL's libcrypto, which uses the CPU's SHA extensions where present).
 */
void td_sha256_hex(char out[65], const void *data, size_t len);

#endif
