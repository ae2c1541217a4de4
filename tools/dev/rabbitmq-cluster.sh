#!/usr/bin/env bash
# A local three-node RabbitMQ cluster from the installed RabbitMQ, beside (never instead of) the
# machine's own broker: its own node names, ports and data directories. For the cluster suite
# (tests/e2e/cluster.e2e.spec.ts) and for trying failover by hand; docs/operations.md, "A cluster",
# says more.
#
#   tools/dev/rabbitmq-cluster.sh start         start the three nodes and join them (idempotent)
#   tools/dev/rabbitmq-cluster.sh stop          stop them (their data stays; --clean removes it)
#   tools/dev/rabbitmq-cluster.sh status        which nodes run, and the cluster as node 1 sees it
#   tools/dev/rabbitmq-cluster.sh urls          the AMQP_URL list for the services (comma-separated)
#   tools/dev/rabbitmq-cluster.sh kill-node N   SIGKILL to node N's Erlang VM: a crash, nothing flushed
#   tools/dev/rabbitmq-cluster.sh stop-node N   stop node N cleanly (rabbitmqctl stop)
#   tools/dev/rabbitmq-cluster.sh start-node N  start node N again, with its own environment, and
#                                               wait until it is back in the cluster (idempotent)
#
# Node i is `shopflow-rabbit-i@localhost` with AMQP on 5700+i, management on 15700+i and Erlang
# distribution on 25700+i (RABBITMQ_CLUSTER_PORT_BASE moves all three); data under
# RABBITMQ_CLUSTER_DIR (default /tmp/shopflow-rabbitmq-cluster). The nodes run as the `rabbitmq`
# user, so that they share the installed broker's Erlang cookie and can cluster.
set -euo pipefail

NODES=(1 2 3)
BASE=${RABBITMQ_CLUSTER_PORT_BASE:-5700}
DIR=$(realpath -m "${RABBITMQ_CLUSTER_DIR:-/tmp/shopflow-rabbitmq-cluster}")
RABBIT_BIN=/usr/lib/rabbitmq/bin

fail() { # cause and fix, one line
  echo "rabbitmq-cluster: $*" >&2
  exit 1
}

node_name() { echo "shopflow-rabbit-$1@localhost"; }
amqp_port() { echo $((BASE + $1)); }
mgmt_port() { echo $((10000 + BASE + $1)); }
dist_port() { echo $((20000 + BASE + $1)); }

as_rabbitmq() { # runs a RabbitMQ command as the rabbitmq user, with the given node's environment
  local i=$1
  shift
  local env=(HOME=/var/lib/rabbitmq RABBITMQ_NODENAME="$(node_name "$i")"
    RABBITMQ_NODE_PORT="$(amqp_port "$i")" RABBITMQ_DIST_PORT="$(dist_port "$i")"
    RABBITMQ_MNESIA_BASE="$DIR/node$i/mnesia" RABBITMQ_LOG_BASE="$DIR/node$i/log"
    RABBITMQ_PID_FILE="$DIR/node$i/pid" RABBITMQ_CONFIG_FILE="$DIR/node$i/rabbitmq"
    RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/node$i/enabled_plugins")
  if [[ $(id -un) == rabbitmq ]]; then
    env "${env[@]}" "$@"
  else
    runuser -u rabbitmq -- env "${env[@]}" "$@"
  fi
}

ctl() { # rabbitmqctl against node i
  local i=$1
  shift
  as_rabbitmq "$i" "$RABBIT_BIN/rabbitmqctl" -n "$(node_name "$i")" "$@"
}

running() { ctl "$1" status >/dev/null 2>&1; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_prerequisites() {
  [[ -x $RABBIT_BIN/rabbitmq-server ]] ||
    fail "no RabbitMQ at $RABBIT_BIN; install it (apt-get install rabbitmq-server) and try again"
  id rabbitmq >/dev/null 2>&1 || fail "no rabbitmq user; install RabbitMQ from Debian's package, which creates it"
  if [[ $(id -un) != rabbitmq && $(id -u) -ne 0 ]]; then
    fail "the nodes must run as the rabbitmq user (they share its Erlang cookie); run this as root or as rabbitmq"
  fi
}

write_config() {
  local i=$1 dir="$DIR/node$1"
  mkdir -p "$dir/mnesia" "$dir/log"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.local = 127.0.0.1:$(amqp_port "$i")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$i")
# Quorum queues' write-ahead log: 512 MiB by default, too much for three nodes on a small machine.
raft.wal_max_size_bytes = 67108864
EOF
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$DIR" 2>/dev/null || true
}

wait_until() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what did not happen within ${seconds} s; see the logs in $DIR/node*/log"
    sleep 1
  done
}

vm_up() { ctl "$1" ping >/dev/null 2>&1; } # the node's Erlang VM answers, booted or not

launch_node() { # starts node i's VM unless it is up; does not wait for RabbitMQ to boot in it
  local i=$1
  if vm_up "$i"; then return 0; fi
  for port in "$(amqp_port "$i")" "$(mgmt_port "$i")" "$(dist_port "$i")"; do
    port_taken "$port" && fail "port $port is in use by another program; stop it or set RABBITMQ_CLUSTER_PORT_BASE"
  done
  write_config "$i"
  as_rabbitmq "$i" "$RABBIT_BIN/rabbitmq-server" -detached >/dev/null
  # -detached returns before the node is registered: poll until it answers.
  wait_until 60 "$(node_name "$i") starting" vm_up "$i"
}

await_boot() {
  # A node that was not the last of the cluster to stop waits, while it boots, for one that was
  # (Mnesia's tables): hence launch every node first and wait for them after.
  wait_until 180 "$(node_name "$1") booting" ctl "$1" await_startup --timeout 10
}

start_node() {
  launch_node "$1"
  await_boot "$1"
}

node_pid() { # the pid of node i's Erlang VM, from its pid file, checked to be that node's beam.smp
  local i=$1 file="$DIR/node$1/pid" pid
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == beam.smp ]] || return 1
  # A stale pid file may name a pid the system has since given to another VM: the node's own
  # environment tells which node a beam.smp is.
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "RABBITMQ_NODENAME=$(node_name "$i")" || return 1
  echo "$pid"
}

