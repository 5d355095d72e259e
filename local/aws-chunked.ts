// The body of a streamed upload (`Content-Encoding: aws-chunked`), unwrapped to the object's bytes, as S3 stores
// it. The SDK streams bodies of unknown length this way, with its CRC32 checksum in a trailer; s3rver would store
// the framing itself. Chunk signatures and the trailer are dropped unchecked: the emulator verifies the
// request's signature, not each chunk.
import { Transform } from 'node:stream';

/** `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0[;…]\r\n[trailer lines]\r\n` → the data. */
export function awsChunkedDecoder(): Transform {
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of data left in the current chunk; -1 while a size line is expected; 0: the CRLF after the data. */
  let remaining = -1;
  let finished = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (!finished) {
        if (remaining > 0) {
          if (pending.length === 0) break;
          const n = Math.min(remaining, pending.length);
          this.push(pending.subarray(0, n));
          pending = pending.subarray(n);
          remaining -= n;
          continue;
        }
        const eol = pending.indexOf('\r\n');
        if (eol === -1) break;
        const line = pending.subarray(0, eol).toString('latin1');
        pending = pending.subarray(eol + 2);
        if (remaining === 0) {
          if (line !== '') return callback(new Error('malformed aws-chunked body: no CRLF after a chunk'));
          remaining = -1;
          continue;
        }
        const size = Number.parseInt(line.split(';')[0]!, 16);
        if (!Number.isInteger(size) || size < 0) return callback(new Error('malformed aws-chunked body: bad chunk size'));
        if (size === 0) finished = true; // what follows are the trailers
        else remaining = size;
      }
      if (finished) pending = Buffer.alloc(0);
      callback();
    },
  });
}
