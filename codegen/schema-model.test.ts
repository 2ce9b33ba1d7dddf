import { describe, expect, it } from "vitest";
import { CONTRACT_MAX_BYTES, usageJsonSchema } from "../packages/core/src/contract.js";
import { maxJsonBytes } from "./c-header.js";
import { patternBounds } from "./regex-bounds.js";
import { contractModel } from "./schema-model.js";

const schemaWith = (name: string, node: unknown, required = true): Record<string, unknown> => ({
  type: "object",
  properties: { v: { type: "number", const: 1 }, [name]: node },
  required: required ? ["v", name] : ["v"],
});

describe("contractModel on the real contract", () => {
  const model = contractModel(usageJsonSchema());
  const field = (name: string) => model.fields.find((f) => f.name === name);

  it("keeps schema order and reads the version from v", () => {
    expect(model.fields.map((f) => f.name)).toStrictEqual(Object.keys((usageJsonSchema() as { properties: object }).properties));
    expect(model.version).toBe(1);
  });

  it("types each field from its JSON Schema", () => {
    expect(field("v")?.type).toStrictEqual({ kind: "const", value: 1 });
    expect(field("hot")?.type).toStrictEqual({ kind: "bool" });
    expect(field("tach_pos")?.type).toStrictEqual({ kind: "integer", min: 0, max: 1000 });
    expect(field("window_5h_pct")?.type).toStrictEqual({ kind: "number", min: 0, max: 1 });
    expect(field("last_model")).toMatchObject({ nullable: true, type: { kind: "enum", values: ["opus", "sonnet", "haiku"] } });
    expect(field("window_5h_reset_at")).toMatchObject({ nullable: true, type: { kind: "text", minLength: 17, maxLength: 22 } });
    expect(field("updated_at")).toMatchObject({ nullable: false, type: { kind: "text", minLength: 20, maxLength: 25, chars: "+-0123456789:TZ" } });
  });

  it("sizes the firmware's input limit to cover everything the core promises to send", () => {
    const bytes = maxJsonBytes(model);
    expect(bytes % 64).toBe(0);
    expect(bytes).toBeGreaterThanOrEqual(CONTRACT_MAX_BYTES);
  });
});

describe("contractModel refuses what a fixed C struct cannot hold, naming the field", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a free string", schemaWith("note", { type: "string" }), /field "note": strings need/],
    ["an unbounded pattern", schemaWith("note", { type: "string", pattern: "^a+$" }), /field "note": strings need a bounded/],
    ["an optional field", schemaWith("extra", { type: "boolean" }, false), /field "extra": optional fields/],
    ["a nested object", schemaWith("obj", { type: "object", properties: {} }), /field "obj": keyword "properties"/],
    ["an exclusive bound", schemaWith("x", { type: "number", exclusiveMinimum: 0 }), /field "x": keyword "exclusiveMinimum"/],
    ["an enum value that is no C identifier", schemaWith("m", { type: "string", enum: ["gpt-5"] }), /field "m": enum value "gpt-5"/],
    ["a union", schemaWith("u", { anyOf: [{ type: "string" }, { type: "number" }] }), /field "u": anyOf is supported only as \[T, null\]/],
    ["a field name C cannot use", schemaWith("Bad-Name", { type: "boolean" }), /field "Bad-Name": names must be/],
  ];
  for (const [what, schema, err] of cases) {
    it(what, () => {
      expect(() => contractModel(schema)).toThrow(err);
    });
  }

  it("a schema without its version const", () => {
    expect(() => contractModel({ type: "object", properties: { a: { type: "boolean" } }, required: ["a"] })).toThrow(/version field "v"/);
  });
});

describe("patternBounds", () => {
  it("measures zod's ISO patterns and collects their alphabet", () => {
    expect(patternBounds("^\\d{4}-\\d\\d(?:T[0-5]\\d)?(?:Z|[+-]\\d\\d:\\d\\d)$")).toStrictEqual({
      minLength: 8,
      maxLength: 16,
      chars: "+-0123456789:TZ",
    });
  });

  it("handles ranges, alternation, optional groups and counted repeats", () => {
    expect(patternBounds("^a(b|cd)?e{2,4}[x-z]$")).toStrictEqual({ minLength: 4, maxLength: 8, chars: "abcdexyz" });
    expect(patternBounds("^(?:ab|c){3}$")).toMatchObject({ minLength: 3, maxLength: 6 });
  });

  it("reports unbounded repeats and refuses what it cannot bound", () => {
    expect(patternBounds("^a*b+$").maxLength).toBe(Infinity);
    expect(() => patternBounds("^.{3}$")).toThrow(/'\.' matches anything/);
    expect(() => patternBounds("^[^a]$")).toThrow(/negated class/);
    expect(() => patternBounds("^(?=a)a$")).toThrow(/lookaround/);
  });
});
