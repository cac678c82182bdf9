// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "metrics/counters.h"
#include "hdrlog/flow.h"
#include "http/http_parse.h"
#include "record/json.h"

void counters_add_packet(struct counters *c,
			 const struct hdrlog_packet_event *ev)
{
	c->kernel[HDRLOG_STAT_PACKETS] += ev->gso_segs;
	c->kernel[HDRLOG_STAT_BYTES] += ev->len;
	c->kernel[HDRLOG_STAT_EVENTS_TRIED]++;
	c->kernel[HDRLOG_STAT_EVENTS]++;
	c->received++;
	if (c->filtered)
		c->kernel[HDRLOG_STAT_FILTER_MATCHED] += ev->gso_segs;
	if (ev->h.truncated)
		c->kernel[HDRLOG_STAT_TRUNCATED]++;
	if (ev->h.error)
		c->kernel[HDRLOG_STAT_PARSE_ERRORS]++;
}

void counters_add_unselected(struct counters *c,
			     const struct hdrlog_packet_event *ev,
			     enum hdrlog_stat why)
{
	c->kernel[HDRLOG_STAT_PACKETS] += ev->gso_segs;
	c->kernel[HDRLOG_STAT_BYTES] += ev->len;
	if (ev->h.truncated)
		c->kernel[HDRLOG_STAT_TRUNCATED]++;
	if (ev->h.error)
		c->kernel[HDRLOG_STAT_PARSE_ERRORS]++;
	if (why == HDRLOG_STAT_SAMPLED_OUT && c->filtered)
		c->kernel[HDRLOG_STAT_FILTER_MATCHED] += ev->gso_segs;
	c->kernel[why] += ev->gso_segs;
}

__u64 counters_flows_evicted(const struct counters *c)
{
	const __u64 *k = c->kernel;
	__u64 gone = c->flows_deleted + k[HDRLOG_STAT_FLOWS_REUSED];

	/* live only: every entry the agent did not remove was evicted (or is
	 * still in the table, before the final sweep) */
	if (!c->live || k[HDRLOG_STAT_FLOWS_CREATED] <= gone)
		return 0;
	return k[HDRLOG_STAT_FLOWS_CREATED] - gone;
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
	json_u64(&j, "hdrlog.stats.http.flows_untracked", k[HDRLOG_STAT_HTTP_UNTRACKED]);
	json_u64(&j, "hdrlog.stats.http.uncopied_segments", k[HDRLOG_STAT_HTTP_UNCOPIED]);
	json_u64(&j, "hdrlog.stats.http.uncopied_bytes", k[HDRLOG_STAT_HTTP_UNCOPIED_BYTES]);
	json_u64(&j, "hdrlog.stats.skipped_link_type", c->skipped_link);
	json_u64(&j, "hdrlog.stats.output_errors", c->output_errors);
	json_u64(&j, "hdrlog.stats.rotate_errors", c->rotate_errors);
	json_u64(&j, "hdrlog.stats.filter.matched", k[HDRLOG_STAT_FILTER_MATCHED]);
	json_u64(&j, "hdrlog.stats.filter.not_matched", k[HDRLOG_STAT_FILTER_NOT_MATCHED]);
	json_u64(&j, "hdrlog.stats.sampled_out", k[HDRLOG_STAT_SAMPLED_OUT]);
	for (int i = 0; i < c->n_sinks; i++) {
		const struct sink_report *r = &c->sinks[i];
		char key[64];

		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.queue_depth", r->name);
		json_u64(&j, key, r->queued);
		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.sent", r->name);
		json_u64(&j, key, r->sent);
		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.dropped", r->name);
		json_u64(&j, key, r->dropped);
	}
	json_u64(&j, "hdrlog.stats.flows.created", k[HDRLOG_STAT_FLOWS_CREATED]);
	json_u64(&j, "hdrlog.stats.flows.records", c->flow_records);
	json_u64(&j, "hdrlog.stats.flows.suppressed",
		 k[HDRLOG_STAT_FLOWS_SUPPRESSED] + c->flows_suppressed);
	json_u64(&j, "hdrlog.stats.flows.evicted", counters_flows_evicted(c));
	json_u64(&j, "hdrlog.stats.flows.lost", k[HDRLOG_STAT_FLOW_EVENTS_LOST]);
	json_u64(&j, "hdrlog.stats.flows.create_failed", k[HDRLOG_STAT_FLOW_CREATE_FAILED]);
	json_u64(&j, "hdrlog.stats.flows.late_packets", k[HDRLOG_STAT_FLOW_LATE_PACKETS]);
	json_u64(&j, "hdrlog.stats.flows.untracked_packets", k[HDRLOG_STAT_FLOW_UNTRACKED]);
	json_u64(&j, "hdrlog.stats.syn.unanswered", c->syn_unanswered);
	json_u64(&j, "hdrlog.stats.syn.anomalies", c->syn_anomalies);
	json_u64(&j, "hdrlog.stats.syn.overflow", c->syn_overflow);
	json_end(&j);
	sb_putc(sb, '\n');
}

