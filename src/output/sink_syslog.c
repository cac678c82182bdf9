// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "output/sink_queue.h"
#include "output/sink_syslog.h"
#include "record/strbuf.h"
#include "util/log.h"

#define HEADER_MAX 400	       /* PRI, version, time, host (255), app, pid, msgid */
#define DGRAM_MAX 65507	       /* the largest UDP payload over IPv4 */
#define CONNECT_TIMEOUT_MS 2000
#define STALL_TIMEOUT_MS 10000 /* no byte written or acknowledged this long:
				* the connection is given up */
#define TCP_BATCH_BYTES (256 << 10)
#define DGRAM_BATCH_RECORDS 256

enum proto { PROTO_UDP, PROTO_TCP, PROTO_UNIX };

struct syslog_sink {
	struct sink_queue q; /* first: the queue is the syslog sink */
	enum proto proto;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char where[300]; /* for messages */
	char host[256];	 /* HOSTNAME */
	int facility;
	long pid;
	/* the queue's thread only */
	int fd;
	struct strbuf buf;
	size_t *ends; /* TCP: where each frame of buf ends */
	size_t ends_cap;
};

static const char *const facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7",
};

int syslog_facility(const char *name)
{
	for (int i = 0; i < 24; i++)
		if (!strcmp(facilities[i], name))
			return i;
	return -1;
}

/* One RFC 5424 message into sb: header, then the line as MSG. */
static void format_message(struct syslog_sink *y, struct strbuf *sb,
			   const struct sink_entry *e)
{
	const char *kind = y->q.tags[e->tag].kind;
	int severity = !strcmp(kind, "anomaly") ? 4 : 6;
	time_t sec = e->ts_ns / 1000000000ULL;
	struct tm tm;
	char ts[32];

	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	sb_printf(sb, "<%d>1 %s.%06lluZ %s hdrlog %ld %s - ",
		  y->facility * 8 + severity, ts,
		  (e->ts_ns % 1000000000ULL) / 1000, y->host, y->pid, kind);
	sb_append(sb, e->line, e->len);
}

static void disconnect(struct syslog_sink *y)
{
	if (y->fd >= 0)
		close(y->fd);
	y->fd = -1;
}

