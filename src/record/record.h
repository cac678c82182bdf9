/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Turns events into log lines: JSON (docs/schema.md) or compact text. */
#ifndef HDRLOG_RECORD_H
#define HDRLOG_RECORD_H

#include <linux/types.h>

#include "hdrlog/events.h"
#include "record/strbuf.h"

enum record_format { RECORD_JSON, RECORD_TEXT };

/* What the agent knows about an event beyond the event itself. */
struct record_meta {
	__u64 epoch_ns;	    /* event time, ns since the Unix epoch */
	const char *ifname; /* NULL when unknown */
	const char *netns;  /* --netns: the interface's namespace, else NULL */
	const char *peer;   /* --netns: a veth's other end, else NULL */
	__u64 frame;	    /* pcap: 1-based frame number; live: 0 */
};

/* Appends one line for ev to sb, newline included. */
void record_packet(struct strbuf *sb, enum record_format fmt,
		   const struct hdrlog_packet_event *ev,
		   const struct record_meta *meta);

#define RECORD_TIME_LEN 32
/* Writes "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (RFC 3339, UTC) into buf. */
void record_format_time(char buf[RECORD_TIME_LEN], __u64 epoch_ns);

struct json;
/* Adds key with epoch_ns in record_format_time()'s form. */
void json_timestamp(struct json *j, const char *key, __u64 epoch_ns);

/* Names for enum values, for JSON and text; "unknown" when out of range. */
const char *record_hook_name(__u8 hook);
const char *record_hdr_name(__u8 hdr);
const char *record_error_name(__u8 err);
/* The IANA keyword of an IP protocol, or NULL when not one listed. */
const char *record_transport_name(__u8 proto);
/* addr (network order) as text; buf has INET6_ADDRSTRLEN bytes. */
void record_format_ip(char *buf, const __u8 *addr, int v6);
/* key: the names of the TCP flags set, in header bit order. */
void json_tcp_flags(struct json *j, const char *key, __u8 flags);

#endif
