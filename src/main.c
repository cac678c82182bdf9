// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdrlog: log network header elements with eBPF, live or from a capture.
 * Puts the parts together: the settings, the output and its exporters, a
 * source, the pipeline, and the loop that runs them. */
#include <errno.h>
#include <stdio.h>

#include "api/api.h"
#include "capture/live.h"
#include "capture/pcap.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "metrics/metrics_http.h"
#include "output/output.h"
#include "output/sink_alertmanager.h"
#include "output/sink_clickhouse.h"
#include "output/sink_loki.h"
#include "output/sink_syslog.h"
#include "pipeline/pipeline.h"
#include "pipeline/run.h"
#include "util/log.h"
#include "util/privilege.h"
#include "web/web_http.h"
#include "web/web_store.h"

#define EXIT_USAGE 2

/* Adds *s, opened with result err, to the output and the metrics. */
static int add_sink(struct output *out, struct sink *const *s, int err)
{
	if (err)
		return err;
	output_add_sink(out, *s);
	metrics_add_sink((*s)->name, &(*s)->n);
	return 0;
}

/* The sinks and the metrics server the options ask for. Returns 0 or
 * -errno (-EINVAL: a bad URL or address), with a message printed. */
static int open_exporters(const struct config *cfg, struct output *out,
			  struct metrics_server **metrics)
{
	struct sink *s = NULL;
	int err = 0;

	metrics_add_sink(out->path ? "file" : "stdout", &out->n);
	if (cfg->loki.url)
		err = add_sink(out, &s, sink_loki_open(&cfg->loki, &s));
	if (!err && cfg->clickhouse.url)
		err = add_sink(out, &s, sink_clickhouse_open(&cfg->clickhouse, &s));
	if (!err && cfg->syslog.url)
		err = add_sink(out, &s, sink_syslog_open(&cfg->syslog, &s));
	if (!err && cfg->alertmanager.url)
		err = add_sink(out, &s, sink_alertmanager_open(&cfg->alertmanager, &s));
	if (err)
		return err;
	if (cfg->metrics_addr)
		return metrics_server_start(cfg->metrics_addr, metrics);
	return 0;
}

/* An interface or a capture that cannot be used is bad input. */
static int open_source(struct config *cfg, struct source **src)
{
	int err = cfg->read_path ? pcap_source_open(cfg, &cfg->sel, src)
				 : live_open(cfg, &cfg->sel, src);

	if (!err)
		return 0;
	return err == -EINVAL || err == -ENODEV || err == -ENOENT ||
			       err == -EPROTONOSUPPORT
		       ? EXIT_USAGE : 1;
}

/* privilege_needs' bpf_call: the source's counters, one bpf() call live. */
static int read_kernel_stats(void *ctx)
{
	struct source *src = ctx;
	__u64 kernel[HDRLOG_STAT__MAX];

	return src->ops->read_stats(src, kernel, NULL);
}

/* After the source is open (programs loaded and attached): the rest runs
 * as --user, or with fewer capabilities (util/privilege.h); before any
 * thread starts and any file is written, so that every later file is the
 * user's (what tcpdump -Z does). */
static int drop_privileges(const struct config *cfg, struct source *src)
{
	struct privilege_needs need = {
		.net_admin = src->needs_net_admin,
		.bpf_call = src->live ? read_kernel_stats : NULL,
		.ctx = src,
	};
	int err = privilege_drop(cfg->user, &need);

	return !err ? 0 : err == -EINVAL ? EXIT_USAGE : 1;
}

/* --web: the store the pipeline fills and the server that shows it.
 * Returns 0 or an exit code, with a message printed. */
static int open_web(const struct config *cfg, struct source *src,
		    struct web_store **store, struct web_server **srv)
{
	int err;

	if (!cfg->web_addr)
		return 0;
	if (!(*store = web_store_new(src->epoch_off))) {
		pr_warn("out of memory\n");
		return 1;
	}
	err = web_server_start(cfg->web_addr, *store, srv);
	return !err ? 0 : err == -EINVAL ? EXIT_USAGE : 1;
}

/* Everything after the settings. Returns the exit code. */
static int log_run(struct config *cfg)
{
	struct metrics_server *metrics = NULL;
	struct web_server *web = NULL;
	struct web_store *store = NULL;
	struct api_view *api = NULL;
	struct pipeline *p = NULL;
	struct source *src = NULL;
	struct counters c = { 0 };
	struct output out = { .fd = -1 };
	bool out_open = false;
	int code;

	code = 0;
	/* the descriptions before the source: a bad one is said at once */
	if (cfg->http && (code = api_view_open(&cfg->api, !cfg->read_path, &api)))
		code = code == -EINVAL ? EXIT_USAGE : 1;
	if (!code)
		code = open_source(cfg, &src);
	if (!code)
		code = drop_privileges(cfg, src);
	if (!code) {
		code = output_open(&out, cfg->write_path, cfg->fmt) ? EXIT_USAGE : 0;
		out_open = !code;
		out.rot = cfg->rot;
		out.line_buffered = cfg->line_buffered;
	}
	if (!code && (code = open_exporters(cfg, &out, &metrics)))
		code = code == -EINVAL ? EXIT_USAGE : 1;
	if (!code)
		code = open_web(cfg, src, &store, &web);
	if (!code && !(p = pipeline_new(cfg, src, &out, &c))) {
		pr_warn("out of memory\n");
		code = 1;
	}
	if (p) {
		pipeline_set_api(p, api);
		pipeline_set_web(p, store);
	}
	if (!code)
		code = run(src, p, cfg, &out, &c);
	/* the server reads the sinks' counters: stop it first */
	metrics_server_stop(metrics);
	web_server_stop(web); /* its threads read the store */
	if (out_open)
		output_close(&out, &c);
	c.output_errors = out.errors;
	c.rotate_errors = out.rotate_errors;
	if (p)
		pipeline_summary(p, stderr);
	pipeline_free(p);
	web_store_free(store);
	api_view_free(api);
	if (src)
		src->ops->close(src);
	return code;
}

int main(int argc, char **argv)
{
	struct config cfg;
	int err, code;

	config_init(&cfg);
	err = config_parse(&cfg, argc, argv);
	if (err) {
		config_free(&cfg);
		return err > 0 ? 0 : EXIT_USAGE;
	}
	if (select_load(&cfg.sel, cfg.filter_expr)) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	log_set_level(cfg.verbosity >= 2 ? LOG_DEBUG
		      : cfg.verbosity	  ? LOG_INFO
					  : LOG_WARN);
	log_route_libbpf();
	run_signals_install();
	code = log_run(&cfg);
	config_free(&cfg);
	return code;
}