kill_node() {
  local i=$1 pid
  pid=$(node_pid "$i") || fail "$(node_name "$i") is not running (no beam.smp of it in $DIR/node$i/pid); start it with: $0 start-node $i"
  kill -KILL "$pid"
  wait_until 30 "$(node_name "$i") (pid $pid) exiting" not_alive "$pid"
}

not_alive() { ! kill -0 "$1" 2>/dev/null; }

peer() { # a running node other than i (the lowest), to ask about the cluster or to join through
  for j in "${NODES[@]}"; do
    if [[ $j != "$1" ]] && running "$j"; then
      echo "$j"
      return 0
    fi
  done
  return 1
}

in_cluster() { # node i is listed among the running nodes, as another running node sees them
  local seen_by
  seen_by=$(peer "$1") || return 1
  ctl "$seen_by" cluster_status --formatter json 2>/dev/null |
    python3 -c "import json,sys; sys.exit(0 if '$(node_name "$1")' in json.load(sys.stdin)['running_nodes'] else 1)"
}

join_node() { # into the cluster of the other running nodes; nothing to do when it is alone
  local i=$1 target
  target=$(peer "$i") || return 0
  if in_cluster "$i"; then return 0; fi
  # A node that was a member (one restarted after a crash or a stop) rejoins by itself once booted.
  if is_member "$i"; then
    wait_until 60 "$(node_name "$i") rejoining the cluster" in_cluster "$i"
    return 0
  fi
  ctl "$i" stop_app >/dev/null
  ctl "$i" join_cluster "$(node_name "$target")" >/dev/null
  ctl "$i" start_app >/dev/null
  wait_until 60 "$(node_name "$i") joining $(node_name "$target")" in_cluster "$i"
}

is_member() { # node i knows itself as a disc node of a cluster of more than itself
  ctl "$1" cluster_status --formatter json 2>/dev/null |
    python3 -c "import json,sys; sys.exit(0 if len(json.load(sys.stdin)['disk_nodes']) > 1 else 1)"
}

node_arg() { # the N of kill-node N and the like
  [[ ${1:-} =~ ^[123]$ ]] || fail "which node? give its number, 1, 2 or 3 (e.g. $0 ${2:-kill-node} 1)"
  echo "$1"
}

urls() {
  local list=()
  for i in "${NODES[@]}"; do list+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$i")"); done
  (IFS=,; echo "${list[*]}")
}

# The nodes keep the directory they were started from as their working directory, and once it is gone
# (a CI clone deleted, a worktree removed) they can no longer run a command: `rabbitmqctl status`
# fails and the management API answers 500. Start them from one that stays.
cd /

case ${1:-} in
  start)
    check_prerequisites
    for i in "${NODES[@]}"; do launch_node "$i"; done
    for i in "${NODES[@]}"; do await_boot "$i"; done
    for i in "${NODES[@]:1}"; do join_node "$i"; done
    echo "cluster up: $(urls)"
    ;;
  stop)
    check_prerequisites
    for i in "${NODES[@]}"; do
      if running "$i"; then ctl "$i" stop >/dev/null; fi
    done
    [[ ${2:-} == --clean ]] && rm -rf "$DIR"
    echo "cluster stopped"
    ;;
  status)
    check_prerequisites
    for i in "${NODES[@]}"; do
      if running "$i"; then echo "$(node_name "$i"): running on $(amqp_port "$i")"; else echo "$(node_name "$i"): stopped"; fi
    done
    running 1 && ctl 1 cluster_status
    ;;
  urls) urls ;;
  kill-node)
    check_prerequisites
    i=$(node_arg "${2:-}" kill-node)
    kill_node "$i"
    echo "$(node_name "$i") killed"
    ;;
  stop-node)
    check_prerequisites
    i=$(node_arg "${2:-}" stop-node)
    if running "$i"; then ctl "$i" stop >/dev/null; fi
    echo "$(node_name "$i") stopped"
    ;;
  start-node)
    check_prerequisites
    i=$(node_arg "${2:-}" start-node)
    start_node "$i"
    join_node "$i"
    echo "$(node_name "$i") running, in the cluster"
    ;;
  *)
    echo "usage: tools/dev/rabbitmq-cluster.sh start | stop [--clean] | status | urls | kill-node N | stop-node N | start-node N" >&2
    exit 2
    ;;
esac
