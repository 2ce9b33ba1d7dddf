// The generated parser (include/usage_contract.h), on the real ArduinoJson, against real and broken
// /usage bodies. Inputs live in exactly-sized heap buffers without a NUL, so the sanitizers catch
// any read past `len`. One parser serves every case, as one serves the firmware's network task.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "snapshot_fixture.h"
#include "usage_contract.h"

namespace {

struct Result {
  bool ok;
  std::string err;
  UsageContract out;
};

UsageParser& parser() {
  static UsageParser p;
  return p;
}

Result parse(const std::string& json) {
  std::vector<char> exact(json.begin(), json.end());
  Result r{};
  char err[128];
  std::memset(err, 'x', sizeof(err));
  r.ok = parser().parse(exact.empty() ? "" : exact.data(), exact.size(), r.out, err, sizeof(err));
  r.err = err;
  return r;
}

/** Floats between what the device holds and the float nearest the server's value. */
int32_t ulps(float held, double sent) {
  const float nearest = static_cast<float>(sent);
  int32_t a, b;
  std::memcpy(&a, &held, sizeof(a));
  std::memcpy(&b, &nearest, sizeof(b));
  return a > b ? a - b : b - a;
}

bool untouched_on_failure(const std::string& json) {
  std::vector<char> exact(json.begin(), json.end());
  UsageContract out;
  std::memset(&out, 0xAB, sizeof(out));
  UsageContract before;
  std::memcpy(&before, &out, sizeof(out));
  char err[96];
  const bool ok = parser().parse(exact.data(), exact.size(), out, err, sizeof(err));
  return !ok && std::memcmp(&before, &out, sizeof(out)) == 0;
}

}  // namespace

TEST_CASE("a server snapshot parses into every field") {
  const Result r = parse(sample_json());
  REQUIRE_MESSAGE(r.ok, r.err);
  CHECK(r.err.empty());
  const UsageContract& s = r.out;
  CHECK(s.v == 1);
  CHECK(s.rate_1m == 1235);
  CHECK(s.window_5h_tokens == 123);
  CHECK(s.window_5h_pct == 0.25);
  CHECK(s.has_window_5h_reset_at);
  CHECK(std::string(s.window_5h_reset_at) == "2026-11-26T15:00Z");
  CHECK(s.window_7d_tokens == 456);
  CHECK(s.window_7d_pct == 0.1f);
  CHECK_FALSE(s.has_window_7d_reset_at);
  CHECK(std::string(s.window_7d_reset_at).empty());
  CHECK(s.cost_5h_usd == 1.5);
  CHECK(s.cost_7d_usd == 3.0);
  CHECK(s.thinking_ratio == 0.2f);
  // ArduinoJson 7.2 builds 0.9 as 9 × 0.1 in float arithmetic and lands on the float above 0.9f.
  CHECK(ulps(s.cache_hit_rate, 0.9) == 1);
  CHECK(s.last_model == UsageLastModel::OPUS);
  CHECK_FALSE(s.hot);
  CHECK_FALSE(s.warn);
  CHECK_FALSE(s.stall);
  CHECK(s.idle);
  CHECK_FALSE(s.limit_hit);
  CHECK(s.tach_pos == 300);
  CHECK(s.fuel_5h_pos == 750);
  CHECK(s.fuel_7d_pos == 900);
  CHECK(s.source == UsageSource::JSONL);
  CHECK(s.source_ok);
  CHECK(std::string(s.updated_at) == "2026-11-26T12:00:00Z");
}

TEST_CASE("an older server's snapshot (fractional rate, millisecond times) is refused like zod refuses it") {
  const std::string old =
      "{\"v\":1,\"rate_1m\":1234.5,\"window_5h_tokens\":123,\"window_5h_pct\":0.25,"
      "\"window_5h_reset_at\":\"2026-11-26T15:00:00.000Z\",\"window_7d_tokens\":456,\"window_7d_pct\":0.1,"
      "\"window_7d_reset_at\":null,\"cost_5h_usd\":1.5,\"cost_7d_usd\":3,\"thinking_ratio\":0.2,"
      "\"cache_hit_rate\":0.9,\"last_model\":\"opus\",\"hot\":false,\"warn\":false,\"stall\":false,"
      "\"idle\":true,\"limit_hit\":false,\"tach_pos\":300,\"fuel_5h_pos\":750,\"fuel_7d_pos\":900,"
      "\"fuel_source\":\"estimated\",\"source\":\"jsonl\",\"source_ok\":true,\"updated_at\":\"2026-11-26T12:00:00.000Z\"}";
  CHECK(parse(old).err == "rate_1m: expected integer");
  CHECK(parse(with_value("window_5h_reset_at", "\"2026-11-26T15:00:00.000Z\"")).err ==
        "window_5h_reset_at: too long: \"2026-11-26T15:00:00.000Z\"");
  CHECK(parse(with_value("updated_at", "\"2026-11-26T12:00:00.000Z\"")).err ==
        "updated_at: unexpected character in \"2026-11-26T12:00:00.000Z\"");
}

