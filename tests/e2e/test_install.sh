#!/usr/bin/env bash
# make install / make uninstall with DESTDIR and PREFIX: every file in its
# place with its mode, the unit naming the installed binary, nothing left
# after uninstall but an options file that was edited. The installed unit
# passes `systemd-analyze verify` (a broken copy does not), and its
# `systemd-analyze security` exposure stays "OK" (at most 2.5).
set -u
cd "${HDRLOG_ROOT:-.}"
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s "$@"; }

mk install DESTDIR="$tmp/stage" PREFIX=/usr >"$tmp/install.out" || bad "make install failed"
cat "$tmp/install.out"
want="755 usr/sbin/hdrlog
644 usr/share/man/man8/hdrlog.8
644 usr/share/doc/hdrlog/README.md
644 usr/share/doc/hdrlog/schema.md
644 usr/share/bash-completion/completions/hdrlog
644 usr/lib/systemd/system/hdrlog.service
644 usr/lib/sysusers.d/hdrlog.conf
644 etc/logrotate.d/hdrlog
644 etc/default/hdrlog"
while read -r mode path; do
	[ -f "$tmp/stage/$path" ] || { bad "not installed: $path"; continue; }
	[ "$(stat -c %a "$tmp/stage/$path")" = "$mode" ] || bad "$path: mode $(stat -c %a "$tmp/stage/$path"), want $mode"
done <<<"$want"
"$tmp/stage/usr/sbin/hdrlog" --version | grep -q '^hdrlog ' || bad "the installed binary does not run"
grep -qx 'ExecStart=/usr/sbin/hdrlog $HDRLOG_OPTS' "$tmp/stage/usr/lib/systemd/system/hdrlog.service" ||
	bad "ExecStart does not name /usr/sbin/hdrlog"
grep -qx 'EnvironmentFile=-/etc/default/hdrlog' "$tmp/stage/usr/lib/systemd/system/hdrlog.service" ||
	bad "EnvironmentFile does not name /etc/default/hdrlog"
grep -q '@[A-Z]*@' "$tmp/stage/usr/lib/systemd/system/hdrlog.service" && bad "a @PLACEHOLDER@ left in the unit"

# An edited options file survives a reinstall and an uninstall.
echo 'HDRLOG_OPTS="-i eth1"' >"$tmp/stage/etc/default/hdrlog"
mk install DESTDIR="$tmp/stage" PREFIX=/usr | grep 'KEPT.*default/hdrlog' >/dev/null || bad "reinstall did not keep the edited options"
mk uninstall DESTDIR="$tmp/stage" PREFIX=/usr >/dev/null || bad "make uninstall failed"
left=$(cd "$tmp/stage" && find . -type f | sort)
[ "$left" = "./etc/default/hdrlog" ] || bad "left after uninstall: $left"
rm -f "$tmp/stage/etc/default/hdrlog"
mk install DESTDIR="$tmp/stage" PREFIX=/usr >/dev/null && mk uninstall DESTDIR="$tmp/stage" PREFIX=/usr >/dev/null
[ -z "$(find "$tmp/stage" -type f)" ] || bad "an unedited options file stayed: $(find "$tmp/stage" -type f)"
echo "ok   install and uninstall with DESTDIR"

# verify needs the binary where ExecStart says and the man page of
# Documentation=: a PREFIX of its own, no DESTDIR.
mk install PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" >/dev/null || bad "make install PREFIX= failed"
unit=$tmp/usr/lib/systemd/system/hdrlog.service
if MANPATH=$tmp/usr/share/man systemd-analyze verify "$unit" >"$tmp/verify" 2>&1; then
	echo "ok   systemd-analyze verify"
else
	bad "systemd-analyze verify: $(cat "$tmp/verify")"
fi
sed 's/^ProtectSystem=strict/ProtectSystm=strict/; s|^ExecStart=.*|ExecStart=/nonexistent/hdrlog|' "$unit" >"$tmp/broken.service"
MANPATH=$tmp/usr/share/man systemd-analyze verify "$tmp/broken.service" >/dev/null 2>&1 &&
	bad "systemd-analyze verify passed a broken unit"
systemd-analyze security --offline=yes "$unit" >"$tmp/security" 2>&1 || bad "systemd-analyze security failed"
score=$(sed -n 's/.*Overall exposure level for hdrlog.service: \([0-9.]*\).*/\1/p' "$tmp/security")
echo "note systemd-analyze security --offline=yes: exposure $score"
grep '✗' "$tmp/security" | sed 's/^/    /'
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || bad "exposure ${score:-?} above 2.5"
# The unit's capabilities are the three the programs need, ambient.
for cap in CAP_BPF CAP_NET_ADMIN CAP_PERFMON; do
	grep -q "^AmbientCapabilities=.*$cap" "$unit" && grep -q "^CapabilityBoundingSet=.*$cap" "$unit" ||
		bad "$cap not ambient and bounding"
done
grep -q '^User=hdrlog' "$unit" && grep -q '^LogsDirectory=hdrlog' "$unit" || bad "User= or LogsDirectory= missing"
mk uninstall PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" >/dev/null
[ $fail -eq 0 ] && echo ok
exit $fail
