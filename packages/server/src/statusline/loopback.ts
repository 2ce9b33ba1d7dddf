import { bunRuntime, type BunRuntime, type BunSocket } from "./bun-runtime.js";

export interface HttpResult {
  status: number;
  body: string;
}

/** HTTP/1.0 status line and a body framed by the connection's end (no chunked encoding). */
function parseHttpResponse(raw: Buffer): HttpResult | null {
  const head = raw.indexOf("\r\n\r\n");
  if (head < 0) return null;
  const headers = raw.subarray(0, head).toString("latin1");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(headers);
  if (!m || /^transfer-encoding:/im.test(headers)) return null;
  return { status: Number(m[1]), body: raw.subarray(head + 4).toString("utf8") };
}

/**
 * One loopback request, no retries; null on any error or after timeoutMs. Spoken over a bare socket
 * as HTTP/1.0 (the server frames the body by closing): node:http costs about 5 ms more start-up,
 * a tenth of this command's budget. On Bun, over Bun's own socket.
 */
export function loopback(
  port: number,
  method: "GET" | "POST",
  path: string,
  token: string | undefined,
  body: string | null,
  timeoutMs: number,
): Promise<HttpResult | null> {
  const lines = [`${method} ${path} HTTP/1.0`, `host: 127.0.0.1:${port}`, "connection: close"];
  if (token) lines.push(`authorization: Bearer ${token}`);
  if (body !== null) lines.push("content-type: application/json", `content-length: ${Buffer.byteLength(body)}`);
  const request = `${lines.join("\r\n")}\r\n\r\n${body ?? ""}`;
  const bun = bunRuntime();
  return bun ? viaBun(bun, port, request, timeoutMs) : viaNode(port, request, timeoutMs);
}

async function viaNode(port: number, request: string, timeoutMs: number): Promise<HttpResult | null> {
  // loaded here, not on import: Bun never needs it
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    const finish = (r: HttpResult | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => finish(null), timeoutMs);
    // write, not end: a server that sees our FIN may close before it answers
    socket.on("connect", () => socket.write(request));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => finish(parseHttpResponse(Buffer.concat(chunks))));
    socket.on("error", () => finish(null));
  });
}

function viaBun(bun: BunRuntime, port: number, request: string, timeoutMs: number): Promise<HttpResult | null> {
  return new Promise((resolve) => {
    let done = false;
    let socket: BunSocket | null = null;
    let unsent: Uint8Array = Buffer.from(request);
    const chunks: Uint8Array[] = [];
    const finish = (r: HttpResult | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.end();
      resolve(r);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const send = (s: BunSocket) => {
      const wrote = s.write(unsent);
      if (wrote > 0) unsent = unsent.subarray(wrote);
    };
    const ended = () => finish(parseHttpResponse(Buffer.concat(chunks)));
    bun
      .connect({
        hostname: "127.0.0.1",
        port,
        socket: {
          open: (s) => {
            socket = s;
            send(s);
          },
          drain: (s) => {
            if (unsent.length > 0) send(s);
          },
          data: (_s, c) => {
            chunks.push(c);
          },
          end: ended,
          close: ended,
          error: () => finish(null),
          connectError: () => finish(null),
        },
      })
      .then(
        (s) => {
          socket = s;
          if (done) s.end();
        },
        () => finish(null),
      );
  });
}
