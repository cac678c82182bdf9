# clickhouse-server for the tests, started by the test itself: its config,
# users and data in a temp dir, listening on the loopback of a namespace
# the test made, stopped and removed by the test's cleanup.
#   clickhouse_start NS DIR [HTTP_PORT]  writes DIR/config.xml and
#       DIR/users.xml, starts the server in NS, waits (bounded) for /ping;
#       sets CH_PID and CH_URL
#   ch_query SQL                          runs SQL over the HTTP interface
#   clickhouse_stop                       SIGTERM, then SIGKILL
# The user "default" has no password; "hdrlog" has password "s3cret" (for
# the credentials-file test).

CH_PID=
CH_NS=
CH_URL=

clickhouse_write_config() {
	local dir=$1 port=$2
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$dir/log/server.log</log>
        <errorlog>$dir/log/error.log</errorlog>
        <console>0</console>
    </logger>
    <http_port>$port</http_port>
    <tcp_port>$((port + 1))</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>67108864</mark_cache_size>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <max_concurrent_queries>20</max_concurrent_queries>
    <timezone>UTC</timezone>
</yandex>
XML
	cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <hdrlog>
            <password>s3cret</password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </hdrlog>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

clickhouse_start() {
	local ns=$1 dir=$2 port=${3:-8123} i
	CH_NS=$ns
	CH_URL=http://127.0.0.1:$port
	[ -f "$dir/config.xml" ] || clickhouse_write_config "$dir" "$port"
	ip netns exec "$ns" clickhouse-server --config-file="$dir/config.xml" \
		>>"$dir/log/stdout" 2>&1 &
	CH_PID=$!
	# 18.16 takes a few seconds to load; bounded
	for ((i = 0; i < 600; i++)); do
		ip netns exec "$ns" curl -fs "$CH_URL/ping" >/dev/null 2>&1 && return 0
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "clickhouse-server did not answer /ping: $(tail -5 "$dir/log/error.log" "$dir/log/stdout" 2>/dev/null)" >&2
	return 1
}

# ch_query SQL [CURL ARGS]: the answer on stdout; non-zero on an error
ch_query() {
	local sql=$1; shift
	ip netns exec "$CH_NS" curl -fsS "$CH_URL/" --data-binary "$sql" "$@"
}

clickhouse_stop() {
	[ -n "$CH_PID" ] || return 0
	kill -CONT "$CH_PID" 2>/dev/null
	kill -TERM "$CH_PID" 2>/dev/null &&
		{ timeout 20 tail --pid="$CH_PID" -f /dev/null || kill -KILL "$CH_PID"; }
	wait "$CH_PID" 2>/dev/null
	CH_PID=
}
