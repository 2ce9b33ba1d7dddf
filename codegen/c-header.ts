import { readFileSync } from "node:fs";
import type { ContractField, ContractModel, FieldType } from "./schema-model.js";

/** Longest JSON.stringify text of a double (chars): 0.0000012345678901234567 or 1.2345678901234567e-100, plus a sign. */
const NUMBER_MAX_CHARS = 25;

const RUNTIME = readFileSync(new URL("./c-runtime.inc", import.meta.url), "utf8").trimEnd();

const upper = (s: string): string => s.toUpperCase();
const pascal = (s: string): string =>
  s
    .split("_")
    .map((w) => (w[0] ?? "").toUpperCase() + w.slice(1))
    .join("");
const enumType = (f: ContractField): string => `Usage${pascal(f.name)}`;
const int32Fits = (min: number, max: number): boolean => min >= -2147483648 && max <= 2147483647;

/** Largest compact JSON text of one value of this field (chars). */
function valueMaxChars(f: ContractField): number {
  const t = f.type;
  let n: number;
  switch (t.kind) {
    case "bool":
      n = 5;
      break;
    case "const":
      n = String(t.value).length;
      break;
    case "integer":
      n = Math.max(String(t.min).length, String(t.max).length);
      break;
    case "number":
      n = NUMBER_MAX_CHARS;
      break;
    case "enum":
      n = Math.max(...t.values.map((v) => v.length)) + 2;
      break;
    case "text":
      n = t.maxLength + 2; // the alphabet has nothing to escape
      break;
  }
  return f.nullable ? Math.max(n, 4) : n;
}

/**
 * Largest compact /usage body a valid snapshot can serialize to (bytes), rounded up to 64: every
 * field at its longest. Anything bigger is not ours, so the firmware refuses it before parsing.
 */
export function maxJsonBytes(model: ContractModel): number {
  let n = 2 + Math.max(0, model.fields.length - 1);
  for (const f of model.fields) n += f.name.length + 3 + valueMaxChars(f);
  return Math.ceil(n / 64) * 64;
}

/** A C float literal for a schema bound (the bounds are short decimals: 0, 1, 99999). */
function cFloat(v: number): string {
  const s = String(v);
  return `${/[.e]/.test(s) ? s : `${s}.0`}f`;
}

function cInt(v: number, wide: boolean): string {
  return wide ? `INT64_C(${v})` : String(v);
}

function cType(f: ContractField): string {
  const t: FieldType = f.type;
  switch (t.kind) {
    case "bool":
      return "bool";
    case "const":
      return int32Fits(t.value, t.value) ? "int32_t" : "int64_t";
    case "integer":
      return int32Fits(t.min, t.max) ? "int32_t" : "int64_t";
    case "number":
      return "float";
    case "enum":
      return enumType(f);
    case "text":
      return "char";
  }
}

function comment(f: ContractField): string {
  const t = f.type;
  const bits = [f.description];
  if (t.kind === "integer") bits.push(`clamped to ${t.min}..${t.max}`);
  if (t.kind === "number") {
    if (t.min !== null || t.max !== null) bits.push(`clamped to ${t.min ?? "-FLT_MAX"}..${t.max ?? "FLT_MAX"}`);
    bits.push("float, within 1 ulp of the server's value");
  }
  if (t.kind === "const") bits.push(`always ${t.value}`);
  if (t.kind === "text") bits.push(`${t.minLength}..${t.maxLength} chars of "${t.chars}"`);
  if (f.nullable) bits.push(t.kind === "enum" ? "NONE when null" : t.kind === "text" ? '"" when null' : "see has_");
  return bits.filter((b) => b !== "").join("; ");
}

