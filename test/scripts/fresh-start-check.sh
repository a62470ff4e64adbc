#!/usr/bin/env bash
# The newcomer's first two commands, checked on a temporary clone of the committed tree: `npm install` (no
# engine warnings) and `npm start` with nothing built and no .data/, which must print its URL and serve the app.
# Run by .ci/run first, in the background beside that clone's own install and build, which cannot reach this
# clone; safe to run by hand: `bash test/scripts/fresh-start-check.sh`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ]; then kill -TERM -- "-$demo_pid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$demo_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # .ci/run stops it when a step of its own failed: clean up then too

git clone -q "$repo" "$tmp/repo"
cd "$tmp/repo"
echo "fresh clone of $(git rev-parse --short HEAD) in $tmp/repo"

started=$(date +%s)
npm install --no-audit --no-fund >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "npm install failed"; exit 1; }
engine_warnings=$(grep -c 'EBADENGINE' "$tmp/install.log" || true)
echo "npm install: $(( $(date +%s) - started )) s, engine warnings: $engine_warnings"
if [ "$engine_warnings" -gt 0 ]; then grep -A3 'EBADENGINE' "$tmp/install.log"; echo "a fresh install must print no engine warnings"; exit 1; fi
[ ! -e shared/dist ] && [ ! -e server/dist ] && [ ! -e miniprogram/dist ] || { echo "the clone is not fresh: something is built"; exit 1; }

started=$(date +%s)
# Its own process group, so the emulator and server it starts stop with it.
PORT=0 WECHAT_EMULATOR_PORT=0 DEMO_DATA_DIR="$tmp/data" setsid npm start >"$tmp/start.log" 2>&1 &
demo_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -oE '^  http://127\.0\.0\.1:[0-9]+/$' "$tmp/start.log" | tail -1 | tr -d ' ' || true)
  [ -n "$url" ] && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 1
done
cat "$tmp/start.log"
[ -n "$url" ] || { echo "npm start printed no URL"; exit 1; }
echo "npm start: $(( $(date +%s) - started )) s to a URL"
curl -fsS "$url" | grep -q '<div id="app"' || { echo "$url does not serve the app"; exit 1; }
curl -fsS "${url}api/public-config" >/dev/null || { echo "${url}api/public-config does not answer"; exit 1; }
echo "fresh-clone start-up check passed: $url answered"
