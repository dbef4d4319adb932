#!/usr/bin/env bash
# Starts each local service the tests need when it is not already listening (commands from
# shared/services.md). Usage: ensure-services.sh [nats] [postgres] [redis] [rabbitmq] ...
# With no argument it checks the services the test suite uses today.
set -uo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    listening "$port" && { echo "$name: up on $port"; return 0; }
    sleep 0.5
  done
  echo "$name: did not come up on port $port" >&2
  return 1
}

ensure() {
  local name=$1 port=$2
  shift 2
  if listening "$port"; then
    echo "$name: already up on $port"
    return 0
  fi
  echo "$name: down, starting it"
  "$@" || true
  wait_for "$name" "$port"
}

services=("$@")
# What the test suite uses today: the NATS adapter's tests and the analytics PostgreSQL store's.
[ ${#services[@]} -eq 0 ] && services=(nats postgres)

for service in "${services[@]}"; do
  case "$service" in
    nats) ensure nats 4222 start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log ;;
    postgres) ensure postgres 5432 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start ;;
    redis) ensure redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log ;;
    rabbitmq) ensure rabbitmq 5672 rabbitmq-server -detached ;;
    *) echo "unknown service $service" >&2; exit 1 ;;
  esac
done
echo "services ready: ${services[*]:-none needed}"
