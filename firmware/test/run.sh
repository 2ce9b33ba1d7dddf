#!/usr/bin/env bash
# Host tests for the firmware: builds the logic (gauge, annunciator, cluster, link, the generated
# contract parser) and the simulator against the real ArduinoJson and SwitecX25, under
# AddressSanitizer and UBSan (host/build.sh says which copy of each library it used), and runs the
# doctest suite. Ends with one summary line; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

fail() {
  echo "firmware host tests: FAIL ($1)"
  exit 1
}

../host/build.sh all || fail "build"
../host/build/host-tests --no-version=true || fail "doctest cases failed (see above)"

# Smoke test of the round-trip binary; the full comparison lives in test/codegen-roundtrip.test.ts.
sample=$(printf '%s' '{"v":1,"rate_1m":1235,"window_5h_tokens":123,"window_5h_pct":0.25,"window_5h_reset_at":"2026-11-26T15:00Z","window_7d_tokens":456,"window_7d_pct":0.1,"window_7d_reset_at":null,"cost_5h_usd":1.5,"cost_7d_usd":3,"thinking_ratio":0.2,"cache_hit_rate":0.9,"last_model":"opus","hot":false,"warn":false,"stall":false,"idle":true,"limit_hit":false,"tach_pos":300,"fuel_5h_pos":750,"fuel_7d_pos":900,"fuel_source":"estimated","source":"jsonl","source_ok":true,"updated_at":"2026-11-26T12:00:00Z"}')
echoed=$(printf '%s' "$sample" | ../host/build/roundtrip) || fail "roundtrip refused the sample snapshot"
# As sent, but 0.9: ArduinoJson holds the float next to 0.9f (usage_contract.h, precision notes).
[ "$echoed" = "${sample/\"cache_hit_rate\":0.9,/\"cache_hit_rate\":0.90000004,}" ] || fail "roundtrip output differs from the server's snapshot"

echo "firmware host tests: PASS (doctest suite on the real ArduinoJson and SwitecX25 under ASan/UBSan, contract round trip)"
