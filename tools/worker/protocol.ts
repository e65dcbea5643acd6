// Bazel's persistent worker protocol (proto flavour): WorkRequest and WorkResponse messages,
// each preceded by its length as a varint, on the worker's stdin and stdout. The schema is
// Bazel's worker_protocol.proto (field names and numbers are the protocol); protobufjs
// encodes and decodes it.
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package blaze.worker;
message Input { string path = 1; bytes digest = 2; }
message WorkRequest {
  repeated string arguments = 1;
  repeated Input inputs = 2;
  int32 request_id = 3;
  bool cancel = 4;
  int32 verbosity = 5;
  string sandbox_dir = 6;
}
message WorkResponse {
  int32 exit_code = 1;
  string output = 2;
  int32 request_id = 3;
  bool was_cancelled = 4;
}
`;

export interface WorkRequest {
  arguments: string[];
  requestId: number;
  cancel: boolean;
  verbosity: number;
  sandboxDir: string;
}

export interface WorkResponse {
  exitCode: number;
  output: string;
  requestId: number;
}

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
const Request = root.lookupType('blaze.worker.WorkRequest');
const Response = root.lookupType('blaze.worker.WorkResponse');

export class ProtocolError extends Error {}

/** Splits a byte stream into WorkRequests as their bytes arrive. */
export class RequestReader {
  private buffer = new Uint8Array(0);

  /** adds bytes; returns the requests now complete */
  push(chunk: Uint8Array): WorkRequest[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    const out: WorkRequest[] = [];
    for (;;) {
      const header = varint(this.buffer);
      if (!header || this.buffer.length < header.size + header.value) break;
      const body = this.buffer.subarray(header.size, header.size + header.value);
      let message: protobuf.Message;
      try {
        message = Request.decode(body);
      } catch (e) {
        throw new ProtocolError(`a WorkRequest does not decode: ${e instanceof Error ? e.message : String(e)}`);
      }
      const o = Request.toObject(message, { defaults: true, longs: Number }) as WorkRequest;
      out.push(o);
      this.buffer = this.buffer.slice(header.size + header.value);
    }
    return out;
  }

  /** bytes of an unfinished request are left */
  get pending(): boolean {
    return this.buffer.length > 0;
  }
}

/** a length-prefixed WorkResponse */
export function encodeResponse(r: WorkResponse): Uint8Array {
  return Response.encodeDelimited(Response.fromObject(r)).finish();
}

/** the varint at the start of b, or undefined while its bytes have not all arrived */
function varint(b: Uint8Array): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < b.length && i < 5; i++) {
    value += (b[i] & 0x7f) * 2 ** (7 * i);
    if (!(b[i] & 0x80)) return { value, size: i + 1 };
  }
  if (b.length >= 5) throw new ProtocolError('a WorkRequest length is longer than 32 bits');
  return undefined;
}
