/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every setting of a run, in one struct: filled from the command line by
 * the option table (options.c), completed by config_finish(), then read
 * (never copied) by every part of the agent, each its own section.
 */
#ifndef HDRLOG_CONFIG_H
#define HDRLOG_CONFIG_H

#include <stdbool.h>
#include <linux/types.h>

#include "hdrlog/events.h" /* struct hdrlog_tunnel_cfg */
#include "api/api.h"
#include "attr/attr.h"
#include "filter/select.h"
#include "flow/flow.h"
#include "hdrlog/anomaly.h"
#include "http/http_parse.h"
#include "http/http_redact.h"
#include "output/rotate.h"
#include "path/path.h"
#include "output/sink_alertmanager.h"
#include "output/sink_clickhouse.h"
#include "output/sink_loki.h"
#include "output/sink_syslog.h"
#include "record/record.h"

#define CONFIG_MAX_IFACES 16
#define CONFIG_MAX_READS 8 /* -r captures merged into one source */
#define CONFIG_MAX_HTTP_HEADERS 64

enum tc_mode {
	TC_MODE_AUTO,	 /* tcx links where the kernel has them, else netlink */
	TC_MODE_TCX,	 /* bpf_link on tcx (Linux 6.6+) */
	TC_MODE_NETLINK, /* cls_bpf filter on a clsact qdisc */
};

struct config {
	/* capture: where packets come from */
	const char *ifaces[CONFIG_MAX_IFACES]; /* -i; none: the default route's */
	int n_ifaces;
	char *iface_lists[CONFIG_MAX_IFACES];  /* the -i a,b copies they point into */
	int n_iface_lists;
	bool all_ifaces;	       /* -i any, --all-interfaces: every one of
					* the namespace, as they come and go */
	const char *netns;	       /* --netns all|LIST: every interface of
					* those namespaces; NULL: ours only */
	const char *read_path;	       /* -r: a capture file instead (the
					* first of reads) */
	const char *read_paths[CONFIG_MAX_READS]; /* every -r, in order */
	char *read_names[CONFIG_MAX_READS];	  /* ... the interface each
						   * stands for (owned) */
	int n_reads;
	bool xdp;		       /* XDP for ingress instead of tc */
	bool ingress, egress;	       /* --direction */
	enum tc_mode tc_mode;
	unsigned long long max_count;  /* -c; 0: no limit */
	struct hdrlog_tunnel_cfg tunnel; /* --tunnels, --vxlan-ports, --geneve-port */

	/* selection: which packets */
	char *filter_expr;	       /* the words after the options, joined */
	struct selection sel;	       /* the compiled filter, --sample */

	/* records: which kinds */
	__u32 packets;		       /* enum hdrlog_packets */
	bool flows;		       /* flow records */
	struct flow_opts flow;
	struct attr_opts attr;	       /* who is talking (live) */
	bool attribute;		       /* ... on: live, with flow records */
	bool http;		       /* HTTP transaction records */
	__u32 http_snaplen;	       /* payload bytes the kernel copies */
	struct http_config http_cfg;
	const char *http_headers[CONFIG_MAX_HTTP_HEADERS];
	struct http_redact redact;     /* what HTTP records hide */
	struct api_config api;	       /* --openapi, --api-report */
	bool paths;		       /* --paths: join hops, topology records */
	struct path_opts path;
	bool anomalies;		       /* the kernel's anomaly checks */
	struct hdrlog_anomaly_opts anomaly;

	/* output */
	enum record_format fmt;
	const char *write_path;	       /* -w; NULL: stdout */
	bool line_buffered;	       /* -l: each line written at once */
	struct rotate_opts rot;
	unsigned int stats_interval;   /* seconds of the source's clock; 0: none */

	/* export */
	const char *metrics_addr;
	const char *web_addr;	  /* --web: the web view's address, or NULL */
	struct loki_opts loki;
	struct clickhouse_opts clickhouse;
	struct syslog_opts syslog;
	struct alertmanager_opts alertmanager;

	/* tuning */
	__u32 ringbuf_bytes;	       /* a power of two; 0 until config_finish() */
	__u32 flow_entries;	       /* the kernel's flow table (with flows) */
	__u32 pull_len;		       /* bytes tc makes linear before parsing */

	int verbosity;
	const char *user;	       /* --user: run as NAME after attaching */
};

/* The defaults of every setting. */
void config_init(struct config *c);

/* Fills c from the command line (options.c). Returns 0, 1 when the run is
 * done already (--help, --version: printed), or -EINVAL with the reason
 * printed. */
int config_parse(struct config *c, int argc, char **argv);

/* What the options imply (flows by default, --http and --only-failed
 * mean flows, ...) and the combinations that make no sense; packets_given
 * and flows_given: --packets and --flows were on the command line.
 * Returns 0 or -EINVAL with the reason printed. */
int config_finish(struct config *c, bool packets_given, bool flows_given);

/* Frees what c owns. */
void config_free(struct config *c);

#endif