TEST_CASE("usage_to_json writes a server snapshot back, fractions as the floats the device holds") {
  const Result r = parse(sample_json());
  REQUIRE(r.ok);
  char buf[USAGE_JSON_MAX_BYTES + 1];
  const size_t n = usage_to_json(r.out, buf, sizeof(buf));
  // Everything as the server wrote it, but 0.9: the device holds the float next to 0.9f.
  const std::string expected = with_value("cache_hit_rate", "0.90000004");
  CHECK(n == expected.size());
  CHECK(std::string(buf) == expected);

  SUBCASE("a buffer too small yields 0 and stays terminated inside its bounds") {
    std::vector<char> small(40, '#');
    CHECK(usage_to_json(r.out, small.data(), small.size()) == 0);
    CHECK(std::memchr(small.data(), '\0', small.size()) != nullptr);
  }
}

TEST_CASE("every truncation is refused as IncompleteInput and leaves out untouched") {
  const std::string full = sample_json();
  for (size_t len = 1; len < full.size(); ++len) {
    const std::string cut = full.substr(0, len);
    const Result r = parse(cut);
    INFO("prefix of " << len << " bytes: " << cut);
    CHECK_FALSE(r.ok);
    CHECK(r.err == "json: IncompleteInput");
    CHECK(untouched_on_failure(cut));
  }
  CHECK(parse("").err == "json: empty input");
  CHECK(parse("   ").err == "json: EmptyInput");
}

TEST_CASE("an oversized body is refused before parsing") {
  std::string big = sample_json();
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(2100, 'p') + "\"");
  const Result r = parse(big);
  CHECK_FALSE(r.ok);
  CHECK(r.err.find("json: ") == 0);
  CHECK(r.err.find("over the " + std::to_string(USAGE_JSON_MAX_BYTES) + " byte limit") != std::string::npos);
  CHECK(untouched_on_failure(big));
}

TEST_CASE("the size limit covers the longest valid snapshot") {
  // Every field at its longest schema-valid text: 22-char fractions, top counts, offsets, long enums.
  std::string s = sample_json();
  auto set = [&s](const char* key, const std::string& value) {
    const std::string needle = std::string("\"") + key + "\":";
    const size_t at = s.find(needle) + needle.size();
    s.replace(at, s.find_first_of(",}", at) - at, value);
  };
  for (const char* k : {"window_5h_pct", "window_7d_pct", "cost_5h_usd", "cost_7d_usd", "thinking_ratio",
                        "cache_hit_rate"}) {
    set(k, "0.0000012345678901234567");
  }
  set("rate_1m", "9999999");
  set("window_5h_tokens", "999999999");
  set("window_7d_tokens", "9999999999");
  set("window_5h_reset_at", "\"2026-11-26T15:00+05:30\"");
  set("window_7d_reset_at", "\"2026-12-01T00:00-08:00\"");
  set("updated_at", "\"2026-11-26T12:00:00+05:30\"");
  for (const char* k : {"tach_pos", "fuel_5h_pos", "fuel_7d_pos"}) set(k, "1000");
  set("source", "\"ccusage\"");
  set("fuel_source", "\"estimated\"");
  set("last_model", "\"sonnet\"");
  CHECK(s.size() <= USAGE_JSON_MAX_BYTES);
  const Result r = parse(s);
  REQUIRE_MESSAGE(r.ok, r.err);
  CHECK(r.out.window_7d_tokens == INT64_C(9999999999));
  CHECK(ulps(r.out.cost_5h_usd, 0.0000012345678901234567) <= 1);
  char buf[USAGE_JSON_MAX_BYTES + 1];
  REQUIRE(usage_to_json(r.out, buf, sizeof(buf)) > 0);
  // 22 significant digits come back as the 8 a float has.
  CHECK(std::string(buf).find("\"cost_5h_usd\":0.0000012345679,") != std::string::npos);
}

