#!/usr/bin/env bash
# The one test command (README, .ci/run). Installs what the tests need that npm does not bring,
# builds, lints and checks formatting (Biome), type-checks, then runs every suite. Exits non-zero on the first failing stage, and
# when a suite it expects is not there (vitest itself fails a project that finds no test files).
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/setup-system.sh
for suite in firmware/test/run.sh test/web.e2e.test.ts test/packages.e2e.test.ts test/readme.e2e.test.ts test/cli.e2e.test.ts test/service.e2e.test.ts; do
  [ -f "$suite" ] || { echo "run-all: expected suite $suite is missing" >&2; exit 1; }
done
npm run build --silent
npx biome check --error-on-warnings .
npx tsc -p tsconfig.json --noEmit
# generated files (JSON Schema, firmware header, client models) must match the zod schema
npm run codegen --silent -- --check
npx vitest run --project unit
npx vitest run --project e2e
bash firmware/test/run.sh
