// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "counters.h"
#include "json.h"

void counters_add_packet(struct counters *c,
			 const struct hdrlog_packet_event *ev)
{
	c->kernel[HDRLOG_STAT_PACKETS] += ev->gso_segs;
	c->kernel[HDRLOG_STAT_BYTES] += ev->len;
	c->kernel[HDRLOG_STAT_EVENTS_TRIED]++;
	c->kernel[HDRLOG_STAT_EVENTS]++;
	c->received++;
	if (c->filtered)
		c->filter_matched++;
	if (ev->h.truncated)
		c->kernel[HDRLOG_STAT_TRUNCATED]++;
	if (ev->h.error)
		c->kernel[HDRLOG_STAT_PARSE_ERRORS]++;
}

void counters_add_rejected(struct counters *c,
			   const struct hdrlog_packet_event *ev)
{
	c->kernel[HDRLOG_STAT_PACKETS] += ev->gso_segs;
	c->kernel[HDRLOG_STAT_BYTES] += ev->len;
	c->filter_rejected++;
}

void counters_record(struct strbuf *sb, enum record_format fmt,
		     const struct counters *c, __u64 epoch_ns)
{
	const __u64 *k = c->kernel;
	char ts[RECORD_TIME_LEN];
	struct json j;

	if (fmt == RECORD_TEXT) {
		record_format_time(ts, epoch_ns);
		sb_printf(sb, "%s stats packets %llu events %llu lost %llu "
			  "missing %llu truncated %llu errors %llu\n", ts,
			  (unsigned long long)k[HDRLOG_STAT_PACKETS],
			  (unsigned long long)c->received,
			  (unsigned long long)k[HDRLOG_STAT_RINGBUF_FULL],
			  (unsigned long long)c->seq_missing,
			  (unsigned long long)k[HDRLOG_STAT_TRUNCATED],
			  (unsigned long long)k[HDRLOG_STAT_PARSE_ERRORS]);
		return;
	}
	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", epoch_ns);
	json_str(&j, "hdrlog.record", "stats");
	json_u64(&j, "hdrlog.stats.packets", k[HDRLOG_STAT_PACKETS]);
	json_u64(&j, "hdrlog.stats.bytes", k[HDRLOG_STAT_BYTES]);
	json_u64(&j, "hdrlog.stats.events_tried", k[HDRLOG_STAT_EVENTS_TRIED]);
	json_u64(&j, "hdrlog.stats.events_written", k[HDRLOG_STAT_EVENTS]);
	json_u64(&j, "hdrlog.stats.events_received", c->received);
	json_u64(&j, "hdrlog.stats.lost.ringbuf_full", k[HDRLOG_STAT_RINGBUF_FULL]);
	json_u64(&j, "hdrlog.stats.lost.seq_missing", c->seq_missing);
	json_u64(&j, "hdrlog.stats.truncated", k[HDRLOG_STAT_TRUNCATED]);
	json_u64(&j, "hdrlog.stats.parse_errors", k[HDRLOG_STAT_PARSE_ERRORS]);
	json_u64(&j, "hdrlog.stats.pull_failed", k[HDRLOG_STAT_PULL_FAILED]);
	json_u64(&j, "hdrlog.stats.http.payload_events", k[HDRLOG_STAT_HTTP_PAYLOADS]);
	json_u64(&j, "hdrlog.stats.http.flows_untracked", k[HDRLOG_STAT_HTTP_FLOWS_FULL]);
	json_u64(&j, "hdrlog.stats.skipped_link_type", c->skipped_link);
	json_u64(&j, "hdrlog.stats.output_errors", c->output_errors);
	json_u64(&j, "hdrlog.stats.filter.matched", c->filter_matched);
	json_u64(&j, "hdrlog.stats.filter.rejected", c->filter_rejected);
	json_end(&j);
	sb_putc(sb, '\n');
}

void counters_summary(FILE *fp, const struct counters *c)
{
	const __u64 *k = c->kernel;
	__u64 lost = k[HDRLOG_STAT_RINGBUF_FULL];
	__u64 tried = k[HDRLOG_STAT_EVENTS_TRIED];
	__u64 unread = tried > c->received + lost ? tried - c->received - lost : 0;

	fprintf(fp, "hdrlog: %llu packets seen, %llu events written, "
		"%llu received, %llu lost (ringbuf full %llu, sequence gaps "
		"%llu), %llu truncated, %llu parse errors",
		(unsigned long long)k[HDRLOG_STAT_PACKETS],
		(unsigned long long)k[HDRLOG_STAT_EVENTS],
		(unsigned long long)c->received, (unsigned long long)lost,
		(unsigned long long)lost, (unsigned long long)c->seq_missing,
		(unsigned long long)k[HDRLOG_STAT_TRUNCATED],
		(unsigned long long)k[HDRLOG_STAT_PARSE_ERRORS]);
	/* -c stops reading with events still queued: say so, they are not
	 * lost by the kernel */
	if (unread)
		fprintf(fp, ", %llu left unread", (unsigned long long)unread);
	if (c->skipped_link)
		fprintf(fp, ", %llu skipped (link type)",
			(unsigned long long)c->skipped_link);
	if (c->output_errors)
		fprintf(fp, ", %llu output errors",
			(unsigned long long)c->output_errors);
	if (c->filtered)
		fprintf(fp, ", filter matched %llu, not matched %llu",
			(unsigned long long)c->filter_matched,
			(unsigned long long)c->filter_rejected);
	fputc('\n', fp);
}
