#!/usr/bin/env bash
# Host tests for the firmware: builds the logic (gauge, annunciator, cluster, link, the generated
# contract parser) with g++ against the stand-ins in stubs/, under AddressSanitizer and UBSan, and
# runs it with doctest. Needs g++ and doctest-dev (test/setup-system.sh installs both).
# Ends with one summary line; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

fail() {
  echo "firmware host tests: FAIL ($1)"
  exit 1
}

command -v "${CXX:-g++}" >/dev/null || fail "g++ not found; run test/setup-system.sh"
[ -f /usr/include/doctest/doctest.h ] || fail "doctest.h not found; apt-get install doctest-dev"

CXX=${CXX:-g++}
OUT=build
mkdir -p "$OUT"
FLAGS=(-std=c++17 -Wall -Wextra -Werror -g -O1 -Istubs -I../include -I../src)
SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
# Fall back to a plain build where the sanitizer runtimes are not installed.
if ! echo 'int main(){}' | "$CXX" -x c++ "${SAN[@]}" -o "$OUT/san-probe" - 2>/dev/null; then
  echo "firmware host tests: sanitizers unavailable, building without them" >&2
  SAN=()
fi

LOGIC=(../src/gauge.cpp ../src/annunciator.cpp ../src/cluster.cpp ../src/link.cpp)
STUBS=(stubs/arduino_stub.cpp stubs/SwitecX25.cpp)
TESTS=(test_main.cpp test_contract.cpp test_arduinojson_stub.cpp test_gauge.cpp test_annunciator.cpp test_link.cpp)

"$CXX" "${FLAGS[@]}" "${SAN[@]}" -o "$OUT/host-tests" "${TESTS[@]}" "${LOGIC[@]}" "${STUBS[@]}" ||
  fail "build of host-tests"
"$CXX" "${FLAGS[@]}" "${SAN[@]}" -o "$OUT/roundtrip" roundtrip.cpp || fail "build of roundtrip"

# The ESP32-only glue cannot run here; compile it against declaration-only headers so a typo or a
# wrong signature fails now rather than at `pio run` (stubs/esp32/README.md).
mkdir -p "$OUT/check-include"
cp ../include/config.example.h "$OUT/check-include/config.h"
for f in ../src/main.cpp ../src/link_task.cpp ../src/wifi.cpp; do
  "$CXX" -std=gnu++17 -Wall -Wextra -Werror -fsyntax-only -Istubs/esp32 -Istubs -I"$OUT/check-include" -I../include \
    -I../src -include stubs/esp32/esp32_core.h "$f" || fail "compile check of $f"
done

"$OUT/host-tests" --no-version=true || fail "doctest cases failed (see above)"

# Smoke test of the round-trip binary; the full comparison lives in test/codegen-roundtrip.test.ts.
sample='{"v":1,"rate_1m":1235,"window_5h_tokens":123,"window_5h_pct":0.25,"window_5h_reset_at":"2026-11-26T15:00Z","window_7d_tokens":456,"window_7d_pct":0.1,"window_7d_reset_at":null,"cost_5h_usd":1.5,"cost_7d_usd":3,"thinking_ratio":0.2,"cache_hit_rate":0.9,"last_model":"opus","hot":false,"warn":false,"stall":false,"idle":true,"limit_hit":false,"tach_pos":300,"fuel_5h_pos":750,"fuel_7d_pos":900,"fuel_source":"estimated","source":"jsonl","source_ok":true,"updated_at":"2026-11-26T12:00:00Z"}'
echoed=$(printf '%s' "$sample" | "$OUT/roundtrip") || fail "roundtrip refused the sample snapshot"
[ "$echoed" = "$sample" ] || fail "roundtrip output differs from its input"

echo "firmware host tests: PASS (doctest suite, ESP32 glue compile check, contract round trip)"