TEST_CASE("a wrong type names the field") {
  struct Case {
    const char* key;
    const char* value;
    const char* err;
  };
  const Case cases[] = {
      {"v", "\"1\"", "v: expected integer"},
      {"v", "1.5", "v: expected integer"},
      {"rate_1m", "\"fast\"", "rate_1m: expected integer"},
      {"rate_1m", "null", "rate_1m: expected integer"},
      {"rate_1m", "1234.5", "rate_1m: expected integer"},
      {"cost_5h_usd", "true", "cost_5h_usd: expected number"},
      {"cost_7d_usd", "\"3\"", "cost_7d_usd: expected number"},
      {"window_5h_tokens", "12.5", "window_5h_tokens: expected integer"},
      {"window_5h_tokens", "\"12\"", "window_5h_tokens: expected integer"},
      {"window_5h_pct", "[0.5]", "window_5h_pct: expected number"},
      {"window_5h_reset_at", "0", "window_5h_reset_at: expected string or null"},
      {"window_5h_reset_at", "\"tomorrow\"", "window_5h_reset_at: too short: \"tomorrow\""},
      {"window_7d_reset_at", "\"2026-11-26 15:00Z\"", "window_7d_reset_at: unexpected character in \"2026-11-26 15:00Z\""},
      {"window_7d_reset_at", "\"\"", "window_7d_reset_at: too short: \"\""},
      {"last_model", "5", "last_model: expected string or null"},
      {"last_model", "\"gpt\"", "last_model: unknown value \"gpt\""},
      {"hot", "1", "hot: expected boolean"},
      {"hot", "\"true\"", "hot: expected boolean"},
      {"idle", "null", "idle: expected boolean"},
      {"tach_pos", "300.5", "tach_pos: expected integer"},
      {"fuel_5h_pos", "{}", "fuel_5h_pos: expected integer"},
      {"source", "null", "source: expected string"},
      {"source", "\"magic\"", "source: unknown value \"magic\""},
      {"updated_at", "null", "updated_at: expected string"},
      {"updated_at", "\"2026-11-26 12:00:00Z\"", "updated_at: unexpected character in \"2026-11-26 12:00:00Z\""},
  };
  for (const Case& c : cases) {
    const std::string json = with_value(c.key, c.value);
    INFO(json);
    const Result r = parse(json);
    CHECK_FALSE(r.ok);
    CHECK(r.err == c.err);
    CHECK(untouched_on_failure(json));
  }
}

TEST_CASE("another contract version is refused before anything else") {
  CHECK(parse(with_value("v", "2")).err == "v: got 2, want 1 (contract version)");
  CHECK(parse(with_value("v", "0")).err == "v: got 0, want 1 (contract version)");
  // A future snapshot that also renamed fields still reports the version, not a missing field.
  CHECK(parse("{\"v\":2,\"rate\":1}").err == "v: got 2, want 1 (contract version)");
  CHECK(untouched_on_failure(with_value("v", "2")));
}

TEST_CASE("every missing field is named") {
  for (const char* key : kFields) {
    const std::string json = without(key);
    INFO(json);
    const Result r = parse(json);
    CHECK_FALSE(r.ok);
    CHECK(r.err == std::string(key) + ": missing");
    CHECK(untouched_on_failure(json));
  }
}

TEST_CASE("a root that is not an object is refused") {
  for (const char* json : {"42", "[1,2]", "\"snapshot\"", "null", "true", "[]"}) {
    INFO(json);
    CHECK(parse(json).err == "json: not an object");
  }
  CHECK(parse("{\"v\":NaN}").err == "json: InvalidInput");
  CHECK(parse("{\"v\":1,}").err == "json: InvalidInput");
  CHECK(parse("{\"v\":1,\"deep\":[[[[[[[[[[[1]]]]]]]]]]]}").err == "json: TooDeep");
}

TEST_CASE("nullable fields accept null") {
  std::string json = with_value("window_5h_reset_at", "null");
  json.replace(json.find("\"opus\""), 6, "null");
  const Result r = parse(json);
  REQUIRE_MESSAGE(r.ok, r.err);
  CHECK_FALSE(r.out.has_window_5h_reset_at);
  CHECK(r.out.window_5h_reset_at[0] == '\0');
  CHECK(r.out.last_model == UsageLastModel::NONE);
  CHECK(usage_last_model_name(r.out.last_model) == nullptr);
  char buf[USAGE_JSON_MAX_BYTES + 1];
  REQUIRE(usage_to_json(r.out, buf, sizeof(buf)) > 0);
  json.replace(json.find("\"cache_hit_rate\":0.9"), 20, "\"cache_hit_rate\":0.90000004");
  CHECK(std::string(buf) == json);
}

