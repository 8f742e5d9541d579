#!/usr/bin/env bash
# Runs the bot. Installs what it needs on a fresh Debian machine (bubblewrap for the sandbox),
# then starts the host. With no ConnectionStrings__Postgres the host starts its own PostgreSQL
# from the system's binaries under .data/postgres. Extra arguments go to the host
# (e.g. ./run.sh check-config, ./run.sh migrate).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null 2>&1 \
    || echo "warning: could not install bubblewrap; shell actions will be refused" >&2
fi
exec dotnet run --project src/Bot.Host -c Release -- "$@"
