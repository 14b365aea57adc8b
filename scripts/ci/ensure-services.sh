#!/usr/bin/env bash
# Starts the local services the integration tests use, if they are down, and
# installs the Debian tools they drive. Idempotent; safe to run repeatedly.
set -uo pipefail

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! redis_up; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
fi
redis_up && echo "Redis: up" || echo "!!! Redis is not reachable on 127.0.0.1:6379"

if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
pg_up && echo "PostgreSQL: up" || echo "!!! PostgreSQL is not reachable on 127.0.0.1:5432"

# Debian tools the integration tests drive (each test skips loudly, or fails
# under CI=true, when its tool is missing).
missing=()
for pair in "nginx:nginx" "prometheus:prometheus" "promtool:prometheus" "chromium:chromium" \
  "openssl:openssl" "sqlite3:sqlite3" "pg_dump:postgresql-client" "pg_restore:postgresql-client" "systemd-analyze:systemd" \
  "redis-server:redis-server" "redis-cli:redis-tools"; do
  bin="${pair%%:*}"; pkg="${pair##*:}"
  command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "installing from Debian: $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs) >/tmp/rampart-apt.log 2>&1 \
    || { echo "!!! apt-get install failed; see /tmp/rampart-apt.log"; tail -20 /tmp/rampart-apt.log; }
fi
exit 0