TEST_CASE("out-of-range values are clamped to the schema bounds") {
  CHECK(parse(with_value("window_5h_pct", "1.5")).out.window_5h_pct == 1.0);
  CHECK(parse(with_value("window_7d_pct", "-0.25")).out.window_7d_pct == 0.0);
  CHECK(parse(with_value("cache_hit_rate", "7")).out.cache_hit_rate == 1.0);
  CHECK(parse(with_value("rate_1m", "-5")).out.rate_1m == 0);
  CHECK(parse(with_value("rate_1m", "123456789")).out.rate_1m == USAGE_RATE_1M_MAX);
  CHECK(parse(with_value("cost_5h_usd", "1e300")).out.cost_5h_usd == USAGE_COST_5H_USD_MAX);
  CHECK(parse(with_value("cost_7d_usd", "-0.01")).out.cost_7d_usd == 0.0);
  CHECK(parse(with_value("tach_pos", "5000")).out.tach_pos == USAGE_TACH_POS_MAX);
  CHECK(parse(with_value("tach_pos", "1001")).out.tach_pos == 1000);
  CHECK(parse(with_value("tach_pos", "1000")).out.tach_pos == 1000);
  CHECK(parse(with_value("tach_pos", "0")).out.tach_pos == 0);
  CHECK(parse(with_value("window_5h_pct", "1.0000001")).out.window_5h_pct == 1.0);
  CHECK(parse(with_value("window_5h_pct", "1")).out.window_5h_pct == 1.0);
  CHECK(parse(with_value("fuel_5h_pos", "-3")).out.fuel_5h_pos == 0);
  CHECK(parse(with_value("fuel_7d_pos", "99999999999")).out.fuel_7d_pos == 1000);
  CHECK(parse(with_value("window_5h_tokens", "-1")).out.window_5h_tokens == 0);
  CHECK(parse(with_value("window_7d_tokens", "1152921504606846976")).out.window_7d_tokens == USAGE_WINDOW_7D_TOKENS_MAX);
  // Whole numbers past 32 bits survive where the schema allows them (a busy week passes 2^31 tokens)
  // and are clamped into 32-bit fields before they could wrap.
  CHECK(parse(with_value("window_7d_tokens", "4294967296")).out.window_7d_tokens == INT64_C(4294967296));
  CHECK(parse(with_value("window_5h_tokens", "4294967296")).out.window_5h_tokens == USAGE_WINDOW_5H_TOKENS_MAX);
  // Beyond 64 bits ArduinoJson stores a float, and a float is not an integer.
  CHECK(parse(with_value("window_7d_tokens", "18446744073709551616")).err == "window_7d_tokens: expected integer");
  // An exponent past double range reads as infinity, which no field can mean.
  CHECK(parse(with_value("cost_5h_usd", "1e999")).err == "cost_5h_usd: not a finite number");
}

TEST_CASE("timestamps: the pattern's length and alphabet, offsets included") {
  for (const char* ts : {"\"2026-11-26T15:00Z\"", "\"2026-11-26T15:00+05:30\"", "\"2026-11-26T15:00-08:00\""}) {
    INFO(ts);
    const Result r = parse(with_value("window_7d_reset_at", ts));
    CHECK_MESSAGE(r.ok, r.err);
  }
  for (const char* ts : {"\"2026-11-26T12:00:00Z\"", "\"2026-11-26T12:00:00+05:30\""}) {
    INFO(ts);
    const Result r = parse(with_value("updated_at", ts));
    CHECK_MESSAGE(r.ok, r.err);
  }
  CHECK(parse(with_value("updated_at", "\"2026-11-26T12:00:00+05:30:00\"")).err.find("updated_at: too long:") == 0);
  CHECK(parse(with_value("window_5h_reset_at", "\"2026-11-26T15:00z\"")).err.find("window_5h_reset_at: unexpected character") == 0);
  CHECK(sizeof(UsageContract::updated_at) == USAGE_UPDATED_AT_SIZE);
}

