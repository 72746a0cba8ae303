#!/usr/bin/env bash
# Bring the bluegreen demo stack up or down (npm run demo:up / demo:down).
#   up:   Docker, base images, shared project (proxy + redis), then the blue color; waits until the
#         live route answers /health 200 from blue.
#   down: both colors and the shared project down with their volumes; the run dir removed.
# Environment: BG_STACK, PROXY_PORT, PREVIEW_PORT, DEMO_PROXY, BG_RUN_DIR, APP_VERSION (docs/CONTRACTS.md),
# DEMO_WAIT_S (default 90): how long `up` waits for the live route.
set -euo pipefail
cd "$(dirname "$0")/.."

export BG_STACK=${BG_STACK:-bluegreen-demo}
export PROXY_PORT=${PROXY_PORT:-8080}
export PREVIEW_PORT=${PREVIEW_PORT:-8081}
export DEMO_PROXY=${DEMO_PROXY:-nginx}
export BG_RUN_DIR=${BG_RUN_DIR:-./.bluegreen/run}
export APP_VERSION=${APP_VERSION:-v1}
DEMO_WAIT_S=${DEMO_WAIT_S:-90}

log() { printf 'demo: %s\n' "$*" >&2; }

compose() { # compose <project> <file> args...
  local project=$1 file=$2
  shift 2
  if docker compose version >/dev/null 2>&1; then
    docker compose -p "$project" -f "$file" "$@"
  else
    docker-compose -p "$project" -f "$file" "$@"
  fi
}

container_of() { compose "$1" "$2" ps -q "$3" 2>/dev/null | head -n 1; }

show_logs() {
  local id
  for spec in "$BG_STACK compose.yml proxy" "$BG_STACK-blue compose.blue.yml app-blue"; do
    # shellcheck disable=SC2086
    set -- $spec
    id=$(container_of "$1" "$2" "$3")
    if [ -n "$id" ]; then
      log "last log lines of $3 ($(docker inspect -f '{{.State.Status}}' "$id" 2>/dev/null)):"
      docker logs --tail 20 "$id" 2>&1 | sed 's/^/    /' >&2
    else
      log "$3: no container (compose project $1 has none)"
    fi
  done
}

wait_for_blue() {
  local deadline=$((SECONDS + DEMO_WAIT_S)) headers code
  while [ $SECONDS -lt $deadline ]; do
    headers=$(curl -s -m 2 -o /dev/null -D - "http://127.0.0.1:$PROXY_PORT/health" 2>/dev/null || true)
    code=$(printf '%s' "$headers" | head -n 1 | awk '{print $2}')
    if [ "$code" = 200 ] && printf '%s' "$headers" | grep -qi '^x-app-color: *blue'; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

up() {
  local t0=$SECONDS
  bash scripts/ensure-docker.sh
  bash fixtures/images/build.sh
  if [ ! -f "fixtures/proxy/$DEMO_PROXY/Dockerfile" ]; then
    log "DEMO_PROXY=$DEMO_PROXY has no fixtures/proxy/$DEMO_PROXY/Dockerfile. Nothing was started. What to do: use nginx, caddy or haproxy."
    exit 1
  fi
  mkdir -p "$BG_RUN_DIR"
  log "starting shared services (project $BG_STACK: $DEMO_PROXY proxy + redis)…"
  compose "$BG_STACK" compose.yml up -d --build
  log "starting app-blue $APP_VERSION (project $BG_STACK-blue)…"
  compose "$BG_STACK-blue" compose.blue.yml up -d --build
  log "waiting up to ${DEMO_WAIT_S}s for http://127.0.0.1:$PROXY_PORT/health to answer 200 from blue…"
  if ! wait_for_blue; then
    log "the live route did not answer 200 from blue within ${DEMO_WAIT_S}s. The containers are left running for inspection."
    show_logs
    log "What to do: read the logs above, fix the cause, then 'npm run demo:down' and 'npm run demo:up' again."
    exit 1
  fi
  cat <<EOF
demo: up in $((SECONDS - t0))s
  live route     http://127.0.0.1:$PROXY_PORT/       (blue $APP_VERSION)
  preview route  http://127.0.0.1:$PREVIEW_PORT/       (green: not running yet)
  proxy          $DEMO_PROXY (project $BG_STACK), run dir $BG_RUN_DIR
  redis          project $BG_STACK
  try:           curl -s 127.0.0.1:$PROXY_PORT/ ; curl -s -XPOST 127.0.0.1:$PROXY_PORT/api/hits
  stop:          npm run demo:down
EOF
}

down() {
  log "removing colors and shared services of stack $BG_STACK (with volumes)…"
  compose "$BG_STACK-blue" compose.blue.yml down -v --remove-orphans
  compose "$BG_STACK-green" compose.green.yml down -v --remove-orphans
  compose "$BG_STACK" compose.yml down -v --remove-orphans
  case "$BG_RUN_DIR" in
    "" | "/" | "." | "..") log "not removing run dir '$BG_RUN_DIR' (refusing an empty or top-level path)" ;;
    *) rm -rf -- "$BG_RUN_DIR" ;;
  esac
  log "down: nothing of stack $BG_STACK is left running."
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *)
    echo "usage: scripts/demo.sh up|down   (npm run demo:up / npm run demo:down)" >&2
    exit 2
    ;;
esac