/* Waits for events on fd, at most ms. Returns revents (0: timeout). */
static short wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* Connects (nonblocking, at most CONNECT_TIMEOUT_MS). 0 or -errno. */
static int connect_sink(struct syslog_sink *y)
{
	int type = y->proto == PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int err = 0;
	socklen_t len = sizeof(err);

	y->fd = socket(y->addr.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (y->fd < 0)
		return -errno;
	if (connect(y->fd, (struct sockaddr *)&y->addr, y->addr_len) == 0)
		return 0;
	err = -errno;
	if (err == -EINPROGRESS) {
		if (!wait_fd(y->fd, POLLOUT, CONNECT_TIMEOUT_MS))
			err = -ETIMEDOUT;
		else if (getsockopt(y->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0)
			err = -err;
	}
	if (err)
		disconnect(y);
	return err;
}

/* A connection the server closed (or reset) while idle: seen before
 * writing into it, so nothing is written into a dead connection. */
static bool peer_gone(int fd)
{
	short ev = wait_fd(fd, POLLIN | POLLRDHUP, 0);
	char c;

	if (ev & (POLLRDHUP | POLLHUP | POLLERR))
		return true;
	/* a syslog server sends nothing: data or EOF both end it */
	return (ev & POLLIN) && recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

static void say(char *why, size_t len, const char *what, int err)
{
	snprintf(why, len, "%s: %s", what, strerror(-err));
}

/* UDP or unix datagram: one message per datagram. */
static enum sink_send send_dgrams(struct syslog_sink *y,
				  const struct sink_batch *b, size_t *done,
				  char *why, size_t why_len)
{
	size_t i = 0;

	for (struct sink_entry *e = b->first; e; e = e->next, i++) {
		ssize_t n;

		sb_reset(&y->buf);
		format_message(y, &y->buf, e);
		n = send(y->fd, y->buf.data, y->buf.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS) &&
		    wait_fd(y->fd, POLLOUT, 1000) & POLLOUT)
			n = send(y->fd, y->buf.data, y->buf.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			continue;
		say(why, why_len, "send", -errno);
		/* UDP: the ICMP port unreachable that made this send fail
		 * answered the datagram before it (on a LAN it comes back
		 * before the next send): that one is sent again too */
		*done = y->proto == PROTO_UDP && errno == ECONNREFUSED && i ? i - 1 : i;
		if (y->proto == PROTO_UNIX)
			disconnect(y); /* the server's socket may be new */
		return SINK_RETRY;
	}
	*done = i;
	return SINK_SENT;
}

/* TCP: the batch as octet-counted frames in buf, frame ends in ends. */
static int frame_batch(struct syslog_sink *y, const struct sink_batch *b)
{
	struct strbuf msg = { 0 };
	size_t i = 0;

	if (b->n > y->ends_cap) {
		size_t *p = realloc(y->ends, b->n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		y->ends = p;
		y->ends_cap = b->n;
	}
	sb_reset(&y->buf);
	for (struct sink_entry *e = b->first; e; e = e->next) {
		sb_reset(&msg);
		format_message(y, &msg, e);
		sb_printf(&y->buf, "%zu ", msg.len);
		sb_append(&y->buf, msg.data, msg.len);
		y->ends[i++] = y->buf.len;
	}
	sb_free(&msg);
	return 0;
}

/* Frames whose every byte the server's TCP acknowledged. */
static size_t frames_acked(const struct syslog_sink *y, size_t n, size_t acked)
{
	size_t i = 0;

	while (i < n && y->ends[i] <= acked)
		i++;
	return i;
}

/* Bytes of the first `written` the peer acknowledged (SIOCOUTQ: what is
 * still in the send queue, unsent or unacknowledged). */
static size_t bytes_acked(int fd, size_t written)
{
	int outq = 0;

	if (ioctl(fd, SIOCOUTQ, &outq) < 0 || outq < 0 || (size_t)outq > written)
		return 0;
	return written - outq;
}

/* Writes buf, then waits until the peer acknowledged all of it. Returns
 * 0 or -errno; *acked: the bytes acknowledged. */
static int write_acked(struct syslog_sink *y, size_t *acked)
{
	size_t written = 0, last_acked = 0;
	int idle_ms = 0, step = 1;

	*acked = 0;
	while (written < y->buf.len || *acked < written) {
		if (written < y->buf.len) {
			ssize_t n = send(y->fd, y->buf.data + written,
					 y->buf.len - written, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0) {
				written += n;
				idle_ms = 0;
			}
		}
		*acked = bytes_acked(y->fd, written);
		if (*acked == y->buf.len)
			return 0;
		if (*acked > last_acked) {
			last_acked = *acked;
			idle_ms = 0;
			step = 1;
		}
		if (peer_gone(y->fd))
			return -ECONNRESET;
		if (idle_ms >= STALL_TIMEOUT_MS)
			return -ETIMEDOUT;
		/* POLLOUT wakes for room; acknowledgements have no event:
		 * look again after 1, 2, 4 ... 64 ms */
		wait_fd(y->fd, written < y->buf.len ? POLLOUT : 0, step);
		idle_ms += step;
		step = step < 64 ? step * 2 : 64;
	}
	return 0;
}

static enum sink_send send_stream(struct syslog_sink *y,
				  const struct sink_batch *b, size_t *done,
				  char *why, size_t why_len)
{
	size_t acked;
	int err = frame_batch(y, b);

	if (err) {
		say(why, why_len, "framing", err);
		return SINK_RETRY;
	}
	err = write_acked(y, &acked);
	*done = frames_acked(y, b->n, acked);
	if (!err)
		return SINK_SENT;
	say(why, why_len, "connection", err);
	/* what was not acknowledged goes again, on a new connection */
	disconnect(y);
	return SINK_RETRY;
}

static enum sink_send syslog_send(struct sink_queue *q, const struct sink_batch *b,
				  size_t *done, char *why, size_t why_len)
{
	struct syslog_sink *y = (struct syslog_sink *)q;
	int err;

	*done = 0;
	if (y->fd >= 0 && y->proto == PROTO_TCP && peer_gone(y->fd))
		disconnect(y);
	if (y->fd < 0 && (err = connect_sink(y))) {
		say(why, why_len, y->where, err);
		return SINK_RETRY;
	}
	return y->proto == PROTO_TCP ? send_stream(y, b, done, why, why_len)
				     : send_dgrams(y, b, done, why, why_len);
}

static void syslog_free(struct sink_queue *q)
{
	struct syslog_sink *y = (struct syslog_sink *)q;

	disconnect(y);
	sb_free(&y->buf);
	free(y->ends);
	free(y);
}

static const struct sink_transport syslog_transport = {
	.send = syslog_send,
	.free = syslog_free,
};

/* udp://HOST:PORT, tcp://HOST:PORT ([v6] in brackets; PORT default 514)
 * or unix:PATH into y. 0 or -EINVAL with a message. */
static int parse_url(struct syslog_sink *y, const char *url)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICSERV }, *ai;
	char host[256];
	const char *rest, *port = "514", *end;
	int rc;

	if (!strncmp(url, "unix:", 5) && url[5] &&
	    strlen(url + 5) < sizeof(((struct sockaddr_un *)0)->sun_path)) {
		struct sockaddr_un *un = (struct sockaddr_un *)&y->addr;

		y->proto = PROTO_UNIX;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, url + 5);
		y->addr_len = sizeof(*un);
		snprintf(y->where, sizeof(y->where), "%s", url + 5);
		return 0;
	}
	if (!strncmp(url, "udp://", 6))
		y->proto = PROTO_UDP;
	else if (!strncmp(url, "tcp://", 6))
		y->proto = PROTO_TCP;
	else
		goto bad;
	rest = url + 6;
	if (*rest == '[') {
		end = strchr(rest, ']');
		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(end - rest - 1), rest + 1);
		if (end[1] == ':')
			port = end + 2;
	} else {
		end = strrchr(rest, ':');
		snprintf(host, sizeof(host), "%.*s",
			 (int)(end ? end - rest : (long)strlen(rest)), rest);
		if (end)
			port = end + 1;
	}
	if (!host[0] || !*port)
		goto bad;
	hints.ai_socktype = y->proto == PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		pr_warn("--syslog %s: %s\n", url, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&y->addr, ai->ai_addr, ai->ai_addrlen);
	y->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(y->where, sizeof(y->where), "%s", url + 6);
	return 0;
bad:
	pr_warn("invalid --syslog '%s' (udp://HOST:PORT, tcp://HOST:PORT or unix:PATH)\n",
		url);
	return -EINVAL;
}

