/**
 * Docker multiplexes stdout and stderr of a non-TTY container into frames: an 8-byte header
 * (stream type 1 = stdout, 2 = stderr; 3 zero bytes; big-endian payload length) then the payload.
 * This splits a whole buffer (e.g. a `logs` answer) back into text, in the order it was written.
 */
export interface DemuxedOutput {
  stdout: string;
  stderr: string;
  /** Both streams interleaved as written. */
  combined: string;
}

export function demuxBuffer(buffer: Buffer): DemuxedOutput {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer.readUInt8(offset);
    const length = buffer.readUInt32BE(offset + 4);
    if (type > 2 || buffer.readUInt8(offset + 1) !== 0 || offset + 8 + length > buffer.length) {
      // Not a frame: the output is raw (TTY container) from here on.
      break;
    }
    const payload = buffer.subarray(offset + 8, offset + 8 + length);
    (type === 2 ? err : out).push(payload);
    all.push(payload);
    offset += 8 + length;
  }
  if (offset < buffer.length) {
    const raw = buffer.subarray(offset);
    out.push(raw);
    all.push(raw);
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    combined: Buffer.concat(all).toString("utf8"),
  };
}
