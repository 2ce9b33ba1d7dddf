// Contract round trip: one /usage body on stdin → UsageParser → usage_to_json on stdout. Exit 0 and
// the JSON on success; exit 1 and "field: reason" on stderr when the parser refuses the input.
// test/codegen-roundtrip.test.ts feeds it schema-valid snapshots and compares field by field.
#include <cstdio>
#include <string>

#include "usage_contract.h"

int main() {
  std::string in;
  char chunk[4096];
  size_t n;
  // Read a little past the limit so an oversized body reaches the parser and is refused there.
  while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0 && in.size() <= 4 * USAGE_JSON_MAX_BYTES) in.append(chunk, n);
  while (!in.empty() && (in.back() == '\n' || in.back() == '\r')) in.pop_back();

  UsageParser parser;
  UsageContract snapshot;
  char err[128];
  if (!parser.parse(in.data(), in.size(), snapshot, err, sizeof(err))) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  char out[USAGE_JSON_MAX_BYTES + 1];
  if (usage_to_json(snapshot, out, sizeof(out)) == 0) {
    fprintf(stderr, "usage_to_json: output over %d bytes\n", USAGE_JSON_MAX_BYTES);
    return 1;
  }
  printf("%s\n", out);
  return 0;
}
