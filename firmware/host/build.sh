#!/usr/bin/env bash
# Builds host targets of the firmware (see Makefile) against the REAL ArduinoJson and SwitecX25,
# under AddressSanitizer and UBSan. Usage: build.sh [make target...]; prints which copy of each
# library it used on stderr. There is no fallback: without both libraries, or without working
# sanitizers, it fails and says why.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
firmware=$(dirname "$here")
repo=$(dirname "$firmware")

die() {
  echo "firmware host build: $1" >&2
  exit 1
}

# PlatformIO's own copies (the versions platformio.ini pins) win over the shared ones.
find_lib() {
  local name=$1 probe=$2 dir
  for dir in "$firmware"/.pio/libdeps/*/"$name" "$repo/../shared/third_party/$name"; do
    if [ -f "$dir/$probe" ]; then
      (cd "$dir" && pwd)
      return 0
    fi
  done
  return 1
}

ajson=$(find_lib ArduinoJson src/ArduinoJson.h) ||
  die "ArduinoJson not found: expected ../shared/third_party/ArduinoJson (from the repository root) or firmware/.pio/libdeps/<env>/ArduinoJson after \`pio pkg install -d firmware\`"
switec=$(find_lib SwitecX25 SwitecX25.cpp) ||
  die "SwitecX25 not found: expected ../shared/third_party/SwitecX25 (from the repository root) or firmware/.pio/libdeps/<env>/SwitecX25 after \`pio pkg install -d firmware\`"

shown() { realpath --relative-to="$repo" "$1"; }
ajson_version=$(sed -n 's/^#define ARDUINOJSON_VERSION "\(.*\)"$/\1/p' "$ajson/src/ArduinoJson/version.hpp")
switec_sum=$(sha256sum "$switec/SwitecX25.cpp" | cut -c1-12)
echo "firmware host build: ArduinoJson $ajson_version from $(shown "$ajson")" >&2
echo "firmware host build: SwitecX25 (SwitecX25.cpp sha256 $switec_sum…) from $(shown "$switec")" >&2

CXX=${CXX:-g++}
command -v "$CXX" >/dev/null || die "$CXX not found; run test/setup-system.sh"
[ -f /usr/include/doctest/doctest.h ] || die "doctest.h not found; apt-get install doctest-dev"
mkdir -p "$here/build"
# Every host binary runs under the sanitizers; a machine without their runtimes cannot run the suite.
if ! echo 'int main(){}' | "$CXX" -x c++ -fsanitize=address,undefined -o "$here/build/san-probe" - 2>"$here/build/san-probe.log"; then
  die "AddressSanitizer/UBSan unavailable ($(head -c 300 "$here/build/san-probe.log")); install the compiler's libasan/libubsan"
fi

# Objects built against one copy of a library must not be linked with another.
stamp="$ajson $switec $CXX"
if [ "$(cat "$here/build/libs.txt" 2>/dev/null)" != "$stamp" ]; then
  find "$here/build" -mindepth 1 -maxdepth 1 ! -name 'san-probe*' -exec rm -rf {} +
  echo "$stamp" >"$here/build/libs.txt"
fi

exec make -s --no-print-directory -C "$here" -j"${FIRMWARE_JOBS:-2}" CXX="$CXX" ARDUINOJSON="$ajson" SWITECX25="$switec" "$@"
