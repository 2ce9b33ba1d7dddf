#!/usr/bin/env bash
# The one test command (README, .ci/run). Installs what the tests need that npm does not bring,
# builds, type-checks, then runs every suite. Exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/setup-system.sh
npm run build --silent
npx tsc -p tsconfig.json --noEmit
# generated files (JSON Schema, firmware header, client models) must match the zod schema
npm run codegen --silent -- --check
npx vitest run --project unit
npx vitest run --project e2e
if [ -f firmware/test/run.sh ]; then bash firmware/test/run.sh; fi
