#!/usr/bin/env bash
# dist/hdrlog.bash-completion: `complete -p` shows it registered; compgen
# of the options offers every option of --help; values of a choice option
# (--hook, --tc-mode), every interface of /sys/class/net for -i, files for
# -r, nothing for a number, filter words after the options.
set -u
cd "${HDRLOG_ROOT:-.}"
bindir=$(cd "$(dirname "${HDRLOG_BIN:-./build/hdrlog}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/capture-one.pcap"

# complete WORD...: the completions of the last word, one line.
cat >"$tmp/run.bash" <<'EOS'
. dist/hdrlog.bash-completion
complete -p hdrlog
complete_words() {
	COMP_WORDS=(hdrlog "$@"); COMP_CWORD=$#
	_hdrlog
	echo "${COMPREPLY[*]}"
}
complete_words -
complete_words --ho
complete_words --hook ''
complete_words --tc-mode n
complete_words -i ''
complete_words -r "$TMPDIR_T/capture-o"
complete_words -c ''
complete_words --packets all t
EOS
out=$(PATH=$bindir:$PATH TMPDIR_T=$tmp bash "$tmp/run.bash") || { echo "FAIL: completion script failed"; exit 1; }
mapfile -t l <<<"$out"
fail=0
check() { # line want what
	[[ " ${l[$1]} " == *" $2 "* ]] || { echo "FAIL: $3: got '${l[$1]}'"; fail=1; }
}
[ "${l[0]}" = "complete -F _hdrlog hdrlog" ] || { echo "FAIL: complete -p: ${l[0]}"; fail=1; }
for opt in $(PATH=$bindir:$PATH hdrlog --help | sed -nE 's/^  (-[[:alnum:]]|    )(, )?(--[[:alnum:]-]+)?.*/\1 \3/p'); do
	check 1 "$opt" "option $opt not offered"
done
[ "${l[2]}" = "--hook" ] || { echo "FAIL: --ho: ${l[2]}"; fail=1; }
[ "${l[3]}" = "tc xdp" ] || { echo "FAIL: --hook values: ${l[3]}"; fail=1; }
[ "${l[4]}" = "netlink" ] || { echo "FAIL: --tc-mode n: ${l[4]}"; fail=1; }
check 5 lo "interfaces for -i"
for f in /sys/class/net/*; do check 5 "${f##*/}" "interface ${f##*/} for -i"; done
[ "${l[6]}" = "$tmp/capture-one.pcap" ] || { echo "FAIL: a file for -r: ${l[6]}"; fail=1; }
[ -z "${l[7]}" ] || { echo "FAIL: something offered for -c N: ${l[7]}"; fail=1; }
check 8 tcp "a filter word"
[ $fail -eq 0 ] && echo "ok   $(wc -w <<<"${l[1]}") options, values, interfaces, files"
exit $fail
