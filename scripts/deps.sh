#!/usr/bin/env bash
# Installs every Debian package hdrlog needs to build, test and benchmark,
# then the npm packages of the browser tests (tests/e2e/web/package.json,
# locked by its package-lock.json) into tests/e2e/web/node_modules.
# Idempotent: packages already present are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	# build
	make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libpcap-dev libclang-rt-14-dev libcmocka-dev libssl-dev
	libcap-ng-dev libmnl-dev
	# run and test
	iproute2 iputils-ping procps tcpdump tshark curl ncat python3
	valgrind
	# the path test's router namespace: masquerade
	nftables
	# install and service: man page lint, unit checks, log rotation
	mandoc systemd logrotate
	# benchmarks
	iperf3 wrk nginx-light netsniff-ng
	# exporters: /metrics server, Loki push; Prometheus for the e2e test
	libmicrohttpd-dev libcurl4-openssl-dev prometheus
	# log stores the sink tests start themselves (never as services)
	clickhouse-server rsyslog
	# --openapi: YAML and JSON descriptions
	libyaml-dev libjson-c-dev
	# anomaly alerts: Alertmanager for the e2e test
	prometheus-alertmanager
	# the web view's browser test: Debian's Chromium, driven by
	# playwright-core (npm) under node
	chromium nodejs
)

# npm comes with some builds of nodejs, as a package of its own with others
command -v npm >/dev/null 2>&1 || packages+=(npm)

# The browser tests' npm packages, exactly as locked; never a browser
# download (playwright-core has none: the tests use /usr/bin/chromium).
npm_packages() {
	local dir=tests/e2e/web
	[ -d "$dir/node_modules/playwright-core" ] && return 0
	echo "deps: npm ci in $dir"
	npm ci --prefix "$dir" --no-audit --no-fund >/dev/null
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	npm_packages
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Servers the tests start themselves (clickhouse-server, rsyslog,
# prometheus, nginx) are not started as system services by their install:
# policy-rc.d says no to invoke-rc.d and deb-systemd-invoke, for the time
# of the install only, unless the machine has one already.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_packages