int sink_syslog_open(const struct syslog_opts *opts, struct sink **out)
{
	struct syslog_sink *y = calloc(1, sizeof(*y));
	struct sink_queue_opts qo = {
		.queue_records = opts->queue_records,
		.batch_wait_ms = opts->batch_wait_ms,
		.drain_ms = opts->drain_ms,
	};
	int err;

	if (!y)
		return -ENOMEM;
	y->fd = -1;
	err = parse_url(y, opts->url);
	if (y->proto == PROTO_TCP) {
		qo.batch_bytes = TCP_BATCH_BYTES;
	} else {
		qo.batch_records = DGRAM_BATCH_RECORDS;
		qo.batch_bytes = ~(size_t)0;
		qo.max_line = DGRAM_MAX - HEADER_MAX;
	}
	sink_queue_init(&y->q, "syslog", &qo, &syslog_transport);
	y->facility = opts->facility;
	y->pid = getpid();
	if (gethostname(y->host, sizeof(y->host) - 1) || !y->host[0])
		snprintf(y->host, sizeof(y->host), "-");
	/* RFC 5424 HOSTNAME: printable US-ASCII, no space */
	for (char *p = y->host; *p; p++)
		if (*p <= ' ' || *p > '~')
			*p = '_';
	if (!err)
		err = sink_queue_start(&y->q);
	if (err) {
		sink_queue_free(&y->q);
		return err;
	}
	pr_info("syslog: sending to %s\n", opts->url);
	*out = &y->q.s;
	return 0;
}
