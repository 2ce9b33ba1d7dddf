/**
 * Reads the contract's JSON Schema (as zod's converter emits it) into a flat field list that the
 * emitters turn into C, so no field is ever spelled out by hand. Anything the firmware could not
 * hold in a fixed-size struct is refused here, naming the field.
 */

import { patternBounds, type PatternBounds } from "./regex-bounds.js";

/** What a field holds once the firmware has parsed it. */
export type FieldType =
  | { kind: "bool" }
  /** whole numbers within [min, max] (JSON numbers without a fraction) */
  | { kind: "integer"; min: number; max: number }
  /** any JSON number; null bound = unbounded on that side */
  | { kind: "number"; min: number | null; max: number | null }
  /** a number that must equal `value` exactly (the contract version) */
  | { kind: "const"; value: number }
  | { kind: "enum"; values: readonly string[] }
  /**
   * Text of at most maxLength chars drawn from `chars` (both derived from the schema's pattern or
   * maxLength). The firmware checks length and alphabet; the full pattern stays the server's job.
   */
  | { kind: "text"; minLength: number; maxLength: number; chars: string };

export interface ContractField {
  name: string;
  description: string;
  nullable: boolean;
  type: FieldType;
}

export interface ContractModel {
  fields: readonly ContractField[];
  /** name of the const field that carries the contract version */
  versionField: string;
  version: number;
}

export interface ModelOptions {
  /** default "v" */
  versionField?: string;
}

type Json = Record<string, unknown>;

/** Alphabet of an RFC 3339 date-time, for `format: date-time` without a pattern. */
const DATETIME_CHARS = "+-.0123456789:TZ";
/** Longest RFC 3339 date-time kept when the schema gives no bound (chars): nanoseconds plus an offset. */
const DATETIME_MAX_CHARS = 35;

const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);

function fail(field: string, why: string): never {
  throw new Error(`codegen: field "${field}": ${why}`);
}

function num(node: Json, key: string, field: string): number | null {
  const v = node[key];
  if (v === undefined) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) fail(field, `${key} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

// Keywords that would change what a value may be; an emitter that ignored them would accept
// values the schema refuses, so their presence is an error until the walker learns them.
const UNSUPPORTED = ["exclusiveMinimum", "exclusiveMaximum", "multipleOf", "oneOf", "allOf", "not", "$ref", "items", "properties"];

function leafType(node: Json, field: string): FieldType {
  for (const k of UNSUPPORTED) if (k in node) fail(field, `keyword "${k}" is not supported by the C generator`);
  const t = node.type;
  if ("const" in node) {
    const c = node.const;
    if (typeof c !== "number" || !Number.isSafeInteger(c)) fail(field, `only integer consts are supported, got ${JSON.stringify(c)}`);
    return { kind: "const", value: c };
  }
  if ("enum" in node) {
    const values = node.enum;
    if (t !== "string" || !Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
      fail(field, "only non-empty string enums are supported");
    }
    for (const v of values as string[]) {
      if (!/^[a-z][a-z0-9_]*$/i.test(v)) fail(field, `enum value ${JSON.stringify(v)} cannot become a C identifier`);
    }
    return { kind: "enum", values: values as string[] };
  }
  switch (t) {
    case "boolean":
      return { kind: "bool" };
    case "integer": {
      const min = num(node, "minimum", field) ?? Number.MIN_SAFE_INTEGER;
      const max = num(node, "maximum", field) ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) fail(field, `integer bounds ${min}..${max} are not safe integers in order`);
      return { kind: "integer", min, max };
    }
    case "number": {
      const min = num(node, "minimum", field);
      const max = num(node, "maximum", field);
      if (min !== null && max !== null && min > max) fail(field, `minimum ${min} > maximum ${max}`);
      return { kind: "number", min, max };
    }
    case "string":
      return textType(node, field);
    default:
      return fail(field, `unsupported type ${JSON.stringify(t)}`);
  }
}

function textType(node: Json, field: string): FieldType {
  let minLength = 0;
  let maxLength = Infinity;
  let chars: string | null = null;
  if (typeof node.pattern === "string") {
    let b: PatternBounds;
    try {
      b = patternBounds(node.pattern);
    } catch (e) {
      return fail(field, (e as Error).message);
    }
    minLength = b.minLength;
    maxLength = b.maxLength;
    chars = b.chars;
  } else if (node.format === "date-time") {
    maxLength = DATETIME_MAX_CHARS;
    chars = DATETIME_CHARS;
  }
  const declaredMax = num(node, "maxLength", field);
  if (declaredMax !== null) maxLength = Math.min(maxLength, declaredMax);
  minLength = Math.max(minLength, num(node, "minLength", field) ?? 0);
  // A buffer needs a size and the C check needs an alphabet; refuse rather than guess either.
  if (!Number.isFinite(maxLength)) fail(field, "strings need a bounded pattern, maxLength or an enum (the firmware has fixed buffers)");
  if (chars === null) fail(field, "strings need a pattern or format date-time so the firmware knows their alphabet");
  // The alphabet becomes a C string literal and the writer copies text unescaped.
  if (/[^\x20-\x7e]|["\\]/.test(chars)) fail(field, "text fields support printable ASCII without quotes or backslashes");
  return { kind: "text", minLength, maxLength, chars };
}

/** Splits `anyOf: [X, {type: "null"}]` (zod's nullable) or `type: [X, "null"]` into X + nullable. */
function unwrapNullable(node: Json, field: string): { inner: Json; nullable: boolean } {
  if (Array.isArray(node.anyOf)) {
    const parts = node.anyOf as unknown[];
    const nonNull = parts.filter((p) => !(isObj(p) && p.type === "null"));
    if (parts.length !== 2 || nonNull.length !== 1 || !isObj(nonNull[0])) fail(field, "anyOf is supported only as [T, null]");
    return { inner: nonNull[0], nullable: true };
  }
  if (Array.isArray(node.type)) {
    const types = node.type as unknown[];
    const rest = types.filter((x) => x !== "null");
    if (types.length !== 2 || rest.length !== 1) fail(field, 'type arrays are supported only as [T, "null"]');
    return { inner: { ...node, type: rest[0] }, nullable: true };
  }
  return { inner: node, nullable: false };
}

export function contractModel(schema: unknown, opts: ModelOptions = {}): ContractModel {
  const versionField = opts.versionField ?? "v";
  if (!isObj(schema) || schema.type !== "object" || !isObj(schema.properties)) {
    throw new Error("codegen: the contract schema must be an object schema with properties");
  }
  const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]) : []);
  const fields: ContractField[] = [];
  for (const [name, raw] of Object.entries(schema.properties)) {
    // Names become C identifiers and constant names as they are.
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) fail(name, "names must be lower_snake_case identifiers");
    if (!required.has(name)) fail(name, "optional fields are not supported (every field must be required; use null for absence)");
    if (!isObj(raw)) fail(name, "schema must be an object");
    const { inner, nullable } = unwrapNullable(raw, name);
    const type = leafType(inner, name);
    if (type.kind === "const" && nullable) fail(name, "a const cannot be nullable");
    const description = typeof raw.description === "string" ? raw.description : typeof inner.description === "string" ? inner.description : "";
    fields.push({ name, description, nullable, type });
  }
  const vf = fields.find((f) => f.name === versionField);
  if (vf?.type.kind !== "const") throw new Error(`codegen: the version field "${versionField}" must exist and be an integer const`);
  return { fields, versionField, version: vf.type.value };
}
