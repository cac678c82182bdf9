// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "metrics/counters.h"
#include "hdrlog/flow.h"
#include "http/http.h"
#include "record/json.h"

__u64 counters_flows_evicted(const struct counters *c)
{
	const __u64 *k = c->kernel;
	__u64 gone = c->flows_deleted + k[HDRLOG_STAT_FLOWS_REUSED];

	/* live only (a capture's table never evicts): every entry the agent
	 * did not remove was evicted (or is still in the table, before the
	 * final sweep) */
	if (!c->live || k[HDRLOG_STAT_FLOWS_CREATED] <= gone)
		return 0;
	return k[HDRLOG_STAT_FLOWS_CREATED] - gone;
}

static __u64 short_of(__u64 counted, __u64 seen)
{
	return counted > seen ? counted - seen : 0;
}

__u64 counters_not_seen(const struct counters *c)
{
	const struct iface_report *r = &c->iface;
	__u64 n = 0;

	if (!r->known)
		return 0;
	if (r->ingress)
		n += short_of(r->rx_packets, c->kernel[HDRLOG_STAT_PACKETS_INGRESS]);
	if (r->egress)
		n += short_of(r->tx_packets, c->kernel[HDRLOG_STAT_PACKETS_EGRESS]);
	return n;
}

#define STAT_KEY(name, key, metric, help) [HDRLOG_STAT_##name] = key,
static const char *const stat_keys[HDRLOG_STAT__MAX] = {
	HDRLOG_STATS(STAT_KEY)
};
#undef STAT_KEY

__u64 counters_stat(const struct counters *c, enum hdrlog_stat k)
{
	if (k == HDRLOG_STAT_FLOWS_SUPPRESSED)
		return c->kernel[k] + c->flows_suppressed;
	return c->kernel[k];
}

/* Per sink: what waits, what went, what was given up. */
static void json_sinks(struct json *j, const struct counters *c)
{
	char key[64];

	for (int i = 0; i < c->n_sinks; i++) {
		const struct sink_report *r = &c->sinks[i];

		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.queue_depth", r->name);
		json_u64(j, key, r->queued);
		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.sent", r->name);
		json_u64(j, key, r->sent);
		snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.dropped", r->name);
		json_u64(j, key, r->dropped);
		for (int d = 0; r->queue && d < SINK_DROP__MAX; d++) {
			if (d == SINK_DROP_WRITE_FAILED)
				continue; /* stdout's and the file's only */
			snprintf(key, sizeof(key), "hdrlog.stats.sink.%s.dropped.%s",
				 r->name, sink_drop_name(d));
			json_u64(j, key, r->dropped_by[d]);
		}
	}
}

/* --paths: the join's and the graph's counts. */
static void json_paths(struct json *j, const struct counters *c)
{
	json_u64(j, "hdrlog.stats.path.records", c->path_records);
	json_u64(j, "hdrlog.stats.path.joined", c->path_joined);
	json_u64(j, "hdrlog.stats.path.pending", c->path_pending);
	json_u64(j, "hdrlog.stats.path.evicted", c->path_evicted);
	if (c->http) {
		json_u64(j, "hdrlog.stats.path.http_cut", c->path_http_cut);
		json_u64(j, "hdrlog.stats.path.http_unmatched",
			 c->path_http_unmatched);
	}
	json_u64(j, "hdrlog.stats.topology.records", c->topology_records);
	json_u64(j, "hdrlog.stats.topology.dropped", c->topology_dropped);
}

