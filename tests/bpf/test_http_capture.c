// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN: the kernel's HTTP capture (bpf/http_capture.h). With a
 * snap length set, a TCP segment that starts like HTTP makes its
 * connection an HTTP one: that segment and the later ones of the
 * connection (both directions, any content) come with a payload event
 * holding the payload's first bytes; other connections get none; message
 * starts are counted per connection by method and status class.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>

#include "bpf_harness.h"

#define SNAPLEN 64

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
	}								\
} while (0)

struct got {
	int packets, payloads;
	struct hdrlog_payload_event pev;
	__u8 data[SNAPLEN];
	size_t size;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	const struct hdrlog_payload_event *ev = data;

	if (ev->kind == HDRLOG_EV_PACKET) {
		g->packets++;
	} else if (ev->kind == HDRLOG_EV_PAYLOAD && size >= sizeof(*ev)) {
		g->payloads++;
		g->size = size;
		g->pev = *ev;
		memcpy(g->data, ev->data, size - sizeof(*ev) < SNAPLEN ?
					  size - sizeof(*ev) : SNAPLEN);
	}
	return 0;
}

/* An Ethernet/IPv4/TCP frame from 198.18.0.1:port_a to 198.18.0.2:port_b
 * (reversed when back), with payload. Returns its length. */
static __u32 frame(__u8 *buf, __u16 port_a, __u16 port_b, bool back,
		   const char *payload, __u32 seq)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	size_t n = strlen(payload);

	memset(buf, 0, sizeof(*eth) + sizeof(*ip) + sizeof(*tcp));
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*tcp) + n);
	ip->saddr = htonl(back ? 0xc6120002 : 0xc6120001);
	ip->daddr = htonl(back ? 0xc6120001 : 0xc6120002);
	tcp->source = htons(back ? port_b : port_a);
	tcp->dest = htons(back ? port_a : port_b);
	tcp->seq = htonl(seq);
	tcp->doff = 5;
	tcp->ack = 1;
	memcpy(tcp + 1, payload, n);
	return sizeof(*eth) + sizeof(*ip) + sizeof(*tcp) + n;
}

static void run(struct hdrlog_bpf *skel, struct ring_buffer *rb, struct got *g,
		const __u8 *buf, __u32 len)
{
	struct __sk_buff skb = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = len,
		    .ctx_in = &skb, .ctx_size_in = sizeof(skb), .repeat = 1);
	int err;

	memset(g, 0, sizeof(*g));
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.hdrlog_tc_egress),
				     &opts);
	CHECK(!err && opts.retval == (__u32)TC_ACT_UNSPEC, "test run: %d retval %u",
	      err, opts.retval);
	ring_buffer__consume(rb);
}

static struct hdrlog_http_counts counts_of(struct hdrlog_bpf *skel,
					   __u16 port_a, __u16 port_b)
{
	struct hdrlog_http_counts v = { 0 };
	struct hdrlog_conn_key k = { 0 };

	k.addr[0][0] = 198; k.addr[0][1] = 18; k.addr[0][3] = 1;
	k.addr[1][0] = 198; k.addr[1][1] = 18; k.addr[1][3] = 2;
	k.port[0] = port_a;
	k.port[1] = port_b;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.http_flows), &k, &v))
		v.requests[0] = ~0ULL; /* absent */
	return v;
}

int main(void)
{
	static const char req[] = "GET /index.html HTTP/1.1\r\nHost: 198.18.0.2\r\n"
				  "User-Agent: test\r\nAccept: */*\r\n\r\n";
	struct hdrlog_http_counts counts;
	struct ring_buffer *rb = NULL;
	struct hdrlog_bpf *skel;
	struct got g;
	__u8 buf[512];
	__u32 len;
	int err;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return HARNESS_SKIP;
	}
	libbpf_set_print(harness_libbpf_print);
	skel = hdrlog_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->targ_http_snaplen = SNAPLEN;
	err = hdrlog_bpf__load(skel);
	if (err) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		hdrlog_bpf__destroy(skel);
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &g, NULL);
	if (!rb) {
		hdrlog_bpf__destroy(skel);
		return 1;
	}

	/* a request: packet + payload event, the first SNAPLEN bytes */
	len = frame(buf, 40000, 8080, false, req, 1000);
	run(skel, rb, &g, buf, len);
	CHECK(g.packets == 1 && g.payloads == 1, "request: %d packets, %d payloads",
	      g.packets, g.payloads);
	CHECK(g.size == sizeof(struct hdrlog_payload_event) + SNAPLEN,
	      "event size %zu", g.size);
	CHECK(g.pev.caplen == SNAPLEN, "caplen %u", g.pev.caplen);
	CHECK(g.pev.h.payload_len == strlen(req), "payload_len %u", g.pev.h.payload_len);
	CHECK(g.pev.h.tcp_seq == 1000 && g.pev.h.sport == 40000, "headers");
	CHECK(!memcmp(g.data, req, SNAPLEN), "payload bytes differ");

	/* the connection is HTTP now: the response and a body segment too */
	len = frame(buf, 40000, 8080, true, "HTTP/1.1 404 Not Found\r\n\r\n", 7000);
	run(skel, rb, &g, buf, len);
	CHECK(g.payloads == 1, "response: %d payloads", g.payloads);
	len = frame(buf, 40000, 8080, true, "abc", 7100);
	run(skel, rb, &g, buf, len);
	CHECK(g.payloads == 1 && g.pev.caplen == 3 && !memcmp(g.data, "abc", 3),
	      "body segment: %d payloads, caplen %u", g.payloads, g.pev.caplen);
	counts = counts_of(skel, 40000, 8080); /* .1 sorts first */
	CHECK(counts.requests[HDRLOG_HTTP_GET] == 1, "GET count %llu",
	      (unsigned long long)counts.requests[HDRLOG_HTTP_GET]);
	CHECK(counts.responses[4] == 1, "4xx count %llu",
	      (unsigned long long)counts.responses[4]);

	/* another connection that does not start like HTTP: no payload */
	len = frame(buf, 40001, 8080, false, "SSH-2.0-x\r\n", 1);
	run(skel, rb, &g, buf, len);
	CHECK(g.packets == 1 && g.payloads == 0, "not http: %d packets, %d payloads",
	      g.packets, g.payloads);
	CHECK(counts_of(skel, 40001, 8080).requests[0] == ~0ULL,
	      "non-HTTP connection in http_flows");

	ring_buffer__free(rb);
	hdrlog_bpf__destroy(skel);
	if (failures)
		return 1;
	printf("PASS: HTTP payload capture\n");
	return 0;
}