function emitEnum(f: ContractField, values: readonly string[]): string {
  const T = enumType(f);
  const members = [...(f.nullable ? ["NONE"] : []), ...values.map(upper)];
  const lines = [
    `/** ${f.name}: ${f.description}${f.nullable ? " (NONE when null)" : ""} */`,
    `enum class ${T} : uint8_t { ${members.join(", ")} };`,
    "",
    `/** The JSON text of a ${T}${f.nullable ? "; nullptr for NONE" : ""}. */`,
    `inline const char* usage_${f.name}_name(${T} v) {`,
    "  switch (v) {",
    ...values.map((v) => `    case ${T}::${upper(v)}: return "${v}";`),
    ...(f.nullable ? [`    case ${T}::NONE: break;`] : []),
    "  }",
    "  return nullptr;",
    "}",
  ];
  return lines.join("\n");
}

function emitBounds(f: ContractField): string[] {
  const t = f.type;
  const N = `USAGE_${upper(f.name)}`;
  if (t.kind === "integer") {
    const wide = !int32Fits(t.min, t.max);
    const ty = wide ? "int64_t" : "int32_t";
    return [`constexpr ${ty} ${N}_MIN = ${cInt(t.min, wide)};`, `constexpr ${ty} ${N}_MAX = ${cInt(t.max, wide)};`];
  }
  if (t.kind === "text") {
    return [
      `/** Buffer for ${f.name} including its NUL (bytes). */`,
      `#define ${N}_SIZE ${t.maxLength + 1}`,
      `#define ${N}_MIN_LENGTH ${t.minLength}`,
      `#define ${N}_CHARS "${t.chars}"`,
    ];
  }
  if (t.kind === "number") {
    return [
      ...(t.min !== null ? [`constexpr float ${N}_MIN = ${cFloat(t.min)};`] : []),
      ...(t.max !== null ? [`constexpr float ${N}_MAX = ${cFloat(t.max)};`] : []),
    ];
  }
  return [];
}

function emitStructField(f: ContractField): string[] {
  const c = `  // ${comment(f)}`;
  const needsHas = f.nullable && f.type.kind !== "enum";
  const has = needsHas ? [`  bool has_${f.name};  // false when the server sent null`] : [];
  if (f.type.kind === "text") return [c, ...has, `  char ${f.name}[USAGE_${upper(f.name)}_SIZE];`];
  return [c, ...has, `  ${cType(f)} ${f.name};`];
}

function emitRead(f: ContractField, model: ContractModel): string[] {
  const t = f.type;
  const key = `root["${f.name}"]`;
  const name = `"${f.name}"`;
  const has = f.nullable ? `&tmp.has_${f.name}` : "nullptr";
  const bail = ")) return false;";
  const N = `USAGE_${upper(f.name)}`;
  switch (t.kind) {
    case "bool":
      return [`  if (!usage_detail::read_bool(${key}, ${name}, ${has}, tmp.${f.name}, err, errlen${bail}`];
    case "const": {
      const label = f.description !== "" ? f.description : "fixed value";
      const value = f.name === model.versionField ? "USAGE_CONTRACT_VERSION" : cInt(t.value, true);
      return [`  if (!usage_detail::read_const(${key}, ${name}, ${value}, "${label.replace(/["\\]/g, "")}", err, errlen${bail}`, `  tmp.${f.name} = ${value};`];
    }
    case "integer":
      return [
        `  if (!usage_detail::read_integer(${key}, ${name}, ${N}_MIN, ${N}_MAX, ${has}, wide, err, errlen${bail}`,
        `  tmp.${f.name} = ${cType(f) === "int64_t" ? "wide" : "static_cast<int32_t>(wide)"};`,
      ];
    case "number": {
      const min = t.min !== null ? `${N}_MIN` : "-usage_detail::kUnbounded";
      const max = t.max !== null ? `${N}_MAX` : "usage_detail::kUnbounded";
      return [`  if (!usage_detail::read_number(${key}, ${name}, ${min}, ${max}, ${has}, tmp.${f.name}, err, errlen${bail}`];
    }
    case "text":
      return [`  if (!usage_detail::read_text(${key}, ${name}, ${has}, ${N}_MIN_LENGTH, tmp.${f.name}, sizeof(tmp.${f.name}), ${N}_CHARS, err, errlen${bail}`];
    case "enum": {
      const T = enumType(f);
      const lines = [`  if (!usage_detail::read_enum_text(${key}, ${name}, ${f.nullable}, text, err, errlen${bail}`];
      const chain = t.values.map((v, i) => `${i === 0 ? "" : "else "}if (strcmp(text, "${v}") == 0) tmp.${f.name} = ${T}::${upper(v)};`);
      const unknown = `else return usage_detail::fail_value(err, errlen, ${name}, "unknown value", text);`;
      if (f.nullable) {
        lines.push(`  tmp.${f.name} = ${T}::NONE;`, "  if (text != nullptr) {", ...chain.map((l) => `    ${l}`), `    ${unknown}`, "  }");
      } else {
        lines.push(...chain.map((l) => `  ${l}`), `  ${unknown}`);
      }
      return lines;
    }
  }
}

