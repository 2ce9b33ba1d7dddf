/** Small hand-readable transcript lines for end-to-end tests (the corpus generator makes big trees). */
export interface AssistantLine {
  id: string;
  ts: Date | string;
  model?: string;
  input?: number;
  output?: number;
  cacheCreation?: number;
  cacheRead?: number;
  block?: "text" | "thinking" | "tool_use";
  text?: string;
  session?: string;
  requestId?: string | null;
}

export function assistantLine(a: AssistantLine): string {
  const block =
    a.block === "thinking"
      ? { type: "thinking", thinking: a.text ?? "", signature: "sig" }
      : a.block === "tool_use"
        ? { type: "tool_use", id: `toolu_${a.id}`, name: "Bash", input: { command: a.text ?? "ls" } }
        : { type: "text", text: a.text ?? "ok" };
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: "assistant",
    sessionId: a.session ?? "s1",
    timestamp: typeof a.ts === "string" ? a.ts : a.ts.toISOString(),
    ...(a.requestId === null ? {} : { requestId: a.requestId ?? `req_${a.id}` }),
    message: {
      id: `msg_${a.id}`,
      type: "message",
      role: "assistant",
      model: a.model ?? "claude-sonnet-4-5-20250929",
      content: [block],
      usage: {
        input_tokens: a.input ?? 0,
        output_tokens: a.output ?? 0,
        cache_creation_input_tokens: a.cacheCreation ?? 0,
        cache_read_input_tokens: a.cacheRead ?? 0,
        service_tier: "standard",
      },
    },
  });
}

export function userLine(ts: Date | string, text: string, session = "s1", toolResult = false): string {
  return JSON.stringify({
    type: "user",
    sessionId: session,
    timestamp: typeof ts === "string" ? ts : ts.toISOString(),
    message: { role: "user", content: toolResult ? [{ type: "tool_result", tool_use_id: "toolu_x", content: text }] : text },
  });
}
