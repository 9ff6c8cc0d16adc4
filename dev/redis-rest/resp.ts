// RESP2, the wire protocol of redis-server: encoding commands and decoding replies.
// Bulk strings stay Buffers so that binary values survive until the HTTP layer decides how to encode them.

export class RedisReplyError extends Error {}

export type Reply = string | number | Buffer | null | RedisReplyError | Reply[];

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Thrown by the parser when the stream is not RESP: the connection can no longer be trusted. */
export class ProtocolError extends Error {}

const incomplete = Symbol('incomplete');
type Parsed = { value: Reply; next: number } | typeof incomplete;

/** Incremental decoder: feed it chunks, take complete replies in order. */
export class ReplyParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Reply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: Reply[] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.parse(offset);
      if (parsed === incomplete) break;
      replies.push(parsed.value);
      offset = parsed.next;
    }
    this.buffer = this.buffer.subarray(offset);
    return replies;
  }

  private line(offset: number): { text: string; next: number } | typeof incomplete {
    const end = this.buffer.indexOf('\r\n', offset);
    if (end === -1) return incomplete;
    return { text: this.buffer.toString('utf8', offset, end), next: end + 2 };
  }

  private parse(offset: number): Parsed {
    if (offset >= this.buffer.length) return incomplete;
    const type = String.fromCharCode(this.buffer[offset]!);
    const header = this.line(offset + 1);
    if (header === incomplete) return incomplete;
    switch (type) {
      case '+':
        return { value: header.text, next: header.next };
      case '-':
        return { value: new RedisReplyError(header.text), next: header.next };
      case ':':
        return { value: Number(header.text), next: header.next };
      case '$': {
        const length = Number(header.text);
        if (length === -1) return { value: null, next: header.next };
        if (header.next + length + 2 > this.buffer.length) return incomplete;
        const value = Buffer.from(this.buffer.subarray(header.next, header.next + length));
        return { value, next: header.next + length + 2 };
      }
      case '*': {
        const count = Number(header.text);
        if (count === -1) return { value: null, next: header.next };
        const items: Reply[] = [];
        let next = header.next;
        for (let i = 0; i < count; i++) {
          const item = this.parse(next);
          if (item === incomplete) return incomplete;
          items.push(item.value);
          next = item.next;
        }
        return { value: items, next };
      }
      default:
        throw new ProtocolError(`unexpected RESP type byte ${JSON.stringify(type)}`);
    }
  }
}
