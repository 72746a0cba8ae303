#!/usr/bin/env bash
# Make sure the command-line tools the tests and the bench drive are installed: tmux (the TUI
# end-to-end tests) and wrk (the load-generator baseline autocannon is compared with). Installs
# Debian's packages when missing. Idempotent: a no-op when both are on PATH.
set -euo pipefail

log() { printf 'ensure-tools: %s\n' "$*" >&2; }

missing=()
for tool in tmux wrk; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1 || [ ! -f /etc/debian_version ]; then
  log "missing: ${missing[*]}, and they can only be installed automatically as root on Debian."
  log "What to do: install ${missing[*]} with your package manager, then rerun."
  exit 1
fi
log "installing Debian's ${missing[*]} (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${missing[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is still missing after apt-get install; install it by hand, then rerun."; exit 1; }
done
log "installed: ${missing[*]}"
