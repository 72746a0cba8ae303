#!/usr/bin/env bash
# A real multi-node Docker Swarm on one machine (npm run swarm:up / swarm:down). docs/swarm-lab.md.
#
#   up:   three Docker engines, each dockerd in its own network namespace (plus its own mount and UTS
#         namespace, data-root, exec-root, pidfile and unix socket), wired by veth pairs to a Linux
#         bridge; the engines form one swarm (1 or 3 managers); the locally built demo images are
#         loaded into each; the demo is deployed as three stacks (shared: HAProxy on every node +
#         Redis; blue and green: 2 app replicas each). Prints `live: URL`, `preview: URL`, `config: FILE`.
#   down: stops the engines and everything they run, removes the namespaces, links and lab dirs.
#   status: what of the lab exists right now.
# Both are idempotent. Root only (namespaces, dockerd). The host's own dockerd, its docker0 bridge and
# its iptables chains are never touched: the lab's bridge lives in a namespace of its own (the "switch"),
# because a bridge in the root namespace would put node-to-node traffic through the host's FORWARD
# chain (br_netfilter is on and Docker set its policy to DROP). The root namespace gets exactly one
# link, ${PREFIX}-host, holding the host's address in the lab subnet, so tests reach every node.
#
# Environment (all optional):
#   BG_LAB_SUBNET     10.231.77.0/24   the /24 the lab owns (host .1, node N .(10+N)); must be unused
#   BG_LAB_POOL       10.232.0.0/16    swarm's address pool for overlay networks (inside the nodes only)
#   BG_LAB_PREFIX     bgl              prefix of namespace and link names (at most 6 characters)
#   BG_LAB_DIR        /var/lib/bluegreen-lab   data roots, logs, the printed config
#   BG_LAB_RUN        /run/bluegreen-lab       sockets, pidfiles, exec roots
#   BG_LAB_MANAGERS   1                1 (node1 manages, 2 workers) or 3 (all three manage)
#   BG_LAB_STACK      bluegreen-lab    stack names: shared ${STACK}, colors ${STACK}-blue / -green
#   BG_LAB_LIVE_PORT / BG_LAB_PREVIEW_PORT  8080 / 8081, published in host mode on every node's address
#   BG_LAB_REPLICAS   2                app replicas per color
#   BG_LAB_WAIT_S     240              how long up waits for the engines, the swarm and the demo
#   BG_IMAGE_NS       bluegreen-demo   namespace of the built demo images (as for npm run demo:up)
#   APP_VERSION       v1
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

SUBNET=${BG_LAB_SUBNET:-10.231.77.0/24}
POOL=${BG_LAB_POOL:-10.232.0.0/16}
PREFIX=${BG_LAB_PREFIX:-bgl}
LAB_DIR=${BG_LAB_DIR:-/var/lib/bluegreen-lab}
LAB_RUN=${BG_LAB_RUN:-/run/bluegreen-lab}
MANAGERS=${BG_LAB_MANAGERS:-1}
STACK=${BG_LAB_STACK:-bluegreen-lab}
LIVE_PORT=${BG_LAB_LIVE_PORT:-8080}
PREVIEW_PORT=${BG_LAB_PREVIEW_PORT:-8081}
REPLICAS=${BG_LAB_REPLICAS:-2}
WAIT_S=${BG_LAB_WAIT_S:-240}
export BG_IMAGE_NS=${BG_IMAGE_NS:-bluegreen-demo}
export APP_VERSION=${APP_VERSION:-v1}
NODES=(1 2 3)
MARKER=.bluegreen-lab # a lab dir holds this file; down removes only dirs that do
SWITCH_NS=$PREFIX-switch
HOST_LINK=$PREFIX-host
CONFIG_FILE=$LAB_DIR/bluegreen.yml
NODES_FILE=$LAB_DIR/nodes.json

