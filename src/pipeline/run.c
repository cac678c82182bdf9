// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/run.h"
#include "util/log.h"

#define POLL_MS 100 /* at most this late for signals and time passing */
#define REFRESH_NS 100000000ULL	 /* metrics brought up to date this often */
#define PROGRESS_NS 1000000000ULL /* the progress line's update */

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_sender; /* its pid: who stopped us */
static volatile sig_atomic_t dump_stats;
static volatile sig_atomic_t reopen_output;

static void on_stop(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	stop_sender = si ? si->si_pid : 0;
	stop_signal = sig;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump_stats = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reopen_output = 1;
}

void run_signals_install(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* a closed pipe is an error to handle (detach first), not a death */
	signal(SIGPIPE, SIG_IGN);
}

static __u64 wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Who sent the stop signal, for the summary: a run someone else's kill
 * stopped early says so (its counts are short, not lost). */
static void note_sender(struct counters *c, int pid)
{
	char path[32];
	FILE *fp;

	c->stopped_by_pid = pid;
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((fp = fopen(path, "r"))) {
		if (fgets(c->stopped_by_comm, sizeof(c->stopped_by_comm), fp))
			c->stopped_by_comm[strcspn(c->stopped_by_comm, "\n")] = 0;
		fclose(fp);
	}
}

/* Reading a file with stderr on a terminal: where it is, and how fast. */
struct progress {
	bool on;
	bool shown;
	__u64 start_ns, next_ns;
};

static void progress_show(struct progress *pg, struct source *src)
{
	struct source_progress pr;
	__u64 now = wall_ns();
	double secs;

	if (!pg->on || now < pg->next_ns || !src->ops->progress)
		return;
	src->ops->progress(src, &pr);
	pg->next_ns = now + PROGRESS_NS;
	secs = (now - pg->start_ns) / 1e9;
	fprintf(stderr, "\rhdrlog: %s: %llu packets, %.1f MB", pr.name,
		(unsigned long long)pr.packets, pr.bytes / 1e6);
	if (pr.size)
		fprintf(stderr, " of %.1f MB (%.0f%%)", pr.size / 1e6,
			100.0 * pr.bytes / pr.size);
	fprintf(stderr, ", %.0f packets/s\033[K", secs > 0 ? pr.packets / secs : 0);
	pg->shown = true;
}

static void progress_clear(struct progress *pg)
{
	if (pg->shown)
		fputs("\r\033[K", stderr);
}

/* What the loop does between two polls. Returns 0 or an output error. */
static int upkeep(struct source *src, struct pipeline *p,
		  const struct config *cfg, struct output *out, __u64 *refresh)
{
	int err = pipeline_tick(p, src->ops->now(src));

	if (!err && dump_stats) {
		dump_stats = 0;
		err = pipeline_stats(p);
		if (!err)
			err = pipeline_api_report(p);
	}
	if (reopen_output) {
		reopen_output = 0;
		output_reopen(out);
		if (src->ops->reload)
			src->ops->reload(src);
	}
	if (!err)
		err = pipeline_flush(p);
	output_tick(out);
	if (cfg->metrics_addr && wall_ns() >= *refresh) {
		*refresh = wall_ns() + REFRESH_NS;
		pipeline_refresh(p);
	}
	return err;
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* The exit code for how the run ended: rc from the source (0 or -errno)
 * and the first output error. */
static int exit_code(int rc, int out_err)
{
	if (out_err)
		return out_err == -EPIPE ? 0 : 1; /* EPIPE: the reader left */
	if (rc < 0)
		return rc == -EINVAL ? 2 : 1;
	return 0;
}

int run(struct source *src, struct pipeline *p, const struct config *cfg,
	struct output *out, struct counters *c)
{
	/* a read over in a second needs no progress line */
	struct progress pg = { .on = isatty(STDERR_FILENO), .start_ns = wall_ns(),
			       .next_ns = wall_ns() + PROGRESS_NS };
	__u64 refresh = 0;
	bool drain;
	int rc = 0;

	while (!stop_signal) {
		rc = src->ops->poll(src, p, POLL_MS);
		if (rc == 0)
			rc = upkeep(src, p, cfg, out, &refresh);
		if (rc)
			break;
		progress_show(&pg, src);
	}
	progress_clear(&pg);
	if (stop_signal) {
		c->stopped_by = signal_name(stop_signal);
		note_sender(c, stop_sender);
	}
	/* after -c, what is still queued stays unread; after an output
	 * error, nothing more can be written */
	drain = rc != SOURCE_ENOUGH && !pipeline_error(p);
	if (src->ops->stop)
		src->ops->stop(src, p, drain);
	pipeline_finish(p, drain && !pipeline_error(p));
	return exit_code(rc > 0 ? 0 : rc, pipeline_error(p));
}