function emitWrite(f: ContractField): string[] {
  const t = f.type;
  const v = `in.${f.name}`;
  let value: string;
  switch (t.kind) {
    case "bool":
      value = `o.raw(${v} ? "true" : "false");`;
      break;
    case "const":
    case "integer":
      value = `usage_detail::write_int(o, ${v});`;
      break;
    case "number":
      value = `usage_detail::write_number(o, ${v});`;
      break;
    case "text":
      value = `usage_detail::write_string(o, ${v});`;
      break;
    case "enum":
      value = f.nullable
        ? `if (${v} == ${enumType(f)}::NONE) o.raw("null"); else usage_detail::write_string(o, usage_${f.name}_name(${v}));`
        : `usage_detail::write_string(o, usage_${f.name}_name(${v}));`;
      break;
  }
  if (f.nullable && t.kind !== "enum") value = `if (!in.has_${f.name}) o.raw("null"); else ${value}`;
  return [`  usage_detail::write_key(o, "${f.name}");`, `  ${value}`];
}

export interface HeaderMeta {
  /** the command that regenerates the file, for the banner */
  command: string;
  /** where the schema lives, for the banner */
  source: string;
}

/** The firmware's view of the contract: struct, bounds, parser and writer, all derived from `model`. */
export function renderHeader(model: ContractModel, meta: HeaderMeta): string {
  const fields = model.fields;
  const enums = fields.flatMap((f) => (f.type.kind === "enum" ? [emitEnum(f, f.type.values)] : []));
  const bounds = fields.flatMap(emitBounds);
  const consts = fields.filter((f) => f.type.kind === "const");
  const rest = fields.filter((f) => f.type.kind !== "const");
  const usesWide = fields.some((f) => f.type.kind === "integer");
  const usesText = fields.some((f) => f.type.kind === "enum");

  return `// GENERATED by \`${meta.command}\` from ${meta.source} — do not edit.
// The /usage contract as the firmware sees it: one struct, its bounds, a parser and a writer.
//
// Precision on the device: integers, booleans, strings and nulls arrive exactly. Fractional fields
// are kept as float, because that is what ArduinoJson 7.2+ holds for the server's short decimals
// anyway (0.31 reads back as 0.3100000023841858); a double field would only pretend to more. They
// arrive within 1 float ulp of the server's value: ArduinoJson's decimal parser is not correctly
// rounded (0.9 lands on 0.90000004, the float above 0.9f), so 96 % of the values the server's
// encoders produce (1 % shares, cents, dimes, dollars) come back as the server's text and the rest
// 1 ulp off. The needles never read them: they run on the integer positions 0..1000. The fractions
// stay so that the firmware refuses what the server's schema refuses and a display added later
// has them, at 4 bytes each.
#pragma once

#include <ArduinoJson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmath>
#include <limits>

// Host builds under AddressSanitizer learn which bytes of the parser's arena are in use.
#if defined(__SANITIZE_ADDRESS__)
#define USAGE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define USAGE_ASAN 1
#endif
#endif
#if USAGE_ASAN
#include <sanitizer/asan_interface.h>
#endif

// Token counts pass 2^31 within a busy week. With doubles off, ArduinoJson's decimal parser lands up
// to 19 float ulps away from the server's value (measured); with them on, within 1.
#if !ARDUINOJSON_USE_LONG_LONG
#error "usage_contract.h needs ARDUINOJSON_USE_LONG_LONG=1"
#endif
#if !ARDUINOJSON_USE_DOUBLE
#error "usage_contract.h needs ARDUINOJSON_USE_DOUBLE=1"
#endif

/** Contract version this header speaks; snapshots with another "${model.versionField}" are refused. */
#define USAGE_CONTRACT_VERSION ${model.version}
/** Largest /usage body accepted (bytes): every field at its longest, compact JSON. */
#define USAGE_JSON_MAX_BYTES ${maxJsonBytes(model)}

${bounds.join("\n")}

${enums.join("\n\n")}

/** One parsed /usage snapshot. Plain data: copy it freely (e.g. through a FreeRTOS queue). */
struct UsageContract {
${fields.flatMap(emitStructField).join("\n")}
};

${RUNTIME}

/**
 * Turns /usage bodies into UsageContract. Holds one JsonDocument for every parse, its arena and a
 * filter that keeps unknown fields out of memory. One per task: it is not thread-safe. Its
 * constructor allocates the filter (once); afterwards a steady stream of snapshots costs no heap
 * calls once the arena has grown to fit them.
 */
class UsageParser {
 public:
  UsageParser() : doc_(&arena_) {
${fields.map((f) => `    filter_["${f.name}"] = true;`).join("\n")}
  }
  UsageParser(const UsageParser&) = delete;
  UsageParser& operator=(const UsageParser&) = delete;

  /**
   * Parses one body (need not be NUL-terminated; at most len bytes are read). On success fills
   * \`out\` and returns true. On failure returns false, writes "field: reason" into err (errlen
   * bytes, always terminated) and leaves \`out\` untouched. Out-of-range numbers are clamped; a
   * missing field, a wrong type, another contract version or an unknown enum value is an error.
   */
  bool parse(const char* json, size_t len, UsageContract& out, char* err, size_t errlen);

  /** malloc/free calls the arena has made so far. */
  size_t heapCalls() const { return arena_.heapCalls(); }

 private:
  usage_detail::Arena arena_;  // declared first: the document hands its memory back before it goes
  JsonDocument doc_;
  JsonDocument filter_;
};

inline bool UsageParser::parse(const char* json, size_t len, UsageContract& out, char* err, size_t errlen) {
  if (err != nullptr && errlen > 0) err[0] = '\\0';
  if (json == nullptr || len == 0) return usage_detail::fail(err, errlen, "json", "empty input");
  if (len > USAGE_JSON_MAX_BYTES) {
    char msg[64];
    snprintf(msg, sizeof(msg), "%lu bytes is over the %d byte limit", static_cast<unsigned long>(len), USAGE_JSON_MAX_BYTES);
    return usage_detail::fail(err, errlen, "json", msg);
  }
  const DeserializationError parsed = deserializeJson(doc_, json, len, DeserializationOption::Filter(filter_));
  if (parsed) return usage_detail::fail(err, errlen, "json", parsed.c_str());
  // ArduinoJson accepts any JSON value at the top ("42", "[1,2]"), so insist on an object.
  if (!doc_.is<JsonObject>()) return usage_detail::fail(err, errlen, "json", "not an object");
  const JsonDocument& root = doc_;  // const lookups return JsonVariantConst and never insert keys
  UsageContract tmp{};
${usesWide ? "  int64_t wide = 0;\n" : ""}${usesText ? "  const char* text = nullptr;\n" : ""}  // Constants first, so a snapshot of another version reports that rather than a missing field.
${[...consts, ...rest].flatMap((f) => emitRead(f, model)).join("\n")}
  out = tmp;
  return true;
}

/**
 * Writes \`in\` as compact JSON in schema order, numbers as JavaScript prints them: integers,
 * booleans, strings and nulls as the server wrote them, fractional fields as the shortest text of
 * their float (see the top of this file). Returns the length, or 0 when size is too small.
 */
inline size_t usage_to_json(const UsageContract& in, char* dst, size_t size) {
  usage_detail::Out o(dst, size);
  o.put('{');
${fields.flatMap(emitWrite).join("\n")}
  o.put('}');
  return o.ok ? o.len : 0;
}
`;
}
