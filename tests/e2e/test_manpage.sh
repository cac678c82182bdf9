#!/usr/bin/env bash
# hdrlog(8) passes `mandoc -T lint` (warnings and worse) and is in step
# with --help: every option --help lists has an entry in the man page and
# every option entry of the man page is in --help; every signal and exit
# code --help names is in it too.
set -u
cd "${HDRLOG_ROOT:-.}"
command -v mandoc >/dev/null || { echo "SKIP: mandoc missing (scripts/deps.sh)"; exit 77; }
bin=${HDRLOG_BIN:-./build/hdrlog}
man=${HDRLOG_MAN:-docs/hdrlog.8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

if mandoc -T lint -W warning "$man" >"$tmp/lint" 2>&1; then
	echo "ok   mandoc -T lint: clean"
else
	echo "FAIL: mandoc -T lint:"; cat "$tmp/lint"; fail=1
fi

# --help's option lines: "  -i, --interface IFACE", "      --hook tc|xdp", "  -n".
"$bin" --help | sed -nE 's/^  (-[[:alnum:]]|    )(, )?(--[[:alnum:]-]+)?( [^ ]+)?( {2,}.*)?$/\1 \3/p' |
	tr ' ' '\n' | grep -- '^-' | sort -u >"$tmp/help"
# The man page's option entries: ".It Fl i Ar iface , Fl \-interface Ar iface"
# in OPTIONS; each word after Fl is an option, \- a dash.
sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$man" | grep '^\.It ' | sed 's/\\-/-/g' |
	awk '{ for (i = 1; i < NF; i++) if ($i == "Fl") print "-" $(i + 1) }' | sort -u >"$tmp/man"
[ "$(wc -l <"$tmp/help")" -gt 40 ] || { echo "FAIL: read only $(wc -l <"$tmp/help") options from --help"; fail=1; }
if ! diff <(cat "$tmp/help") <(cat "$tmp/man") >"$tmp/diff"; then
	echo "FAIL: --help and $man differ (< only in --help, > only in the man page):"
	grep '^[<>]' "$tmp/diff"
	fail=1
else
	echo "ok   $(wc -l <"$tmp/help") options, the same in --help and the man page"
fi

# Signals, exit codes, files.
for sig in SIGINT SIGTERM SIGHUP SIGUSR1; do
	"$bin" --help | grep -q "$sig" || { echo "FAIL: --help does not name $sig"; fail=1; }
	sed -n '/^\.Sh SIGNALS/,/^\.Sh /p' "$man" | grep -q "$sig" || { echo "FAIL: SIGNALS lacks $sig"; fail=1; }
done
for code in 0 1 2; do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$man" | grep -qx "\.It $code" || { echo "FAIL: EXIT STATUS lacks $code"; fail=1; }
done
for f in /etc/default/hdrlog hdrlog.service /etc/logrotate.d/hdrlog /var/log/hdrlog/ bash-completion; do
	sed -n '/^\.Sh FILES/,/^\.Sh /p' "$man" | grep -q -- "$f" || { echo "FAIL: FILES lacks $f"; fail=1; }
done
[ $fail -eq 0 ] && echo ok
exit $fail
