#!/usr/bin/env bash
# Make sure a Docker Engine answers on this machine, installing Debian's docker.io and
# docker-compose and starting dockerd when it does not. Idempotent: a no-op when `docker info` works.
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/bluegreen-dockerd.log}

have_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1
}

if docker info >/dev/null 2>&1 && have_compose; then
  exit 0
fi

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    log "Docker is not reachable and installing/starting it needs root."
    log "What to do: install Docker Engine and Compose (v2 plugin or docker-compose v1) yourself,"
    log "start it, and make sure 'docker info' works for this user (e.g. add it to the docker group)."
    exit 1
  fi
}

if ! command -v dockerd >/dev/null 2>&1 || ! have_compose; then
  need_root
  if ! command -v apt-get >/dev/null 2>&1 || [ ! -f /etc/debian_version ]; then
    log "This is not a Debian-based machine, so Docker cannot be installed automatically."
    log "What to do: install Docker Engine and Compose with your distribution's packages, start dockerd, rerun."
    exit 1
  fi
  log "installing Debian's docker.io and docker-compose (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io docker-compose iptables ca-certificates >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  need_root
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd is running but not answering yet; waiting…"
  else
    log "starting dockerd (log: $DOCKERD_LOG)…"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    # setsid: dockerd must outlive this script and the npm process that called it.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not answer within 30 s. Its last log lines:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    log "What to do: read $DOCKERD_LOG, fix the cause (cgroups, iptables, storage driver), rerun."
    exit 1
  fi
fi
log "Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null) is up; compose: $( (docker compose version --short 2>/dev/null) || docker-compose version --short 2>/dev/null)"
