#!/usr/bin/env bash
# Installs the Debian packages that the real-server tests and benchmarks use:
# OpenSSH's sshd and sftp client, gpg, PostgreSQL (server and psql), and
# Chromium with its driver (the page tests).
# Does nothing for a package already present; needs root for apt-get.
set -euo pipefail
need=()
command -v /usr/sbin/sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v sftp >/dev/null 2>&1 || need+=(openssh-client)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v /usr/bin/chromium >/dev/null 2>&1 || need+=(chromium)
command -v /usr/bin/chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the cluster on install; the tests start their own servers.
if command -v service >/dev/null 2>&1; then
  service postgresql stop >/dev/null 2>&1 || true
fi
