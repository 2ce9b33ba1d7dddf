// The stand-in must behave like ArduinoJson 7 where the parser depends on it; these are the
// behaviours observed on the real library (REFERENCE.md, Hardware), checked against the stand-in.
#include <ArduinoJson.h>
#include <doctest/doctest.h>

#include <cstring>

static DeserializationError parse(JsonDocument& doc, const char* json) {
  return deserializeJson(doc, json, std::strlen(json));
}

TEST_CASE("stand-in: error codes") {
  JsonDocument doc;
  CHECK(parse(doc, "") == DeserializationError::EmptyInput);
  CHECK(parse(doc, " \n\t") == DeserializationError::EmptyInput);
  CHECK(parse(doc, "{\"a\":") == DeserializationError::IncompleteInput);
  CHECK(parse(doc, "[1,") == DeserializationError::IncompleteInput);
  CHECK(parse(doc, "\"abc") == DeserializationError::IncompleteInput);
  CHECK(parse(doc, "tru") == DeserializationError::IncompleteInput);
  CHECK(parse(doc, "{\"a\" 1}") == DeserializationError::InvalidInput);
  CHECK(parse(doc, "NaN") == DeserializationError::InvalidInput);
  CHECK(parse(doc, "{\"a\":NaN}") == DeserializationError::InvalidInput);
  CHECK(parse(doc, "[[[[[[[[[[1]]]]]]]]]]") == DeserializationError::Ok);         // 10 levels
  CHECK(parse(doc, "[[[[[[[[[[[1]]]]]]]]]]]") == DeserializationError::TooDeep);  // 11 levels
  const DeserializationError e = parse(doc, "{");
  CHECK(bool(e));
  CHECK(e.code() == DeserializationError::IncompleteInput);
  CHECK(std::string(e.c_str()) == "IncompleteInput");
  CHECK_FALSE(bool(DeserializationError()));
}

TEST_CASE("stand-in: any root is Ok, and only objects are JsonObject") {
  JsonDocument doc;
  CHECK(parse(doc, "[1,2]") == DeserializationError::Ok);
  CHECK_FALSE(doc.is<JsonObject>());
  CHECK(doc.is<JsonArray>());
  CHECK(parse(doc, "42") == DeserializationError::Ok);
  CHECK_FALSE(doc.is<JsonObject>());
  CHECK(parse(doc, "{\"a\":1} trailing junk") == DeserializationError::Ok);
  CHECK(doc.is<JsonObject>());
  const JsonDocument& ro = doc;
  CHECK(ro["a"].as<int>() == 1);
  // Through a read-only view the writable types are never reported.
  CHECK_FALSE(ro.is<JsonObject>());
  CHECK(ro.is<JsonObjectConst>());
}

TEST_CASE("stand-in: number types and defaults") {
  JsonDocument doc;
  REQUIRE(parse(doc, "{\"i\":42,\"f\":42.5,\"s\":\"42\",\"b\":true,\"n\":null,\"neg\":-7,\"big\":4294967296}") ==
          DeserializationError::Ok);
  const JsonDocument& d = doc;
  CHECK(d["i"].is<float>());
  CHECK(d["f"].is<float>());
  CHECK(d["i"].is<double>());
  CHECK_FALSE(d["s"].is<float>());
  CHECK_FALSE(d["b"].is<float>());
  CHECK_FALSE(d["n"].is<float>());
  CHECK(d["i"].is<int>());
  CHECK_FALSE(d["f"].is<int>());
  CHECK((d["f"] | 0) == 0);  // the integer default rejects a float
  CHECK((d["f"] | 0.0f) == 42.5f);
  CHECK((d["i"] | 0) == 42);
  CHECK((d["missing"] | 9) == 9);
  CHECK(std::string(d["s"] | "none") == "42");
  CHECK(d["neg"].is<int64_t>());
  CHECK_FALSE(d["neg"].is<unsigned>());
  CHECK_FALSE(d["big"].is<int32_t>());
  CHECK(d["big"].is<int64_t>());
  CHECK(d["big"].as<int64_t>() == INT64_C(4294967296));
  CHECK_FALSE(d["b"].is<int>());
}

TEST_CASE("stand-in: null versus missing") {
  JsonDocument doc;
  REQUIRE(parse(doc, "{\"n\":null}") == DeserializationError::Ok);
  const JsonDocument& d = doc;
  CHECK(d["n"].isNull());
  CHECK(d["n"].is<JsonVariantConst>());
  CHECK(d["missing"].isNull());
  CHECK_FALSE(d["missing"].is<JsonVariantConst>());
  CHECK(d["missing"].isUnbound());
  CHECK_FALSE(d["n"].is<const char*>());
}

TEST_CASE("stand-in: strings, escapes and a NUL that ends the input") {
  JsonDocument doc;
  REQUIRE(parse(doc, "{\"s\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\",'q':'single'}") == DeserializationError::Ok);
  const JsonDocument& d = doc;
  CHECK(std::string(d["s"].as<const char*>()) == "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(std::string(d["q"].as<const char*>()) == "single");
  const char withNul[] = {'{', '"', 'a', '"', ':', '1', '}', '\0', 'x'};
  CHECK(deserializeJson(doc, withNul, sizeof(withNul)) == DeserializationError::Ok);
  const char cutByNul[] = {'{', '"', 'a', '"', ':', '\0', '1', '}'};
  CHECK(deserializeJson(doc, cutByNul, sizeof(cutByNul)) == DeserializationError::IncompleteInput);
}
