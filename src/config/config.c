// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The settings' defaults, what options imply, and the combinations that
 * make no sense. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"

#define NS_PER_S 1000000000ULL
/* Kernel memory by mode: a ring buffer for an event per packet (or per
 * HTTP segment), a small one when only flow records travel (a few per
 * connection); 16384 flows of about 500 bytes each. Default flow mode
 * then locks about 12 MiB (docs/performance.md, "Kernel memory"). */
#define RINGBUF_EVENTS (32U << 20)
#define RINGBUF_FLOWS (4U << 20)
#define FLOW_ENTRIES_DEFAULT 16384

static int usage_error(const char *what)
{
	fprintf(stderr, "hdrlog: %s\nTry 'hdrlog --help'.\n", what);
	return -EINVAL;
}

int config_finish(struct config *c, bool packets_given, bool flows_given)
{
	if (!packets_given)
		c->packets = HDRLOG_PACKETS_NONE;
	/* flows by default; --packets all alone is the packet log it was */
	if (!flows_given)
		c->flows = c->packets != HDRLOG_PACKETS_ALL;
	if (c->api.n_specs || c->api.report)
		c->http = true; /* routes are made of HTTP transactions */
	if (c->web_addr)
		c->flow.timeline = true; /* the web view's packet timelines */
	if (c->flow.only_failed || c->flow.timeline || c->http)
		c->flows = true; /* the flow table marks and counts HTTP */
	if (!c->read_path && c->max_count && c->packets == HDRLOG_PACKETS_NONE)
		return usage_error("-c counts packet records: add --packets all or tcp-control");
	if (!c->write_path && (c->rot.size || c->rot.interval_s ||
			       c->rot.retain || c->rot.compress))
		return usage_error("--rotate-*, --retain and --compress need -w FILE");
	c->http_cfg.headers = c->http_headers;
	if (c->http && c->xdp)
		return usage_error("--http needs tc on ingress, not --hook xdp");
	if (c->http && !c->http_snaplen)
		c->http_snaplen = 1024;
	if (!c->http)
		c->http_snaplen = 0;
	if (!c->ringbuf_bytes)
		c->ringbuf_bytes = c->packets != HDRLOG_PACKETS_NONE || c->http
					   ? RINGBUF_EVENTS : RINGBUF_FLOWS;
	if (!c->flow_entries)
		c->flow_entries = FLOW_ENTRIES_DEFAULT;
	if (c->alertmanager.url)
		c->anomalies = true;
	/* the sockets are known only live; HTTP records ride on flows */
	c->attribute = !c->attr.off && !c->read_path && c->flows;
	if (c->netns && (c->n_ifaces || c->all_ifaces))
		return usage_error("--netns takes every interface of each namespace: no -i");
	if (c->netns && c->xdp)
		return usage_error("--netns needs tc on ingress, not --hook xdp");
	if (c->netns && c->tc_mode == TC_MODE_NETLINK)
		return usage_error("--netns needs tcx links (--tc-mode tcx or auto)");
	if (c->netns)
		c->tc_mode = TC_MODE_TCX; /* a link leaves with its fd, from any namespace */
	c->attr.multi_netns = c->netns != NULL;
	if (c->user && (c->all_ifaces || c->netns))
		return usage_error("-i any and --netns attach to interfaces as they appear, "
				   "which needs root: not with --user");
	if (c->all_ifaces && c->n_ifaces)
		return usage_error("-i any (--all-interfaces) takes every interface: no other -i");
	if (c->read_path && (c->n_ifaces || c->all_ifaces || c->netns))
		return usage_error("-r and -i exclude each other");
	/* a connection crossing two interfaces is a flow per hop */
	c->flow.per_iface = c->n_ifaces > 1 || c->all_ifaces || c->netns ||
			    c->n_reads > 1;
	if (c->paths)
		c->flows = true; /* paths are made of flow records */
	c->path.close_ns = c->flow.close_ns;
	c->path.ifaces = c->n_ifaces > 1 ? c->n_ifaces : c->n_reads > 1 ? c->n_reads : 0;
	if (c->paths && c->flow.only_failed)
		return usage_error("--paths joins every connection's flows: not with --only-failed");
	if (c->clickhouse.url && c->fmt != RECORD_JSON)
		return usage_error("--clickhouse-url inserts JSON records: not with -o text");
	if (!c->clickhouse.url && (c->clickhouse.credentials_file || c->clickhouse.n_tables))
		return usage_error("--clickhouse-* options need --clickhouse-url");
	return 0;
}

void config_init(struct config *c)
{
	*c = (struct config){
		.ingress = true,
		.egress = true,
		.ringbuf_bytes = 0, /* by mode: config_finish() */
		.pull_len = 256,
		.tunnel = HDRLOG_TUNNEL_CFG_DEFAULT,
		.loki = {
			.queue_records = LOKI_DEFAULT_QUEUE,
			.batch_bytes = LOKI_DEFAULT_BATCH_BYTES,
			.batch_wait_ms = LOKI_DEFAULT_BATCH_WAIT_MS,
			.drain_ms = LOKI_DEFAULT_DRAIN_MS,
		},
		.clickhouse = {
			.database = "hdrlog",
			.queue_records = CLICKHOUSE_DEFAULT_QUEUE,
			.batch_records = CLICKHOUSE_DEFAULT_BATCH_RECORDS,
			.batch_bytes = CLICKHOUSE_DEFAULT_BATCH_BYTES,
			.batch_wait_ms = CLICKHOUSE_DEFAULT_BATCH_WAIT_MS,
			.drain_ms = CLICKHOUSE_DEFAULT_DRAIN_MS,
		},
		.syslog = {
			.queue_records = SYSLOG_DEFAULT_QUEUE,
			.facility = SYSLOG_DEFAULT_FACILITY,
			.batch_wait_ms = SYSLOG_DEFAULT_BATCH_WAIT_MS,
			.drain_ms = SYSLOG_DEFAULT_DRAIN_MS,
		},
		.anomaly = { .window_ns = 60 * NS_PER_S, .scan_ports = 100,
			     .sweep_hosts = 64, .ttl_jump = 10 },
		.alertmanager = { .queue_alerts = ALERTMANAGER_DEFAULT_QUEUE,
				  .drain_ms = ALERTMANAGER_DEFAULT_DRAIN_MS },
		.path = { .max_pending = PATH_DEFAULT_MAX,
			  .topology_interval_ns = 60 * NS_PER_S },
		.flow = {
			.idle_ns = 60 * NS_PER_S,
			.attempt_ns = 5 * NS_PER_S,
			.close_ns = 5 * NS_PER_S,
			.syn = { .window_ns = 10 * NS_PER_S, .grace_ns = NS_PER_S,
				 .threshold = 100 },
		},
	};
}

void config_free(struct config *c)
{
	free(c->filter_expr);
	c->filter_expr = NULL;
	for (int i = 0; i < c->n_iface_lists; i++)
		free(c->iface_lists[i]);
	c->n_iface_lists = 0;
	for (int i = 0; i < c->n_reads; i++)
		free(c->read_names[i]);
	c->n_reads = 0;
	select_free(&c->sel);
}
