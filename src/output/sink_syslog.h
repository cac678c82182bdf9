/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --syslog udp://HOST:PORT | tcp://HOST:PORT | unix:PATH: every record as
 * an RFC 5424 message, on the sink queue (sink_queue.h):
 *
 *   <PRI>1 TIMESTAMP HOSTNAME hdrlog PID KIND - {"timestamp":...}
 *
 * APP-NAME hdrlog, MSGID the record kind (flow, http, packet, anomaly,
 * stats), no structured data, the record (JSON or text line) as MSG,
 * without a BOM: a JSON parser downstream (rsyslog's mmjsonparse) takes
 * MSG as it is. Severity info, warning for anomaly records.
 *
 * UDP (RFC 5426) and unix datagram sockets: one message per datagram.
 * TCP (RFC 6587): octet counting ("LEN SP MSG"); a line counts as sent
 * once the server's TCP acknowledged its last byte (SIOCOUTQ), so a
 * connection that breaks (the server restarts) loses nothing that was
 * only in flight: lines not acknowledged are sent again after the
 * reconnect. What syslog cannot tell: lines the server's kernel
 * acknowledged that the server never read; over UDP, datagrams lost on
 * the way (a closed port is seen through ICMP: the lines wait and are
 * sent again).
 */
#ifndef HDRLOG_SINK_SYSLOG_H
#define HDRLOG_SINK_SYSLOG_H

#include "output/sink.h"

struct syslog_opts {
	const char *url;
	unsigned long queue_records;
	int facility; /* 0-23; default 16 (local0) */
	unsigned int batch_wait_ms, drain_ms;
};

#define SYSLOG_DEFAULT_QUEUE 100000
#define SYSLOG_DEFAULT_FACILITY 16
#define SYSLOG_DEFAULT_BATCH_WAIT_MS 100
#define SYSLOG_DEFAULT_DRAIN_MS 5000

/* Returns 0 with *out set (a sink named "syslog"), or -errno with a
 * message printed (-EINVAL: a bad URL). */
int sink_syslog_open(const struct syslog_opts *opts, struct sink **out);

/* The facility number of a name (kern, user, ..., local7), or -1. */
int syslog_facility(const char *name);

#endif
