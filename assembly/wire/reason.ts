// Reason codes returned by the wire views' length checks and the option parser.
// Zero means valid. The host has the same names in src/wire/reason.ts (keep both in order).

/** The packet is valid. */
export const REASON_OK: i32 = 0;
/** Buffer shorter than the 20-byte IPv4 header (RFC 791 §3.1). */
export const REASON_IP_TOO_SHORT: i32 = 1;
/** IP version field is not 4. */
export const REASON_IP_BAD_VERSION: i32 = 2;
/** IHL below 5 words. */
export const REASON_IP_BAD_IHL: i32 = 3;
/** IHL·4 greater than the total length field. */
export const REASON_IP_BAD_TOTAL_LENGTH: i32 = 4;
/** Total length field greater than the bytes in the buffer. */
export const REASON_IP_TRUNCATED: i32 = 5;
/** Buffer shorter than IHL·4 (the IPv4 header itself is cut). */
export const REASON_IP_HEADER_TRUNCATED: i32 = 6;
/** TCP segment shorter than the 20-byte fixed header (RFC 9293 §3.1). */
export const REASON_TCP_TOO_SHORT: i32 = 7;
/** TCP data offset below 5 words. */
export const REASON_TCP_BAD_DATA_OFFSET: i32 = 8;
/** TCP data offset·4 greater than the segment length. */
export const REASON_TCP_HEADER_TRUNCATED: i32 = 9;
/** An option (other than EOL/NOP) has a length byte of 0 or 1. */
export const REASON_BAD_OPTION_LENGTH: i32 = 10;
/** An option (or its length byte) runs past the end of the option area. */
export const REASON_OPTION_OVERRUN: i32 = 11;
/** MSS option whose length is not 4 (RFC 9293 §3.2). */
export const REASON_BAD_MSS_OPTION: i32 = 12;
/** Window scale option whose length is not 3 (RFC 7323 §2.2). */
export const REASON_BAD_WSCALE_OPTION: i32 = 13;
/** SACK-permitted option whose length is not 2 (RFC 2018 §2). */
export const REASON_BAD_SACK_PERMITTED_OPTION: i32 = 14;
/** Timestamps option whose length is not 10 (RFC 7323 §3.2). */
export const REASON_BAD_TIMESTAMP_OPTION: i32 = 15;
/** SACK option whose length is not 2+8n with n in 1..4 (RFC 2018 §3). */
export const REASON_BAD_SACK_OPTION: i32 = 16;
/** Number of reason codes (one past the last). */
export const REASON_COUNT: i32 = 17;
