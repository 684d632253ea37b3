#!/usr/bin/env bash
# Runs the Dockerfile's steps as plain commands (no Docker engine needed) and checks the
# result the way the image is used: production dependencies only, NODE_ENV=production,
# HEALTHCHECK command, readiness, a signed webhook, SIGTERM → exit 0.
#
#   npm run test:docker-steps        (reinstalls packages: takes a minute or more)
#
# Exits non-zero on the first failure. Leaves nothing behind (temp dir, server process).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/infoline-docker-steps.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

T0=$(date +%s)
step() { printf '\n== [%3ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail() { printf 'docker-steps: FAILED: %s\n' "$*" >&2; exit 1; }

step "build stage: npm run build (dist/ from src/)"
(cd "$ROOT" && npm run -s build)

step "prod-deps stage: npm ci --omit=dev --ignore-scripts in $WORK/app"
mkdir -p "$WORK/app"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/app/"
(cd "$WORK/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline)
[[ -d "$WORK/app/node_modules/fastify" ]] || fail "fastify (a production dependency) is missing"
# (typescript itself stays: i18next lists it as an optional peer, and npm keeps such peers.)
for dev in vitest eslint tsx autocannon playwright-core @xstate/graph mermaid; do
  [[ ! -e "$WORK/app/node_modules/$dev" ]] || fail "dev dependency $dev was installed"
done
[[ ! -d "$WORK/app/dist" ]] || fail "the prepare script ran (dist/ was built in the prod stage)"

step "prod-deps stage: npm rebuild better-sqlite3"
(cd "$WORK/app" && npm rebuild better-sqlite3)
(cd "$WORK/app" && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") \
  || fail "better-sqlite3 does not load after the rebuild"

step "runtime stage: copy dist/, package.json, flows/, prompts/, config/ (+ the config volume)"
cp -r "$ROOT/dist" "$WORK/app/dist"
mkdir -p "$WORK/app/web" && cp -r "$ROOT/web/public" "$WORK/app/web/public"
[[ -f "$WORK/app/dist/web/vendor/mermaid.min.js" ]] || fail "the console's Mermaid bundle is not in dist/web/vendor"
for d in flows prompts config; do
  cp -r "$ROOT/$d" "$WORK/app/$d"
  mkdir -p "$WORK/app/config-dir" && cp -r "$ROOT/$d" "$WORK/app/config-dir/$d"
done
mkdir -p "$WORK/app/data"

PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
TOKEN="docker-steps-token"
PUBLIC_URL="https://ivr.example.test"
run_env=(NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 PUBLIC_URL="$PUBLIC_URL"
  DATABASE_URL="$WORK/app/data/infoline.db" CONSENT_SPOOL_PATH="$WORK/app/data/consent-spool.db"
  INFOLINE_CONFIG_DIR="$WORK/app/config-dir" LOG_LEVEL=info)

step "production without TWILIO_AUTH_TOKEN refuses to start and names the variable"
set +e
MISSING="$(cd "$WORK/app" && env -u TWILIO_AUTH_TOKEN "${run_env[@]}" node dist/server.js 2>&1 >/dev/null)"
CODE=$?
set -e
[[ $CODE -ne 0 ]] || fail "started without TWILIO_AUTH_TOKEN"
[[ "$MISSING" == *TWILIO_AUTH_TOKEN* ]] || fail "stderr does not name TWILIO_AUTH_TOKEN: $MISSING"
echo "exit $CODE: $MISSING"

step "CMD node dist/server.js (NODE_ENV=production, port $PORT)"
START_MS=$(node -p 'Date.now()')
(cd "$WORK/app" && exec env TWILIO_AUTH_TOKEN="$TOKEN" "${run_env[@]}" node dist/server.js >"$WORK/server.log" 2>&1) &
SERVER_PID=$!

step "HEALTHCHECK: the image's own command, polled until healthy"
healthy=""
for _ in $(seq 1 100); do
  if PORT="$PORT" node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    healthy=1; break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; fail "server exited during start"; }
  sleep 0.1
done
[[ -n "$healthy" ]] || { cat "$WORK/server.log" >&2; fail "/healthz never answered"; }
echo "healthy after $(( $(node -p 'Date.now()') - START_MS )) ms"

step "readiness, a signed webhook, a forged one"
(cd "$WORK/app" && PORT="$PORT" TOKEN="$TOKEN" PUBLIC_URL="$PUBLIC_URL" node --input-type=module -e "
const base = 'http://127.0.0.1:' + process.env.PORT;
const { getExpectedTwilioSignature } = (await import('twilio/lib/webhooks/webhooks.js')).default;
const ready = await fetch(base + '/readyz');
if (ready.status !== 200) throw new Error('/readyz ' + ready.status + ' ' + await ready.text());
const form = { CallSid: 'CA' + 'd'.repeat(32), From: '+420603123456' };
const post = (signature) => fetch(base + '/voice/incoming', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(form) });
const signed = await post(getExpectedTwilioSignature(process.env.TOKEN, process.env.PUBLIC_URL + '/voice/incoming', form));
const twiml = await signed.text();
if (signed.status !== 200 || !twiml.includes('<Gather')) throw new Error('signed webhook: ' + signed.status + ' ' + twiml.slice(0, 200));
const forged = await post('forged');
if (forged.status !== 403) throw new Error('forged webhook: ' + forged.status);
const metrics = await (await fetch(base + '/metrics')).text();
if (!/^infoline_calls_total 1$/m.test(metrics)) throw new Error('metrics: infoline_calls_total is not 1');
console.log('readyz 200, signed webhook 200 TwiML, forged 403, infoline_calls_total 1');
")
grep -q '420603123456' "$WORK/server.log" && fail "the caller's number appears in the logs"
node -e "for (const l of require('fs').readFileSync(process.argv[1],'utf8').split('\n').filter(Boolean)) JSON.parse(l)" "$WORK/server.log" \
  || fail "a log line is not JSON"

step "SIGTERM → exit 0"
STOP_MS=$(node -p 'Date.now()')
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
CODE=$?
set -e
SERVER_PID=""
[[ $CODE -eq 0 ]] || { cat "$WORK/server.log" >&2; fail "exit code $CODE after SIGTERM"; }
echo "exited 0 after $(( $(node -p 'Date.now()') - STOP_MS )) ms"

step "all docker steps passed"
du -sh "$WORK/app/node_modules" | sed 's/^/production node_modules: /'
