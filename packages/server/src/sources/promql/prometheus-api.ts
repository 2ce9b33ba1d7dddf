import { z } from "zod";

/** one series of a query answer: its labels and its samples as [ms since epoch, value] */
export interface SeriesSamples {
  labels: Record<string, string>;
  samples: [number, number][];
}

/** A failed request, described without any value from the answer (the endpoint and a short cause). */
export class PrometheusError extends Error {}

/** the largest answer read, bytes: a week of minute steps over thousands of series fits well inside */
const MAX_ANSWER_BYTES = 256 << 20;

const sample = z.tuple([z.number(), z.string()]);
const answer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sample) })) }),
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })) }),
      z.object({ resultType: z.literal("scalar"), result: sample }),
      z.object({ resultType: z.literal("string"), result: sample }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().max(100) }),
]);

/**
 * The HTTP API every PromQL server offers (Prometheus, VictoriaMetrics, Thanos, Mimir):
 * `/api/v1/query` and `/api/v1/query_range`, posted as forms so long selectors never hit a URL
 * limit. Answers are parsed with zod; a sample that is not a finite number is dropped and counted.
 */
export class PrometheusApi {
  readonly #base: URL;
  readonly #auth: string | null;
  readonly #timeoutMs: number;
  /** samples dropped because their value was not a finite number (NaN, ±Inf, junk) */
  dropped = 0;

  /** `url`: the server's base (with any path prefix); user:password in it become basic auth. */
  constructor(url: string, timeoutMs: number) {
    const u = new URL(url);
    this.#auth =
      u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}` : null;
    u.username = "";
    u.password = "";
    if (!u.pathname.endsWith("/")) u.pathname += "/";
    this.#base = u;
    this.#timeoutMs = timeoutMs;
  }

  /** The server's address without credentials (for health and logs). */
  get where(): string {
    return this.#base.href;
  }

  /** `query` evaluated at each step from `startMs` to `endMs` (ms since epoch, step in ms). */
  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<SeriesSamples[]> {
    const a = await this.#post("api/v1/query_range", { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) });
    if (a.resultType !== "matrix") throw new PrometheusError(`${this.#base.href}api/v1/query_range: expected a matrix, got a ${a.resultType}`);
    return a.result.map((s) => ({ labels: s.metric, samples: this.#samples(s.values) }));
  }

  /** `query` evaluated at `atMs` (ms since epoch): one sample per series. */
  async query(query: string, atMs: number): Promise<SeriesSamples[]> {
    const a = await this.#post("api/v1/query", { query, time: seconds(atMs) });
    if (a.resultType !== "vector") throw new PrometheusError(`${this.#base.href}api/v1/query: expected a vector, got a ${a.resultType}`);
    return a.result.map((s) => ({ labels: s.metric, samples: this.#samples([s.value]) }));
  }

  #samples(values: [number, string][]): [number, number][] {
    const out: [number, number][] = [];
    for (const [t, v] of values) {
      const n = Number(v);
      if (Number.isFinite(t) && Number.isFinite(n)) out.push([Math.round(t * 1000), n]);
      else this.dropped++;
    }
    return out;
  }

  async #post(path: string, form: Record<string, string>) {
    const endpoint = `${this.#base.href}${path}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#base), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...(this.#auth ? { authorization: this.#auth } : {}) },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new PrometheusError(`${endpoint}: ${cause(e, this.#timeoutMs)}`);
    }
    let text: string;
    try {
      text = await readCapped(res, MAX_ANSWER_BYTES);
    } catch (e) {
      throw new PrometheusError(`${endpoint}: ${cause(e, this.#timeoutMs)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new PrometheusError(`${endpoint}: HTTP ${res.status}, not JSON`);
    }
    const parsed = answer.safeParse(raw);
    if (!parsed.success)
      throw new PrometheusError(`${endpoint}: HTTP ${res.status}, unexpected answer at ${parsed.error.issues[0]?.path.join(".") || "(root)"}`);
    // Prometheus's error text can quote the query (and so the selector): name its type only.
    if (parsed.data.status === "error") throw new PrometheusError(`${endpoint}: HTTP ${res.status}, ${parsed.data.errorType}`);
    return parsed.data.data;
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function cause(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  if (err instanceof PrometheusError) return err.message;
  return err.cause?.code ?? err.message;
}

async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new PrometheusError(`answer larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