log() { printf 'swarm-lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# quiet <what> cmd...: run cmd; show its output only when it fails (docker build and stack deploy
# print deprecation notes on every success).
quiet() {
  local what=$1 out
  shift
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "$what failed (output above). What to do: fix the cause, then npm run swarm:up again (it resumes where it stopped)."
  fi
}

# --- addresses ---------------------------------------------------------------------------------
ip2int() { local IFS=. a b c d; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
int2ip() { echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"; }
valid_cidr() { [[ $1 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$ ]]; }
# overlaps A/x B/y: do the two prefixes share an address?
overlaps() {
  local a=${1%/*} al=${1#*/} b=${2%/*} bl=${2#*/} l mask
  l=$((al < bl ? al : bl))
  mask=$(((0xffffffff << (32 - l)) & 0xffffffff))
  [ $(($(ip2int "$a") & mask)) -eq $(($(ip2int "$b") & mask)) ]
}

valid_cidr "$SUBNET" && [ "${SUBNET#*/}" = 24 ] || die "BG_LAB_SUBNET=$SUBNET is not an IPv4 /24 (e.g. 10.231.77.0/24). Nothing was changed."
valid_cidr "$POOL" || die "BG_LAB_POOL=$POOL is not an IPv4 prefix (e.g. 10.232.0.0/16). Nothing was changed."
if overlaps "$SUBNET" "$POOL"; then die "BG_LAB_POOL=$POOL overlaps BG_LAB_SUBNET=$SUBNET; pick disjoint ranges. Nothing was changed."; fi
[ ${#PREFIX} -le 6 ] && [[ $PREFIX =~ ^[a-z][a-z0-9]*$ ]] || die "BG_LAB_PREFIX=$PREFIX must be 1-6 lowercase letters/digits (link names are limited to 15 characters). Nothing was changed."
case "$MANAGERS" in 1 | 3) ;; *) die "BG_LAB_MANAGERS=$MANAGERS: use 1 or 3. Nothing was changed." ;; esac
BASE=$(($(ip2int "${SUBNET%/*}") & 0xffffff00))
HOST_IP=$(int2ip $((BASE + 1)))
node_ip() { int2ip $((BASE + 10 + $1)); }
node_ns() { echo "$PREFIX-node$1"; }
node_sock() { echo "$LAB_RUN/node$1.sock"; }
node_pidfile() { echo "$LAB_RUN/node$1.pid"; }
node_dir() { echo "$LAB_DIR/node$1"; }
nd() { local n=$1; shift; docker -H "unix://$(node_sock "$n")" "$@"; } # docker CLI on lab node n
manager() { nd 1 "$@"; }

# --- tools -------------------------------------------------------------------------------------
need_root() {
  [ "$(id -u)" -eq 0 ] || die "the lab needs root (network namespaces, a dockerd per node). What to do: run it as root (sudo -E npm run swarm:up)."
}

# iproute2 (ip), iptables (dockerd needs it in each namespace), util-linux (nsenter, unshare),
# openssh-server and -client (node2's API over ssh://), socat (node3's over tcp://).
ensure_packages() {
  local missing=() policy=/usr/sbin/policy-rc.d added_policy=0
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  { command -v nsenter && command -v unshare; } >/dev/null 2>&1 || missing+=(util-linux)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  { command -v ssh && command -v ssh-keygen; } >/dev/null 2>&1 || missing+=(openssh-client)
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 && [ -f /etc/debian_version ] ||
    die "missing: ${missing[*]}, and this is not Debian, so they cannot be installed automatically. What to do: install them, rerun."
  log "installing Debian's ${missing[*]} (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  # The package must not start an sshd on the host: the lab runs its own, in node2's namespace only.
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$added_policy" = 0 ] || rm -f "$policy"
}

# --- network -----------------------------------------------------------------------------------
check_subnet_free() {
  # Our own link may hold it already (idempotent up); anything else in the root namespace may not.
  local line dev cidr
  while read -r line; do
    dev=$(awk '{print $2}' <<<"$line")
    dev=${dev%%@*}
    cidr=$(awk '{print $4}' <<<"$line")
    [ "$dev" = "$HOST_LINK" ] && continue
    if overlaps "$cidr" "$SUBNET"; then die "BG_LAB_SUBNET=$SUBNET is in use on this machine ($dev has $cidr). Nothing was changed. What to do: pick a free /24, e.g. BG_LAB_SUBNET=10.231.78.0/24."; fi
  done < <(ip -o -4 addr show)
  while read -r cidr dev; do
    [ "$dev" = "$HOST_LINK" ] && continue
    [ "$cidr" = default ] && continue
    [[ $cidr == */* ]] || cidr=$cidr/32
    if overlaps "$cidr" "$SUBNET"; then die "BG_LAB_SUBNET=$SUBNET overlaps the route $cidr (dev $dev). Nothing was changed. What to do: pick a free /24 with BG_LAB_SUBNET."; fi
  done < <(ip -4 route show | awk '{d=""; for (i=1;i<NF;i++) if ($i=="dev") d=$(i+1); print $1, d}')
  if docker info >/dev/null 2>&1; then
    while read -r cidr; do
      [ -n "$cidr" ] || continue
      if overlaps "$cidr" "$SUBNET"; then die "BG_LAB_SUBNET=$SUBNET overlaps the host Docker network subnet $cidr. Nothing was changed. What to do: pick a free /24 with BG_LAB_SUBNET."; fi
    done < <(docker network inspect --format '{{range .IPAM.Config}}{{println .Subnet}}{{end}}' $(docker network ls -q) 2>/dev/null | grep -E '^[0-9.]+/[0-9]+$' || true)
  fi
}

has_ns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

network_up() {
  if ! has_ns "$SWITCH_NS"; then
    ip netns add "$SWITCH_NS"
    ip -n "$SWITCH_NS" link set lo up
    ip -n "$SWITCH_NS" link add br0 type bridge
    ip -n "$SWITCH_NS" link set br0 up
  fi
  if ! ip link show "$HOST_LINK" >/dev/null 2>&1; then
    ip link add "$HOST_LINK" type veth peer name uplink netns "$SWITCH_NS"
    ip -n "$SWITCH_NS" link set uplink master br0 up
  fi
  ip addr replace "$HOST_IP/24" dev "$HOST_LINK"
  ip link set "$HOST_LINK" up
  local n ns
  for n in "${NODES[@]}"; do
    ns=$(node_ns "$n")
    has_ns "$ns" || ip netns add "$ns"
    ip -n "$ns" link set lo up
    if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      ip -n "$ns" link add eth0 type veth peer name "port$n" netns "$SWITCH_NS"
      ip -n "$SWITCH_NS" link set "port$n" master br0 up
    fi
    ip -n "$ns" addr replace "$(node_ip "$n")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

# --- how bluegreen reaches each node's API --------------------------------------------------------
# One way per node, so the lab exercises all three that swarm.nodes takes: node1 (the manager) its
# unix socket; node2 ssh:// (an sshd in node2's namespace whose sessions get DOCKER_HOST=node2's
# socket, so the docker CLI's `docker system dial-stdio` reaches that engine, as on a real host);
# node3 tcp:// (socat in node3's namespace relaying <node3>:2375 to its socket: dockerd's own
# plain-tcp listener stalls its start by 15 s). Both listen on the lab's private subnet only, and
# die with their node (stop-node); start-node starts them again.
SSH_DIR=$LAB_DIR/ssh
TCP_PORT=2375
node_api() {
  case "$1" in
    2) echo "ssh://root@$(node_ip 2)" ;;
    3) echo "tcp://$(node_ip 3):$TCP_PORT" ;;
    *) echo "unix://$(node_sock "$1")" ;;
  esac
}

ssh_files() {
  [ -f "$SSH_DIR/ssh_config" ] && return 0
  mkdir -p "$SSH_DIR"
  chmod 700 "$SSH_DIR"
  rm -f "$SSH_DIR"/host_ed25519* "$SSH_DIR"/id_ed25519*
  ssh-keygen -q -t ed25519 -N '' -C bluegreen-lab-node2 -f "$SSH_DIR/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C bluegreen-lab -f "$SSH_DIR/id_ed25519"
  cp "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/authorized_keys"
  echo "$(node_ip 2) $(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >"$SSH_DIR/known_hosts"
  cat >"$SSH_DIR/sshd_config" <<EOF
# node2's sshd (scripts/swarm-lab.sh): key login as root, for the docker socket: forwarded to bluegreen
# (OpenSSH needs AllowTcpForwarding for that too: local, as the node has no route out), else dial-stdio.
ListenAddress $(node_ip 2):22
HostKey $SSH_DIR/host_ed25519
PidFile $LAB_RUN/node2-sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
AllowTcpForwarding local
X11Forwarding no
SetEnv DOCKER_HOST=unix://$(node_sock 2)
EOF
  cat >"$SSH_DIR/ssh_config.tmp" <<EOF
# bluegreen's ssh_config for the lab (swarm.sshConfig): only node2 is reached over ssh.
Host $(node_ip 2)
  User root
  IdentityFile $SSH_DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSH_DIR/known_hosts
  StrictHostKeyChecking yes
  LogLevel ERROR
EOF
  mv "$SSH_DIR/ssh_config.tmp" "$SSH_DIR/ssh_config" # last: its presence means the rest is there
}

pid_alive() { local pid; pid=$(cat "$1" 2>/dev/null || true); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

node_api_answers() {
  case "$1" in
    2) ssh -F "$SSH_DIR/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 "$(node_ip 2)" docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ;;
    3) docker -H "$(node_api 3)" version --format '{{.Server.Version}}' >/dev/null 2>&1 ;;
    *) engine_answers "$1" ;;
  esac
}

node_api_up() {
  local n=$1 deadline
  case "$n" in
    2)
      ssh_files
      mkdir -p /run/sshd # sshd's privilege-separation directory
      pid_alive "$LAB_RUN/node2-sshd.pid" ||
        nsenter --net="/run/netns/$(node_ns 2)" /usr/sbin/sshd -f "$SSH_DIR/sshd_config" -E "$(node_dir 2)/sshd.log" ||
        die "node2: sshd did not start (log $(node_dir 2)/sshd.log). What to do: read it, then npm run swarm:up again."
      ;;
    3)
      if ! pid_alive "$LAB_RUN/node3-socat.pid"; then
        setsid nohup nsenter --net="/run/netns/$(node_ns 3)" \
          socat "TCP-LISTEN:$TCP_PORT,bind=$(node_ip 3),reuseaddr,fork" "UNIX-CONNECT:$(node_sock 3)" \
          >>"$(node_dir 3)/socat.log" 2>&1 </dev/null &
        echo $! >"$LAB_RUN/node3-socat.pid"
      fi
      ;;
    *) return 0 ;;
  esac
  deadline=$((SECONDS + 20))
  until node_api_answers "$n"; do
    [ $SECONDS -lt $deadline ] || die "node$n's engine does not answer at $(node_api "$n") after 20 s (logs in $(node_dir "$n")). What to do: read them, then npm run swarm:down and up."
    sleep 0.3
  done
}

# --- engines -----------------------------------------------------------------------------------
engine_answers() { nd "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

engine_up() {
  local n=$1 dir pid
  dir=$(node_dir "$n")
  if engine_answers "$n"; then return 0; fi
  pid=$(cat "$(node_pidfile "$n")" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "node$n: dockerd (pid $pid) is running but not answering yet; waiting…"
  else
    mkdir -p "$dir/data" "$LAB_RUN/node$n"
    [ -f "$dir/daemon.json" ] || echo '{}' >"$dir/daemon.json" # not the host's /etc/docker/daemon.json
    log "node$n: starting dockerd in namespace $(node_ns "$n") ($(node_ip "$n"); log $dir/dockerd.log)…"
    # nsenter: the node's network namespace. unshare: its own mount namespace (every mount dockerd
    # makes dies with it, none reaches the host's) and UTS namespace (hostname = node name in
    # `docker node ls`). setsid: the engine outlives this script and npm.
    # DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: a task uses the loaded image without first trying to pull
    # it (no registry is reachable, and the nodes have no route out of the lab anyway).
    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid nohup nsenter --net="/run/netns/$(node_ns "$n")" \
      unshare --mount --uts --propagation slave \
      sh -c 'hostname "$0" && exec "$@"' "$(node_ns "$n")" \
      dockerd \
      --config-file "$dir/daemon.json" \
      --data-root "$dir/data" \
      --exec-root "$LAB_RUN/node$n" \
      --pidfile "$(node_pidfile "$n")" \
      --host "unix://$(node_sock "$n")" \
      --storage-driver overlay2 \
      --shutdown-timeout 5 \
      >>"$dir/dockerd.log" 2>&1 </dev/null &
  fi
}

wait_engines() {
  local deadline=$((SECONDS + 60)) n
  for n in "${NODES[@]}"; do
    while ! engine_answers "$n"; do
      if [ $SECONDS -ge $deadline ]; then
        log "node$n: dockerd did not answer on $(node_sock "$n") within 60 s. Its last log lines:"
        tail -n 20 "$(node_dir "$n")/dockerd.log" >&2 || true
        die "The lab is half up. What to do: read $(node_dir "$n")/dockerd.log, then npm run swarm:down and npm run swarm:up."
      fi
      sleep 0.5
    done
  done
}

# --- swarm -------------------------------------------------------------------------------------
swarm_state() { nd "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }
swarm_node_id() { nd "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null || true; }

swarm_up() {
  local n token role members id
  if [ "$(swarm_state 1)" != active ]; then
    log "node1: swarm init (advertise $(node_ip 1), overlay pool $POOL)…"
    quiet "swarm init on node1" manager swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
      --default-addr-pool "$POOL" --default-addr-pool-mask-length 24
  fi
  for n in "${NODES[@]:1}"; do
    role=worker
    if [ "$MANAGERS" = 3 ]; then role=manager; fi
    members=$(manager node ls -q 2>/dev/null || true)
    id=$(swarm_node_id "$n")
    if [ "$(swarm_state "$n")" = active ] && [ -n "$id" ] && grep -qx "$id" <<<"$members"; then continue; fi
    if [ "$(swarm_state "$n")" != inactive ]; then
      log "node$n: is in another swarm (or half joined); leaving it…"
      nd "$n" swarm leave --force >/dev/null 2>&1 || true
    fi
    token=$(manager swarm join-token -q "$role")
    log "node$n: joining as $role…"
    quiet "swarm join of node$n" nd "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" --listen-addr "$(node_ip "$n"):2377" "$(node_ip 1):2377"
  done
  # A node that left and joined again leaves its old entry behind, Down: drop it.
  for id in $(manager node ls --format '{{.ID}} {{.Status}}' 2>/dev/null | awk '$2 == "Down" {print $1}'); do
    manager node rm --force "$id" >/dev/null 2>&1 || true
  done
  local deadline=$((SECONDS + 60)) ready
  while :; do
    ready=$(manager node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true)
    [ "$ready" -ge ${#NODES[@]} ] && break
    [ $SECONDS -ge $deadline ] && { manager node ls >&2 || true; die "only $ready of ${#NODES[@]} nodes are Ready after 60 s. What to do: read $LAB_DIR/node*/dockerd.log, then npm run swarm:down and up again."; }
    sleep 0.5
  done
}

# --- images ------------------------------------------------------------------------------------
# base-node: the base a release is built from on the manager (bluegreen build), loaded with the rest.
lab_images() { echo "$BG_IMAGE_NS/app:$APP_VERSION" "$BG_IMAGE_NS/proxy-haproxy:local" bluegreen/base-redis:local bluegreen/base-node:local; }

build_images() {
  bash scripts/ensure-docker.sh
  bash fixtures/images/build.sh node haproxy redis
  log "building $BG_IMAGE_NS/app:$APP_VERSION and $BG_IMAGE_NS/proxy-haproxy:local on the host engine…"
  # The same builds as compose.blue.yml / compose.yml describe. The app's context is sent as a tar
  # that follows symlinks (tar -h): in a worktree node_modules is a symlink, which docker build
  # would not follow. The packages are the ones the Dockerfile copies (ws, pg and its dependencies).
  local packages
  packages=$(grep -o 'node_modules/[^ ]*' fixtures/app/Dockerfile | grep -v '^node_modules/$' | awk '!seen[$0]++ && $0 !~ /^\/app/' | tr '\n' ' ')
  quiet "building $BG_IMAGE_NS/app:$APP_VERSION" sh -c 'tar -ch fixtures/app/Dockerfile fixtures/app/package.json fixtures/app/*.js $1 |
    docker build -q -f fixtures/app/Dockerfile --build-arg BASE_IMAGE=bluegreen/base-node:local -t "$0" -' "$BG_IMAGE_NS/app:$APP_VERSION" "$packages"
  quiet "building $BG_IMAGE_NS/proxy-haproxy:local" docker build -q --build-arg BASE_IMAGE=bluegreen/base-haproxy:local -t "$BG_IMAGE_NS/proxy-haproxy:local" fixtures/proxy/haproxy
}

load_images() {
  local n img missing tar=$LAB_DIR/images.tar
  for n in "${NODES[@]}"; do
    missing=()
    for img in $(lab_images); do
      [ "$(nd "$n" image inspect -f '{{.Id}}' "$img" 2>/dev/null)" = "$(docker image inspect -f '{{.Id}}' "$img")" ] || missing+=("$img")
    done
    [ ${#missing[@]} -eq 0 ] && continue
    log "node$n: loading ${missing[*]} from the host engine…"
    docker save "${missing[@]}" >"$tar"
    nd "$n" load -q -i "$tar" >/dev/null
  done
  rm -f "$tar"
}

# --- demo stacks -------------------------------------------------------------------------------
stack_env() {
  export BG_STACK=$STACK LAB_LIVE_PORT=$LIVE_PORT LAB_PREVIEW_PORT=$PREVIEW_PORT LAB_REPLICAS=$REPLICAS
  LAB_HAPROXY_CFG_HASH=$(sha256sum fixtures/swarm/haproxy.cfg | cut -c1-12)
  export LAB_HAPROXY_CFG_HASH
}

# Set by deploy_demo: 1 when the stacks were already there (a lab bluegreen has deployed to since).
DEMO_EXISTED=0

deploy_demo() {
  stack_env
  # A lab that already runs its stacks keeps them: deploying the demo again would put v1 back on
  # both colors under whatever bluegreen deployed and recorded since.
  if [ "$(manager stack ls --format '{{.Name}}' 2>/dev/null | grep -cxE "$STACK|$STACK-blue|$STACK-green")" = 3 ]; then
    DEMO_EXISTED=1
    log "stacks $STACK, $STACK-blue and $STACK-green exist: kept as they are"
    return 0
  fi
  log "deploying stacks $STACK (proxy on every node + redis), $STACK-blue and $STACK-green ($REPLICAS app replicas each)…"
  quiet "stack deploy $STACK" manager stack deploy --resolve-image never --prune -c fixtures/swarm/shared.yml "$STACK"
  quiet "stack deploy $STACK-blue" manager stack deploy --resolve-image never --prune -c fixtures/swarm/blue.yml "$STACK-blue"
  quiet "stack deploy $STACK-green" manager stack deploy --resolve-image never --prune -c fixtures/swarm/green.yml "$STACK-green"
}

# answers <url> <color>: 200 with X-App-Color <color>? (color "any": 200 from either)
answers() {
  local headers
  headers=$(curl -s -m 2 -o /dev/null -D - "$1" 2>/dev/null || true)
  [ "$(printf '%s' "$headers" | head -n 1 | awk '{print $2}')" = 200 ] || return 1
  [ "$2" = any ] || printf '%s' "$headers" | grep -qi "^x-app-color: *$2"
}

running_tasks() { manager service ps "$1" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running' || true; }

wait_demo() {
  local deadline=$((SECONDS + WAIT_S)) n pending live=blue preview=green
  # Stacks kept from before route as bluegreen left them: any color answering will do.
  if [ "$DEMO_EXISTED" = 1 ]; then live=any preview=any; fi
  log "waiting up to ${WAIT_S}s for every task to run and every node's proxy to answer (live: $live, preview: $preview)…"
  while :; do
    pending=()
    if [ "$DEMO_EXISTED" = 0 ]; then
      [ "$(running_tasks "${STACK}-blue_app-blue")" -ge "$REPLICAS" ] || pending+=("app-blue tasks")
      [ "$(running_tasks "${STACK}-green_app-green")" -ge "$REPLICAS" ] || pending+=("app-green tasks")
    fi
    [ "$(running_tasks "${STACK}_proxy")" -ge ${#NODES[@]} ] || pending+=("proxy tasks")
    for n in "${NODES[@]}"; do
      answers "http://$(node_ip "$n"):$LIVE_PORT/health" "$live" || pending+=("node$n live")
      [ "$DEMO_EXISTED" = 1 ] || answers "http://$(node_ip "$n"):$PREVIEW_PORT/health" "$preview" || pending+=("node$n preview")
    done
    [ ${#pending[@]} -eq 0 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      log "not ready after ${WAIT_S}s: ${pending[*]}. The lab is left up for inspection:"
      manager stack ps "$STACK" --no-trunc --format '  {{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}' >&2 || true
      manager stack ps "$STACK-blue" --no-trunc --format '  {{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}' >&2 || true
      manager stack ps "$STACK-green" --no-trunc --format '  {{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}' >&2 || true
      die "What to do: read the task errors above (and nd logs), then npm run swarm:down and npm run swarm:up."
    fi
    sleep 1
  done
}

write_config() {
  local n role first=1
  # The lab's own facts (for its tests and for humans): each node's name, Docker endpoint, address, role.
  {
    printf '['
    for n in "${NODES[@]}"; do
      role=worker
      if [ "$n" = 1 ] || [ "$MANAGERS" = 3 ]; then role=manager; fi
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n  {"name": "%s", "docker": "unix://%s", "api": "%s", "address": "%s", "role": "%s"}' "$(node_ns "$n")" "$(node_sock "$n")" "$(node_api "$n")" "$(node_ip "$n")" "$role"
    done
    printf '\n]\n'
  } >"$NODES_FILE"
  {
    cat <<EOF
# bluegreen's config for the swarm lab: bluegreen -c $CONFIG_FILE status | deploy --version V | ...
# Written by scripts/swarm-lab.sh up; removed by swarm:down. See docs/swarm-lab.md.
stack: $STACK
platform: swarm

swarm:
  # A manager's Docker API: docker stack deploy / rm and the swarm's services, tasks and nodes.
  manager: unix://$(node_sock 1)
  # Each node's own Docker API, by its hostname in docker node ls: its containers' health, logs,
  # exec (the proxy replica's runtime API) and events. One of each kind here: unix, ssh, tcp.
  nodes:
EOF
    for n in "${NODES[@]}"; do
      echo "    $(node_ns "$n"): $(node_api "$n")   # $(node_ip "$n")"
    done
    cat <<EOF
  # For ssh:// endpoints: key, known_hosts and user (ssh -F); without it, ssh's own ~/.ssh/config.
  sshConfig: $SSH_DIR/ssh_config
  # This kernel has no IPVS: the stack files use endpoint_mode dnsrr and host-mode published ports.

compose:
  shared: $REPO/fixtures/swarm/shared.yml   # stack "$STACK": proxy (global) + redis, network ${STACK}_net
  blue: $REPO/fixtures/swarm/blue.yml       # stack "$STACK-blue": app-blue, $REPLICAS replicas
  green: $REPO/fixtures/swarm/green.yml     # stack "$STACK-green": app-green, $REPLICAS replicas

services: [app]
versionVariable: APP_VERSION   # what the stack files interpolate the release's version from

env:
  BG_IMAGE_NS: "$BG_IMAGE_NS"
  LAB_LIVE_PORT: "$LIVE_PORT"
  LAB_PREVIEW_PORT: "$PREVIEW_PORT"
  LAB_REPLICAS: "$REPLICAS"
  LAB_HAPROXY_CFG_HASH: "$LAB_HAPROXY_CFG_HASH"

proxy:
  driver: haproxy
  service: proxy          # one replica per node; runtime API in each: exec of nc 127.0.0.1 9999 through its node's API
  upstream: "app-{color}:3000"
  live: "http://$(node_ip 1):$LIVE_PORT"
  preview: "http://$(node_ip 1):$PREVIEW_PORT"

health:
  timeout: 180s
  interval: 1s

drain:
  timeout: 30s

verify:
  # After a switch, requests go through every node's proxy replica at once, not only proxy.live's.
  urls: [$(for n in "${NODES[@]}"; do [ "$n" = 1 ] || printf '"http://%s:%s", ' "$(node_ip "$n")" "$LIVE_PORT"; done | sed 's/, $//')]

smoke:
  spec: $REPO/smoke/specs/demo.yml
  expectVersionHeader: X-App-Version

stateDir: $LAB_DIR/state
EOF
  } >"$CONFIG_FILE"
}

# The lab deploys both colors; bluegreen's state file says blue is live and green its warm standby,
# as a deploy would have left them (without it, bluegreen reports both running as a conflict).
# Written once, with bluegreen's own writer; later runs keep what bluegreen recorded since.
record_state() {
  [ -f "$LAB_DIR/state/state.json" ] && return 0
  [ -f dist/src/state/active-color.js ] || npm run build --silent
  node -e 'import(process.argv[1]).then((m) => m.writeState(process.argv[2], { active: "blue", previous: "green", versions: { blue: process.argv[3], green: process.argv[3] }, warm: true, updatedBy: "swarm-lab" }))' \
    "$REPO/dist/src/state/active-color.js" "$LAB_DIR/state" "$APP_VERSION"
}

up() {
  local t0=$SECONDS n dir
  need_root
  ensure_packages
  check_subnet_free
  for dir in "$LAB_DIR" "$LAB_RUN"; do
    if [ -d "$dir" ] && [ ! -f "$dir/$MARKER" ] && [ -n "$(ls -A "$dir")" ]; then
      die "$dir exists, is not empty and has no $MARKER marker: it is not the lab's. Nothing was changed. What to do: move it away or set BG_LAB_DIR / BG_LAB_RUN."
    fi
  done
  mkdir -p "$LAB_DIR" "$LAB_RUN"
  touch "$LAB_DIR/$MARKER" "$LAB_RUN/$MARKER"
  build_images
  network_up
  for n in "${NODES[@]}"; do engine_up "$n"; done
  wait_engines
  for n in "${NODES[@]}"; do node_api_up "$n"; done
  swarm_up
  load_images
  deploy_demo
  wait_demo
  write_config
  record_state
  log "up in $((SECONDS - t0))s: swarm of ${#NODES[@]} nodes ($MANAGERS manager(s)); proxy on $(for n in "${NODES[@]}"; do printf '%s ' "$(node_ip "$n")"; done)"
  log "node APIs: $(for n in "${NODES[@]}"; do printf 'docker -H unix://%s ' "$(node_sock "$n")"; done)(bluegreen reaches them as $(for n in "${NODES[@]}"; do printf '%s ' "$(node_api "$n")"; done | sed 's/ $//'))"
  echo "live: http://$(node_ip 1):$LIVE_PORT/"
  echo "preview: http://$(node_ip 1):$PREVIEW_PORT/"
  echo "config: $CONFIG_FILE"
}

# --- down --------------------------------------------------------------------------------------
# Every process of node n: those in its network namespace (dockerd, containerd, shims, docker-proxy)
# and all their descendants (the containers' processes, in namespaces of their own).
node_pids() {
  local ns roots
  ns=$(node_ns "$1")
  has_ns "$ns" || return 0
  roots=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [ -n "${roots// /}" ] || return 0
  ps -e -o pid=,ppid= | awk -v roots="$roots" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
      do { added = 0; for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 } } } while (added)
      for (p in keep) print p
    }'
}

dockerd_pid() { # the node's dockerd pid, if it runs
  local pid
  pid=$(cat "$(node_pidfile "$1")" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# stop_nodes [N...]: stop these nodes' engines (all when none named) and whatever they leave running.
stop_nodes() {
  local n pid deadline pids running list=("$@")
  [ ${#list[@]} -gt 0 ] || list=("${NODES[@]}")
  # All engines at once: each stops its containers (at most --shutdown-timeout 5 s each) in parallel.
  for n in "${list[@]}"; do
    pid=$(dockerd_pid "$n")
    if [ -n "$pid" ]; then
      log "node$n: stopping dockerd (pid $pid) and its containers…"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    running=0
    for n in "${list[@]}"; do [ -z "$(dockerd_pid "$n")" ] || running=1; done
    [ $running -eq 0 ] && break
    sleep 0.3
  done
  for n in "${list[@]}"; do
    pids=$(node_pids "$n" | tr '\n' ' ')
    if [ -n "${pids// /}" ]; then
      log "node$n: killing what is left of it: $pids"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while [ -n "$(node_pids "$n")" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    fi
  done
}

lab_mounts() { awk -v a="$LAB_DIR" -v b="$LAB_RUN" '$5 == a || index($5, a "/") == 1 || $5 == b || index($5, b "/") == 1 { print $5 }' /proc/self/mountinfo; }

remove_dir() {
  local dir=$1
  [ -d "$dir" ] || return 0
  case "$dir" in /* ) ;; *) log "not removing '$dir': not an absolute path"; return 1 ;; esac
  if [ ! -f "$dir/$MARKER" ]; then
    log "not removing $dir: it has no $MARKER marker, so the lab did not make it. Remove it yourself if it is the lab's."
    return 1
  fi
  rm -rf --one-file-system -- "$dir"
}

down() {
  local t0=$SECONDS n m deadline
  need_root
  stop_nodes
  for m in $(lab_mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  for n in "${NODES[@]}"; do if has_ns "$(node_ns "$n")"; then ip netns del "$(node_ns "$n")"; fi; done
  if has_ns "$SWITCH_NS"; then ip netns del "$SWITCH_NS"; fi
  # Namespaces are torn down asynchronously; their links go with them.
  deadline=$((SECONDS + 10))
  while ip link show "$HOST_LINK" >/dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if ip link show "$HOST_LINK" >/dev/null 2>&1; then ip link del "$HOST_LINK"; fi
  remove_dir "$LAB_DIR"
  remove_dir "$LAB_RUN"
  log "down in $((SECONDS - t0))s: no lab namespaces, links, engines or directories are left."
}

status() {
  local n
  echo "namespaces: $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-" | tr '\n' ' ')"
  echo "host link:  $(ip -br addr show "$HOST_LINK" 2>/dev/null || echo none)"
  for n in "${NODES[@]}"; do
    if engine_answers "$n"; then echo "node$n: engine up at $(node_sock "$n"), swarm $(swarm_state "$n")"; else echo "node$n: no engine"; fi
  done
  engine_answers 1 && manager node ls 2>/dev/null || true
}

# A node lost and found again, for fault tests: stop-node N stops node N's engine (as a crash or a
# power cut would end it: its containers stop, its API is gone); start-node N starts it again and
# waits until the manager sees it ready. Node 1 is the manager and is not stopped this way.
node_arg() {
  case "${1:-}" in 2 | 3) ;; *) die "usage: scripts/swarm-lab.sh stop-node|start-node 2|3 (node 1 is the manager). Nothing was changed." ;; esac
}

stop_node() {
  need_root
  node_arg "${1:-}"
  stop_nodes "$1"
  log "node$1: engine stopped (the manager marks it down after its heartbeat timeout, about 15 s)"
}

start_node() {
  local n=${1:-} deadline state
  need_root
  node_arg "$n"
  has_ns "$(node_ns "$n")" || die "node$n's namespace does not exist: the lab is not up. What to do: npm run swarm:up."
  engine_up "$n"
  deadline=$((SECONDS + WAIT_S))
  until engine_answers "$n"; do
    [ $SECONDS -lt $deadline ] || die "node$n's engine did not answer within ${WAIT_S}s (log $(node_dir "$n")/dockerd.log)."
    sleep 0.5
  done
  until state=$(manager node ls --filter "name=$(node_ns "$n")" --format '{{.Status}}' 2>/dev/null) && [ "$state" = Ready ]; do
    [ $SECONDS -lt $deadline ] || die "node$n's engine runs but the manager does not see it ready (${state:-no answer}) after ${WAIT_S}s."
    sleep 0.5
  done
  node_api_up "$n"
  log "node$n: engine up and ready in the swarm"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  stop-node) stop_node "${2:-}" ;;
  start-node) start_node "${2:-}" ;;
  *)
    echo "usage: scripts/swarm-lab.sh up|down|status|stop-node N|start-node N   (npm run swarm:up / npm run swarm:down)" >&2
    exit 2
    ;;
esac
