#!/usr/bin/env bash
# Bring the bluegreen demo stack up or down (npm run demo:up / demo:down).
#   up:   Docker, base images, then `bluegreen up`: the shared project (proxy + redis) and the
#         recorded live color (blue on a fresh stack), healthy, with the proxy pointed at it.
#   down: `bluegreen down --volumes`: every project down with its volumes; state and history kept.
# Environment: PROXY_PORT, PREVIEW_PORT, DEMO_PROXY, APP_VERSION (docs/CONTRACTS.md). The stack name
# and run dir come from bluegreen.yml (stack, proxy.runDir).
set -euo pipefail
cd "$(dirname "$0")/.."

export BG_STACK=bluegreen-demo
export PROXY_PORT=${PROXY_PORT:-8080}
export PREVIEW_PORT=${PREVIEW_PORT:-8081}
export DEMO_PROXY=${DEMO_PROXY:-nginx}
export BG_RUN_DIR=./.bluegreen/run
export APP_VERSION=${APP_VERSION:-v1}

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

bluegreen() { node bin/bluegreen.cjs "$@"; }

up() {
  local t0=$SECONDS
  bash scripts/ensure-docker.sh
  bash fixtures/images/build.sh
  if [ ! -f "fixtures/proxy/$DEMO_PROXY/Dockerfile" ]; then
    log "DEMO_PROXY=$DEMO_PROXY has no fixtures/proxy/$DEMO_PROXY/Dockerfile. Nothing was started. What to do: use nginx, caddy or haproxy."
    exit 1
  fi
  [ -f dist/src/cli/main.js ] || npm run build --silent
  # `bluegreen up`: the shared services, then the recorded live color at its recorded version (blue
  # $APP_VERSION on a fresh stack), waited healthy, with the proxy pointed at it and read back.
  log "bluegreen up (stack from bluegreen.yml: $DEMO_PROXY proxy + redis, then the live color)..."
  if ! bluegreen up --version "$APP_VERSION"; then
    log "bluegreen up failed (its message above says why). The containers are left running for inspection."
    show_logs
    log "What to do: read the logs above, fix the cause, then 'npm run demo:down' and 'npm run demo:up' again."
    exit 1
  fi
  cat <<EOF
demo: up in $((SECONDS - t0))s
  live route     http://127.0.0.1:$PROXY_PORT/
  preview route  http://127.0.0.1:$PREVIEW_PORT/
  proxy          $DEMO_PROXY (project $BG_STACK), run dir $BG_RUN_DIR
  status:        npx bluegreen status
  try:           curl -si 127.0.0.1:$PROXY_PORT/ | grep -i x-bluegreen-color ; curl -s -XPOST 127.0.0.1:$PROXY_PORT/api/hits
  stop:          npm run demo:down
EOF
}

down() {
  [ -f dist/src/cli/main.js ] || npm run build --silent
  # Every project down with its volumes; the state file (what was live, at which version) and the
  # history stay, so the next demo:up starts that color again without a drift conflict.
  log "bluegreen down --volumes (stack $BG_STACK)..."
  bluegreen down --yes --volumes
  log "down: nothing of stack $BG_STACK is left running (state and history kept in .bluegreen/)."
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *)
    echo "usage: scripts/demo.sh up|down   (npm run demo:up / npm run demo:down)" >&2
    exit 2
    ;;
esac
