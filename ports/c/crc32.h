/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) for verifying transfers. */
#ifndef CRC32_H
#define CRC32_H

#include <stddef.h>
#include <stdint.h>

/** Extends `crc` (0 to start) over `len` bytes. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif /* CRC32_H */