void counters_record(struct strbuf *sb, enum record_format fmt,
		     const struct counters *c, __u64 epoch_ns)
{
	const __u64 *k = c->kernel;
	char ts[RECORD_TIME_LEN], key[64];
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
	for (int i = 0; i < HDRLOG_STAT__MAX; i++) {
		snprintf(key, sizeof(key), "hdrlog.stats.%s", stat_keys[i]);
		json_u64(&j, key, counters_stat(c, i));
	}
	if (c->iface.known) {
		json_u64(&j, "hdrlog.stats.iface.rx_packets", c->iface.rx_packets);
		json_u64(&j, "hdrlog.stats.iface.tx_packets", c->iface.tx_packets);
		json_u64(&j, "hdrlog.stats.iface.rx_dropped", c->iface.rx_dropped);
		json_u64(&j, "hdrlog.stats.not_seen", counters_not_seen(c));
	}
	json_u64(&j, "hdrlog.stats.events_received", c->received);
	json_u64(&j, "hdrlog.stats.lost.seq_missing", c->seq_missing);
	json_u64(&j, "hdrlog.stats.skipped_link_type", c->skipped_link);
	json_u64(&j, "hdrlog.stats.output_errors", c->output_errors);
	json_u64(&j, "hdrlog.stats.rotate_errors", c->rotate_errors);
	json_sinks(&j, c);
	json_u64(&j, "hdrlog.stats.flows.records", c->flow_records);
	json_u64(&j, "hdrlog.stats.flows.evicted", counters_flows_evicted(c));
	json_u64(&j, "hdrlog.stats.syn.unanswered", c->syn_unanswered);
	json_u64(&j, "hdrlog.stats.syn.anomalies", c->syn_anomalies);
	json_u64(&j, "hdrlog.stats.syn.overflow", c->syn_overflow);
	json_u64(&j, "hdrlog.stats.anomaly.records", c->anomaly_records);
	if (c->paths)
		json_paths(&j, c);
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

/* The HTTP engine's line: what the records say. */
static void http_engine_summary(FILE *fp, const struct http_stats *s)
{
	fprintf(fp, "hdrlog: http: %llu transactions logged (%llu without "
		"response, %llu without request), %llu requests, %llu responses, "
		"%llu interim, %llu parse errors, %llu truncated heads, %llu "
		"non-HTTP segments, %llu gaps (%llu bytes), %llu body holes "
		"(%llu bytes, not copied), %llu connections (%llu evicted), "
		"%llu requests evicted, %llu unexpected response bytes\n",
		(unsigned long long)s->transactions,
		(unsigned long long)s->no_response,
		(unsigned long long)s->no_request,
		(unsigned long long)s->requests,
		(unsigned long long)s->responses,
		(unsigned long long)s->interim,
		(unsigned long long)s->parse_errors,
		(unsigned long long)s->truncated,
		(unsigned long long)s->not_http,
		(unsigned long long)s->gaps,
		(unsigned long long)s->gap_bytes,
		(unsigned long long)s->body_holes,
		(unsigned long long)s->body_hole_bytes,
		(unsigned long long)s->connections,
		(unsigned long long)s->evicted_conns,
		(unsigned long long)s->evicted_txns,
		(unsigned long long)s->unexpected_bytes);
}

/* The flows' part of the summary line. */
static void flows_summary(FILE *fp, const struct counters *c)
{
	const __u64 *k = c->kernel;

	fprintf(fp, ", %llu flows (%llu records, %llu suppressed, %llu evicted, "
		"%llu records lost, %llu late packets, %llu untracked packets)",
		(unsigned long long)k[HDRLOG_STAT_FLOWS_CREATED],
		(unsigned long long)c->flow_records,
		(unsigned long long)counters_stat(c, HDRLOG_STAT_FLOWS_SUPPRESSED),
		(unsigned long long)counters_flows_evicted(c),
		(unsigned long long)k[HDRLOG_STAT_FLOW_EVENTS_LOST],
		(unsigned long long)k[HDRLOG_STAT_FLOW_LATE_PACKETS],
		(unsigned long long)k[HDRLOG_STAT_FLOW_UNTRACKED]);
	if (c->syn_anomalies || c->syn_unanswered)
		fprintf(fp, ", %llu unanswered SYNs at the last sweep, %llu "
			"SYN flood anomalies",
			(unsigned long long)c->syn_unanswered,
			(unsigned long long)c->syn_anomalies);
}

/* --anomalies: what the kernel's checks found. */
static void anomaly_summary(FILE *fp, const struct counters *c)
{
	if (!c->anomaly_records && !counters_stat(c, HDRLOG_STAT_ANOMALY_PACKETS))
		return;
	fprintf(fp, ", %llu anomaly records (%llu anomalous packets, %llu "
		"events lost, %llu untracked)",
		(unsigned long long)c->anomaly_records,
		(unsigned long long)counters_stat(c, HDRLOG_STAT_ANOMALY_PACKETS),
		(unsigned long long)counters_stat(c, HDRLOG_STAT_ANOMALY_LOST),
		(unsigned long long)counters_stat(c, HDRLOG_STAT_ANOMALY_UNTRACKED));
}

/* --paths: connections joined across interfaces, the graph. */
static void paths_summary(FILE *fp, const struct counters *c)
{
	if (!c->paths)
		return;
	fprintf(fp, ", %llu paths (%llu joined over several interfaces, %llu "
		"evicted), %llu topology records",
		(unsigned long long)c->path_records,
		(unsigned long long)c->path_joined,
		(unsigned long long)c->path_evicted,
		(unsigned long long)c->topology_records);
}

/* What the interfaces counted, and what of it no program saw. */
static void iface_summary(FILE *fp, const struct counters *c)
{
	const struct iface_report *r = &c->iface;

	if (!r->known)
		return;
	fprintf(fp, ", the interfaces counted %llu in and %llu out (%llu "
		"dropped by them), %llu not seen by hdrlog",
		(unsigned long long)r->rx_packets,
		(unsigned long long)r->tx_packets,
		(unsigned long long)r->rx_dropped,
		(unsigned long long)counters_not_seen(c));
}

/* ", NAME: S sent, D dropped (queue_full Q, rejected R, ...)": the
 * reasons that counted any. */
static void sink_summary(FILE *fp, const struct sink_report *r)
{
	const char *sep = " (";

	fprintf(fp, ", %s: %llu sent, %llu dropped", r->name,
		(unsigned long long)r->sent, (unsigned long long)r->dropped);
	for (int d = 0; d < SINK_DROP__MAX; d++) {
		if (!r->dropped_by[d])
			continue;
		fprintf(fp, "%s%s %llu", sep, sink_drop_name(d),
			(unsigned long long)r->dropped_by[d]);
		sep = ", ";
	}
	if (sep[0] == ',')
		fprintf(fp, ")");
	if (r->queued)
		fprintf(fp, " (%llu still queued at exit!)",
			(unsigned long long)r->queued);
}

/* What went wrong on the way out, and the sinks past stdout/the file. */
static void output_summary(FILE *fp, const struct counters *c)
{
	if (c->skipped_link)
		fprintf(fp, ", %llu skipped (link type)",
			(unsigned long long)c->skipped_link);
	if (c->output_errors)
		fprintf(fp, ", %llu output errors",
			(unsigned long long)c->output_errors);
	if (c->rotate_errors)
		fprintf(fp, ", %llu failed rotations",
			(unsigned long long)c->rotate_errors);
	for (int i = 1; i < c->n_sinks; i++)
		sink_summary(fp, &c->sinks[i]);
}

void counters_summary(FILE *fp, const struct counters *c,
		      const struct http_stats *http)
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
	iface_summary(fp, c);
	if (c->map_bytes)
		fprintf(fp, ", BPF maps %.1f MiB", c->map_bytes / 1048576.0);
	if (c->flows)
		flows_summary(fp, c);
	anomaly_summary(fp, c);
	paths_summary(fp, c);
	if (c->filtered)
		fprintf(fp, ", filter matched %llu, not matched %llu",
			(unsigned long long)k[HDRLOG_STAT_FILTER_MATCHED],
			(unsigned long long)k[HDRLOG_STAT_FILTER_NOT_MATCHED]);
	if (c->sampled)
		fprintf(fp, ", sampled out %llu",
			(unsigned long long)k[HDRLOG_STAT_SAMPLED_OUT]);
	output_summary(fp, c);
	if (c->stopped_by)
		fprintf(fp, ", stopped by %s", c->stopped_by);
	if (c->stopped_by && c->stopped_by_pid > 0)
		fprintf(fp, " from pid %d%s%s%s", c->stopped_by_pid,
			*c->stopped_by_comm ? " (" : "", c->stopped_by_comm,
			*c->stopped_by_comm ? ")" : "");
	fputc('\n', fp);
	if (c->http)
		http_summary(fp, c);
	if (http)
		http_engine_summary(fp, http);
}
