import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { PrometheusApi } from "./prometheus-api.js";

/** A stand-in PromQL server on loopback answering each request with `answer` (hostile on purpose). */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((r) => s.close(r));
      s.closeAllConnections();
      return closed;
    }),
  );
});

async function serve(
  answer: (req: IncomingMessage, body: string) => { status?: number; body?: string } | null,
): Promise<{ url: string; seen: { path: string; auth: string | undefined; body: string }[] }> {
  const seen: { path: string; auth: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      const a = answer(req, body);
      if (a === null) return; // never answers
      res.writeHead(a.status ?? 200, { "content-type": "application/json" }).end(a.body ?? "");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const matrix = (values: [number, string][]) =>
  JSON.stringify({ status: "success", data: { resultType: "matrix", result: [{ metric: { __name__: "x_total", model: "m" }, values }] } });

describe("PrometheusApi", () => {
  it("posts forms under the URL's path prefix, sends user:password as basic auth, and keeps them out of `where`", async () => {
    const s = await serve(() => ({ body: matrix([[60, "5"]]) }));
    const api = new PrometheusApi(`${s.url.replace("http://", "http://u%40x:p%3Aw@")}/prom`, 1000);
    expect(api.where).toBe(`${s.url}/prom/`);
    expect(await api.queryRange("x_total", 60_000, 120_000, 60_000)).toEqual([{ labels: { __name__: "x_total", model: "m" }, samples: [[60_000, 5]] }]);
    expect(s.seen[0]!.path).toBe("/prom/api/v1/query_range");
    expect(s.seen[0]!.auth).toBe(`Basic ${Buffer.from("u@x:p:w").toString("base64")}`);
    expect(new URLSearchParams(s.seen[0]!.body).get("step")).toBe("60.000");
  });

  it("drops samples that are not finite numbers and counts them", async () => {
    const s = await serve(() => ({
      body: matrix([
        [60, "NaN"],
        [61, "+Inf"],
        [62, "junk"],
        [63, "7"],
      ]),
    }));
    const api = new PrometheusApi(s.url, 1000);
    expect((await api.queryRange("x", 0, 1, 1))[0]!.samples).toEqual([[63_000, 7]]);
    expect(api.dropped).toBe(3);
  });

  it("every failure is a short cause naming the endpoint, never the answer's text", async () => {
    const cases: [() => { status?: number; body?: string } | null, RegExp][] = [
      [() => null, /api\/v1\/query: no answer within 300 ms$/],
      [() => ({ body: "<html>secret</html>" }), /HTTP 200, not JSON$/],
      [
        () => ({ status: 400, body: JSON.stringify({ status: "error", errorType: "bad_data", error: 'parse error near {user_email="secret"}' }) }),
        /HTTP 400, bad_data$/,
      ],
      [
        () => ({ body: JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: { a: 1 }, value: [1, "2"] }] } }) }),
        /unexpected answer at data\.result\.0\.metric\.a$/,
      ],
      [() => ({ body: matrix([[1, "2"]]) }), /expected a vector, got a matrix$/],
    ];
    for (const [answer, error] of cases) {
      const s = await serve(answer);
      const e = await new PrometheusApi(s.url, 300).query("q", 0).catch((x: Error) => x);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(error);
      expect((e as Error).message).not.toContain("secret");
    }
  });

  it("a refused connection names its cause", async () => {
    const s = await serve(() => ({}));
    await new Promise((r) => servers.pop()!.close(r));
    await expect(new PrometheusApi(s.url, 1000).query("q", 0)).rejects.toThrow(/ECONNREFUSED/);
  });
});
