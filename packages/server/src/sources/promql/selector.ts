/**
 * The series the PromQL source reads: Claude Code's token and cost counters under both names they
 * get in Prometheus — with the unit (`…_tokens_total`, `…_USD_total`: a collector's Prometheus
 * exporter, Prometheus's OTLP receiver, claude-gauge daemons) and without it (`…_total`: Claude
 * Code's own `OTEL_METRICS_EXPORTER=prometheus` endpoint, whose exporter leaves the unit out).
 */
export const TOKEN_METRIC_NAMES = ["claude_code_token_usage_tokens_total", "claude_code_token_usage_total"] as const;
export const COST_METRIC_NAMES = ["claude_code_cost_usage_USD_total", "claude_code_cost_usage_total"] as const;

/** one label matcher: a label name, an operator and a double-quoted PromQL string */
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\\n]|\\.)*"`;
const SELECTOR = new RegExp(String.raw`^\{\s*(?:(${MATCHER}(?:\s*,\s*${MATCHER})*)\s*,?\s*)?\}$`);
/** the longest selector accepted, characters: a few label matchers, not a query */
const MAX_SELECTOR_CHARS = 2000;

/**
 * Checks `--selector` (e.g. `{user_email="me@example.com"}`) and returns its matchers without the
 * braces ("" for none), or an error. Only label matchers are allowed: the selector is spliced into
 * the source's own queries, so anything else could change what they mean.
 */
export function parseSelector(text: string): { matchers: string } | { error: string } {
  if (text.length > MAX_SELECTOR_CHARS) return { error: `longer than ${MAX_SELECTOR_CHARS} characters` };
  const m = SELECTOR.exec(text.trim());
  if (!m) return { error: `expected label matchers in braces, like {user_email="me@example.com"}` };
  if (/(^|[\s,{])__name__\s*[=!]/.test(text)) return { error: "must not match __name__: the source chooses the metrics" };
  return { matchers: m[1] ?? "" };
}

/** The selector of one counter family (both names) narrowed by the user's matchers. */
export function seriesSelector(names: readonly string[], matchers: string): string {
  const name = `__name__=~"${names.join("|")}"`;
  return `{${matchers === "" ? name : `${name},${matchers}`}}`;
}