void counters_add_flow_http(struct counters *c,
			    const struct hdrlog_flow_http *fh)
{
	if (!fh->seen)
		return;
	c->http_flows++;
	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++)
		c->http_requests[i] += fh->requests[i];
	for (int i = 0; i < 6; i++)
		c->http_responses[i] += fh->responses[i];
	c->http_uncopied += fh->uncopied[0] + fh->uncopied[1];
}

/* The flow table's HTTP counts: exact even when payload events were
 * lost (the HTTP engine's own line, on the records, follows). */
static void http_summary(FILE *fp, const struct counters *c)
{
	__u64 req = 0, resp = 0;

	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++)
		req += c->http_requests[i];
	for (int i = 0; i < 6; i++)
		resp += c->http_responses[i];
	fprintf(fp, "hdrlog: http (flow table): %llu request starts (",
		(unsigned long long)req);
	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++)
		fprintf(fp, "%s%s %llu", i ? ", " : "", http_method_name(i),
			(unsigned long long)c->http_requests[i]);
	fprintf(fp, "), %llu response starts (", (unsigned long long)resp);
	for (int i = 1; i < 6; i++)
		fprintf(fp, "%s %llu, ", http_status_class_name(i),
			(unsigned long long)c->http_responses[i]);
	fprintf(fp, "other %llu) in %llu flows; %llu segments (%llu bytes) "
		"of bodies counted, not copied\n",
		(unsigned long long)c->http_responses[0],
		(unsigned long long)c->http_flows,
		(unsigned long long)c->kernel[HDRLOG_STAT_HTTP_UNCOPIED],
		(unsigned long long)c->kernel[HDRLOG_STAT_HTTP_UNCOPIED_BYTES]);
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
	if (c->rotate_errors)
		fprintf(fp, ", %llu failed rotations",
			(unsigned long long)c->rotate_errors);
	if (c->flows)
		fprintf(fp, ", %llu flows (%llu records, %llu suppressed, "
			"%llu evicted, %llu records lost, %llu late packets, "
			"%llu untracked packets)",
			(unsigned long long)k[HDRLOG_STAT_FLOWS_CREATED],
			(unsigned long long)c->flow_records,
			(unsigned long long)(k[HDRLOG_STAT_FLOWS_SUPPRESSED] +
					     c->flows_suppressed),
			(unsigned long long)counters_flows_evicted(c),
			(unsigned long long)k[HDRLOG_STAT_FLOW_EVENTS_LOST],
			(unsigned long long)k[HDRLOG_STAT_FLOW_LATE_PACKETS],
			(unsigned long long)k[HDRLOG_STAT_FLOW_UNTRACKED]);
	if (c->flows && (c->syn_anomalies || c->syn_unanswered))
		fprintf(fp, ", %llu unanswered SYNs at the last sweep, %llu "
			"SYN flood anomalies",
			(unsigned long long)c->syn_unanswered,
			(unsigned long long)c->syn_anomalies);
	if (c->filtered)
		fprintf(fp, ", filter matched %llu, not matched %llu",
			(unsigned long long)k[HDRLOG_STAT_FILTER_MATCHED],
			(unsigned long long)k[HDRLOG_STAT_FILTER_NOT_MATCHED]);
	if (c->sampled)
		fprintf(fp, ", sampled out %llu",
			(unsigned long long)k[HDRLOG_STAT_SAMPLED_OUT]);
	/* the sinks besides stdout/the file, whose errors are above */
	for (int i = 1; i < c->n_sinks; i++)
		fprintf(fp, ", %s: %llu sent, %llu dropped%s", c->sinks[i].name,
			(unsigned long long)c->sinks[i].sent,
			(unsigned long long)c->sinks[i].dropped,
			c->sinks[i].queued ? " (still queued at exit!)" : "");
	fputc('\n', fp);
	if (c->http)
		http_summary(fp, c);
}
