// A snapshot as the server writes it (JSON.stringify of the contract's encoders: integer rate,
// 1 % shares, minute reset times, whole-second updated_at), and ways to bend it.
#pragma once

#include <string>

inline std::string sample_json() {
  return "{\"v\":1,\"rate_1m\":1235,\"window_5h_tokens\":123,\"window_5h_pct\":0.25,"
         "\"window_5h_reset_at\":\"2026-11-26T15:00Z\",\"window_7d_tokens\":456,\"window_7d_pct\":0.1,"
         "\"window_7d_reset_at\":null,\"cost_5h_usd\":1.5,\"cost_7d_usd\":3,\"thinking_ratio\":0.2,"
         "\"cache_hit_rate\":0.9,\"last_model\":\"opus\",\"hot\":false,\"warn\":false,\"stall\":false,"
         "\"idle\":true,\"limit_hit\":false,\"tach_pos\":300,\"fuel_5h_pos\":750,\"fuel_7d_pos\":900,"
         "\"fuel_source\":\"estimated\",\"source\":\"jsonl\",\"source_ok\":true,\"updated_at\":\"2026-11-26T12:00:00Z\"}";
}

/** `json` with the value of `key` replaced by the JSON text `value`. */
inline std::string with_value(std::string s, const std::string& key, const std::string& value) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = s.find(needle);
  if (at == std::string::npos) return s;
  size_t start = at + needle.size();
  size_t end = start;
  int depth = 0;
  bool in_string = false;
  for (; end < s.size(); ++end) {
    const char c = s[end];
    if (in_string) {
      if (c == '\\') ++end;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  return s.substr(0, start) + value + s.substr(end);
}

/** The sample with the value of `key` replaced by the JSON text `value`. */
inline std::string with_value(const std::string& key, const std::string& value) {
  return with_value(sample_json(), key, value);
}

/** The sample without `key` (and its comma). */
inline std::string without(const std::string& key) {
  std::string s = with_value(key, "@");
  const std::string member = "\"" + key + "\":@";
  const size_t at = s.find(member);
  if (s[at + member.size()] == ',') return s.erase(at, member.size() + 1);
  return s.erase(at - 1, member.size() + 1);
}

inline const char* const kFields[] = {
    "v",           "rate_1m",        "window_5h_tokens", "window_5h_pct", "window_5h_reset_at", "window_7d_tokens",
    "window_7d_pct", "window_7d_reset_at", "cost_5h_usd", "cost_7d_usd",  "thinking_ratio",     "cache_hit_rate",
    "last_model",  "hot",            "warn",             "stall",         "idle",               "limit_hit",
    "tach_pos",    "fuel_5h_pos",    "fuel_7d_pos",      "fuel_source",   "source",             "source_ok",
    "updated_at",
};