TEST_CASE("ArduinoJson quirks the parser lives with") {
  // Unknown keys are ignored: the server may grow a field before the firmware learns it.
  std::string extra = sample_json();
  extra.insert(extra.size() - 1, ",\"new_field\":{\"a\":[1,2]}");
  CHECK(parse(extra).ok);
  // ArduinoJson stops after the first value, so trailing bytes are not an error.
  CHECK(parse(sample_json() + "garbage").ok);
  // Escapes decode before the enum comparison.
  CHECK(parse(with_value("source", "\"\\u006asonl\"")).out.source == UsageSource::JSONL);
  // Unquoted and single-quoted keys are not JSON, but ArduinoJson reads them; nothing the server
  // sends looks like this, and refusing it would take a second parser.
  std::string loose = sample_json();
  loose.replace(loose.find("\"v\""), 3, "v");
  loose.replace(loose.find("\"hot\""), 5, "'hot'");
  CHECK(parse(loose).ok);
}

TEST_CASE("ArduinoJson 7.2 holds short decimals as floats") {
  // The library's own behaviour, which the header's precision notes rest on.
  JsonDocument doc;
  REQUIRE(deserializeJson(doc, "[0.31,0.1,0.0000012345678901234567,12345.678901234567]") == DeserializationError::Ok);
  CHECK(doc[0].as<double>() == static_cast<double>(0.31f));  // 0.3100000023841858
  CHECK(doc[0].as<double>() != 0.31);
  CHECK(doc[1].as<double>() == static_cast<double>(0.1f));
  // Longer mantissas are held as doubles.
  CHECK(doc[2].as<double>() == doctest::Approx(0.0000012345678901234567).epsilon(1e-15));
  CHECK(doc[3].as<double>() == doctest::Approx(12345.678901234567).epsilon(1e-15));
}

TEST_CASE("fractional fields: within 1 float ulp of every value the server's encoders produce") {
  // Shares in 1 % steps; USD as cents below $100, dimes below $1000, whole dollars up to 99999.
  std::vector<std::string> texts;
  auto add = [&texts](long units, int decimals) {
    const long scale = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
    const long whole = units / scale, frac = units % scale;
    char t[32];
    if (frac == 0) snprintf(t, sizeof(t), "%ld", whole);
    else if (decimals == 2 && frac % 10 != 0) snprintf(t, sizeof(t), "%ld.%02ld", whole, frac);
    else snprintf(t, sizeof(t), "%ld.%ld", whole, decimals == 2 ? frac / 10 : frac);
    texts.push_back(t);
  };
  for (long c = 0; c <= 100; ++c) add(c, 2);
  for (long c = 0; c < 10000; ++c) add(c, 2);
  for (long d = 1000; d < 10000; ++d) add(d, 1);
  for (long u = 1000; u <= 99999; ++u) add(u, 0);
  size_t exact = 0, worst = 0;
  JsonDocument doc;
  for (const std::string& text : texts) {
    const std::string body = "[" + text + "]";
    REQUIRE(deserializeJson(doc, body) == DeserializationError::Ok);
    float held = 0;
    char err[64];
    REQUIRE(usage_detail::read_number(doc[0], "x", 0.0f, USAGE_COST_5H_USD_MAX, nullptr, held, err, sizeof(err)));
    const size_t off = static_cast<size_t>(ulps(held, strtod(text.c_str(), nullptr)));
    worst = off > worst ? off : worst;
    char back[32];
    usage_detail::format_number(held, back, sizeof(back));
    if (text == back) ++exact;
  }
  CHECK(worst <= 1);
  CHECK(exact > texts.size() * 9 / 10);
  MESSAGE(exact, " of ", texts.size(), " encoder values come back as the server's text; the rest are 1 ulp off");
}

TEST_CASE("fractional fields: arbitrary doubles land within 1 float ulp") {
  std::mt19937_64 rng(7);
  JsonDocument doc;
  for (int i = 0; i < 20000; ++i) {
    const double x = std::uniform_real_distribution<double>(0, i % 2 ? 1.0 : 99999.0)(rng);
    char text[40];
    snprintf(text, sizeof(text), "[%.17g]", x);
    REQUIRE(deserializeJson(doc, text) == DeserializationError::Ok);
    float held = 0;
    char err[64];
    REQUIRE(usage_detail::read_number(doc[0], "x", 0.0f, USAGE_COST_5H_USD_MAX, nullptr, held, err, sizeof(err)));
    INFO(text);
    CHECK(ulps(held, x) <= 1);
  }
}

