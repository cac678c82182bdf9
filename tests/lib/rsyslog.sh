# rsyslogd for the tests, started by the test itself in a namespace it
# made: config, work dir, pid file and output files in a temp dir; UDP
# and TCP on that namespace's loopback, a unix datagram socket in the dir.
#   rsyslog_start NS DIR [PORT]  writes DIR/rsyslog.conf (first time),
#       starts rsyslogd -n in NS, waits (bounded) until it listens; sets
#       RS_PID. Messages go, per input, to DIR/udp.log, DIR/tcp.log and
#       DIR/unix.log, one line each: "PRI APP-NAME PROCID MSGID HOSTNAME MSG"
#   rsyslog_stop [SIGNAL]         SIGTERM (or SIGNAL), waits, SIGKILL late

RS_PID=
RS_NS=

rsyslog_write_config() {
	local dir=$1 port=$2
	mkdir -p "$dir/work"
	cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
template(name="fields" type="string"
         string="%pri% %app-name% %procid% %msgid% %hostname% %msg%\n")
ruleset(name="udp") { action(type="omfile" file="$dir/udp.log" template="fields") }
ruleset(name="tcp") { action(type="omfile" file="$dir/tcp.log" template="fields") }
ruleset(name="unix") { action(type="omfile" file="$dir/unix.log" template="fields") }
input(type="imudp" address="127.0.0.1" port="$port" ruleset="udp" rcvbufSize="16m")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="tcp")
input(type="imuxsock" Socket="$dir/log.sock" ruleset="unix"
      useSpecialParser="off" parseHostname="on" UseSysTimeStamp="off")
CONF
}

rsyslog_start() {
	local ns=$1 dir=$2 port=${3:-5514} i
	RS_NS=$ns
	[ -f "$dir/rsyslog.conf" ] || rsyslog_write_config "$dir" "$port"
	rm -f "$dir/rsyslogd.pid"
	ip netns exec "$ns" rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" \
		>>"$dir/rsyslogd.out" 2>&1 &
	RS_PID=$!
	for ((i = 0; i < 100; i++)); do
		if ip netns exec "$ns" ss -Htln "sport = :$port" | grep -q . &&
			ip netns exec "$ns" ss -Huln "sport = :$port" | grep -q . &&
			[ -S "$dir/log.sock" ]; then
			return 0
		fi
		kill -0 "$RS_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "rsyslogd did not start: $(cat "$dir/rsyslogd.out")" >&2
	return 1
}

rsyslog_stop() {
	[ -n "$RS_PID" ] || return 0
	kill -"${1:-TERM}" "$RS_PID" 2>/dev/null &&
		{ timeout 10 tail --pid="$RS_PID" -f /dev/null || kill -KILL "$RS_PID"; }
	wait "$RS_PID" 2>/dev/null
	RS_PID=
}
