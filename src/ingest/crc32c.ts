/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord framing uses,
 * and TensorFlow's "masked" form of it. Slice-by-8 tables: 200–400 MiB/s measured on the
 * shared 2-core dev VM, faster than the protobuf decoding that follows it.
 *
 * Written here rather than taken from npm: @aws-crypto/crc32c brings the AWS SDK's type and
 * tslib packages and goes a byte at a time; the native ones (sse4_crc32, fast-crc32c) need a
 * compiler or a prebuilt binary. This is 40 lines checked against the RFC 3720 vectors and
 * against files TensorBoard's own writer produced (test/fixtures/tfevents).
 */

const POLY = 0x82f63b78;

/** TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const TABLE = (() => {
  const t = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + b]!;
      t[k * 256 + b] = (t[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

/** CRC-32C of `buf` (an unsigned 32-bit number). */
export function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  let i = 0;
  const n = buf.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const lo = (c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
    c =
      TABLE[7 * 256 + (lo & 0xff)]! ^
      TABLE[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      TABLE[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      TABLE[4 * 256 + (lo >>> 24)]! ^
      TABLE[3 * 256 + buf[i + 4]!]! ^
      TABLE[2 * 256 + buf[i + 5]!]! ^
      TABLE[256 + buf[i + 6]!]! ^
      TABLE[buf[i + 7]!]!;
  }
  for (; i < n; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masked CRC (`crc32c.h`: rotate right by 15, add 0xa282ead8), as TFRecord stores it. */
export function maskedCrc32c(buf: Uint8Array): number {
  const c = crc32c(buf);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
