#!/usr/bin/env bash
# A single-node Slurm cluster for tests: munged, slurmctld and slurmd with their configuration, keys, state,
# spool, sockets and logs all under DIR (nothing under /etc or /var is touched), on ports of their own.
#   scripts/slurm-local.sh start DIR   configures and starts the daemons; waits until the node is idle
#   scripts/slurm-local.sh stop DIR    stops them (by the pids recorded in DIR)
#   scripts/slurm-local.sh env DIR     prints the environment clients need (eval "$(... env DIR)")
# Exit status of start: 0 ready, 3 the daemons could not start (the reason on stderr, logs in DIR).
set -euo pipefail

cmd=${1:-}; dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then echo "usage: $0 start|stop|env DIR" >&2; exit 2; fi
mkdir -p "$dir"; dir=$(cd "$dir" && pwd)

envlines() {
  echo "export SLURM_CONF=$dir/slurm.conf"
}

stop() {
  for d in slurmd slurmctld munged; do
    if [[ -f "$dir/$d.pid" ]]; then
      pid=$(cat "$dir/$d.pid"); kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/$d.pid"
    fi
  done
}

fail() { echo "slurm-local: $*" >&2; stop; exit 3; }

start() {
  for exe in munged slurmctld slurmd sbatch sinfo; do
    command -v "$exe" >/dev/null || [[ -x /usr/sbin/$exe ]] || fail "$exe not found (Debian packages slurm-wlm and munge)"
  done
  export PATH=$PATH:/usr/sbin
  local user host cpus port
  user=$(id -un); host=$(hostname -s); cpus=$(nproc)
  # Ports from the directory's name hash, so two test runs on one machine do not collide.
  port=$(( 20000 + $(echo "$dir" | cksum | cut -d' ' -f1) % 20000 ))
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/log"
  chmod 0700 "$dir/munge"
  [[ -f "$dir/munge/munge.key" ]] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 0400 "$dir/munge/munge.key"; }
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed" \
    || fail "munged did not start: $(tail -3 "$dir/log/munged.log" 2>/dev/null)"
  cat > "$dir/slurm.conf" <<CONF
ClusterName=nflocal
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=10001
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$dir/slurm.conf" || fail "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)"
  slurmd -f "$dir/slurm.conf" || fail "slurmd did not start: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"
  for _ in $(seq 100); do
    state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
    [[ "$state" == idle* ]] && return 0
    sleep 0.2
  done
  fail "the node never became idle (state '${state:-none}'); logs in $dir/log: $(tail -3 "$dir/log/slurmd.log" 2>/dev/null)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) envlines ;;
  *) echo "usage: $0 start|stop|env DIR" >&2; exit 2 ;;
esac
