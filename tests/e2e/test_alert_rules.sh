#!/usr/bin/env bash
# docs/alerts.yml: valid rules (promtool check rules), and its unit tests
# (promtool test rules docs/alerts_test.yml): every rule fires on the
# series it is for, with its labels and annotations, and stays silent on
# the series just under it. The metric names the rules use are ones
# hdrlog exports (docs/metrics.md).
set -u
command -v promtool >/dev/null || { echo "SKIP: promtool missing (prometheus, scripts/deps.sh)"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
promtool check rules docs/alerts.yml || fail "promtool check rules"
(cd docs && promtool test rules alerts_test.yml) || fail "promtool test rules"
for m in $(grep -o 'hdrlog_[a-z_]*' docs/alerts.yml | sort -u); do
	grep -q "^| \`$m\`" docs/metrics.md || fail "$m: not a metric of docs/metrics.md"
done
echo PASS