TEST_CASE("format_number: the shortest text that reads back as the same float, laid out like JavaScript") {
  const struct {
    float v;
    const char* text;
  } cases[] = {{0.25f, "0.25"}, {0.9f, "0.9"},   {3.0f, "3"},          {99999.0f, "99999"},        {1e-7f, "1e-7"},
               {1.5e-6f, "0.0000015"}, {0.0f, "0"}, {-0.0f, "0"}, {1e21f, "1e+21"}, {123456789.0f, "123456790"}};
  for (const auto& c : cases) {
    char t[32];
    usage_detail::format_number(c.v, t, sizeof(t));
    INFO(c.text);
    CHECK(std::string(t) == c.text);
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {
    const float v = std::uniform_real_distribution<float>(0, i % 2 ? 1.0f : 99999.0f)(rng);
    char t[32];
    usage_detail::format_number(v, t, sizeof(t));
    REQUIRE(strtof(t, nullptr) == v);
  }
}

TEST_CASE("UsageParser: once its arena has grown, snapshots cost no heap calls") {
  UsageParser p;
  UsageContract out;
  char err[96];
  const std::string small = sample_json();
  std::string big = sample_json();
  for (const char* k : {"window_5h_reset_at", "window_7d_reset_at"}) big = with_value(big, k, "\"2026-11-26T15:00+05:30\"");
  big = with_value(big, "updated_at", "\"2026-11-26T12:00:00+05:30\"");
  big = with_value(big, "source", "\"ccusage\"");
  // Unknown fields are filtered out before they take memory.
  std::string unknown = sample_json();
  unknown.insert(unknown.size() - 1, ",\"future\":{\"a\":[1,2,3],\"b\":\"" + std::string(150, 'z') + "\"}");
  for (int warm = 0; warm < 3; ++warm) REQUIRE(p.parse(big.data(), big.size(), out, err, sizeof(err)));
  const size_t before = p.heapCalls();
  for (int i = 0; i < 200; ++i) {
    const std::string& body = i % 3 == 0 ? small : i % 3 == 1 ? big : unknown;
    REQUIRE_MESSAGE(p.parse(body.data(), body.size(), out, err, sizeof(err)), err);
    // Refused bodies reuse the same memory too.
    CHECK_FALSE(p.parse(body.data(), body.size() / 2, out, err, sizeof(err)));
  }
  CHECK(p.heapCalls() == before);
}

TEST_CASE("a reused JsonDocument alone still allocates on every parse (why UsageParser has an arena)") {
  struct Counting : ArduinoJson::Allocator {
    size_t allocs = 0;  // allocate + reallocate
    size_t frees = 0;
    void* allocate(size_t n) override {
      ++allocs;
      return malloc(n);
    }
    void deallocate(void* p) override {
      if (p != nullptr) ++frees;
      free(p);
    }
    void* reallocate(void* p, size_t n) override {
      ++allocs;
      return realloc(p, n);
    }
  } counting;
  JsonDocument doc(&counting);
  const std::string body = sample_json();
  REQUIRE(deserializeJson(doc, body.data(), body.size()) == DeserializationError::Ok);
  const size_t first = counting.allocs;
  CHECK(counting.frees == 0);
  REQUIRE(deserializeJson(doc, body.data(), body.size()) == DeserializationError::Ok);
  // The second parse frees the first one's memory, then allocates it all again.
  CHECK(counting.allocs - first == first);
  CHECK(counting.frees > 0);
  MESSAGE("ArduinoJson ", ARDUINOJSON_VERSION, ": ", first, " allocations per parse of the sample, again in a reused document (",
          counting.frees, " frees)");
}

TEST_CASE("error messages stay inside a tiny or absent buffer") {
  const std::string json = with_value("window_5h_reset_at", "\"" + std::string(100, 'x') + "\"");
  std::vector<char> exact(json.begin(), json.end());
  UsageContract out{};
  char tiny[8];
  CHECK_FALSE(parser().parse(exact.data(), exact.size(), out, tiny, sizeof(tiny)));
  CHECK(std::string(tiny) == "window_");
  CHECK_FALSE(parser().parse(exact.data(), exact.size(), out, nullptr, 0));
  CHECK_FALSE(parser().parse(nullptr, 10, out, tiny, sizeof(tiny)));
}

TEST_CASE("enum names round-trip") {
  CHECK(std::string(usage_source_name(UsageSource::PROMQL)) == "promql");
  CHECK(std::string(usage_last_model_name(UsageLastModel::HAIKU)) == "haiku");
}
