/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HTTP on a flow, shared by the BPF programs and the offline reader (as
 * flow_update.h is): which TCP payload segments carry HTTP message starts
 * (counted by method and status class in the flow's struct
 * hdrlog_flow_http), and which segments need copying to the agent.
 *
 * Every segment that starts a message is copied; its first bytes are
 * scanned for the end of the head and a Content-Length. When the head
 * ends within them and announces a body of known length (no
 * Transfer-Encoding), the segments that lie wholly inside that body are
 * counted, not copied: the agent's reassembly steps over them as body
 * bytes (src/http/); the segment that ends the body is sent without its
 * bytes, so the agent knows the body is complete. Anything else (a head longer than the copy, a
 * chunked body, a body until close) is copied whole, and so is every
 * segment that starts like a message even inside a body, which keeps
 * HEAD, 204 and 304 responses (a Content-Length, no body) and pipelining
 * in step. No helpers, no libc: plain C on the flow value.
 */
#ifndef HDRLOG_HTTP_FLOW_H
#define HDRLOG_HTTP_FLOW_H

#include "hdrlog/events.h"
#include "hdrlog/flow.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define HDRLOG_HTTP_SNIFF_LEN 12 /* "HTTP/1.1 200": enough for every start */

/* Keeps the compiler from recomputing x after its bounds check: the BPF
 * verifier must see the check on the register that indexes. */
#define hdrlog_opaque(x) __asm__ __volatile__("" : "+r"(x))

/* What the first bytes p[0..n) of a payload start: a request (its method
 * + 1), a response (100 + status class, 100: no class digit), or nothing
 * (0). */
static __always_inline int hdrlog_http_classify(const __u8 *p, __u32 n)
{
	if (n >= 4 && p[0] == 'G' && p[1] == 'E' && p[2] == 'T' && p[3] == ' ')
		return HDRLOG_HTTP_GET + 1;
	if (n >= 5 && p[0] == 'P' && p[1] == 'O' && p[2] == 'S' && p[3] == 'T' && p[4] == ' ')
		return HDRLOG_HTTP_POST + 1;
	if (n >= 4 && p[0] == 'P' && p[1] == 'U' && p[2] == 'T' && p[3] == ' ')
		return HDRLOG_HTTP_PUT + 1;
	if (n >= 7 && p[0] == 'D' && p[1] == 'E' && p[2] == 'L' && p[3] == 'E' &&
	    p[4] == 'T' && p[5] == 'E' && p[6] == ' ')
		return HDRLOG_HTTP_DELETE + 1;
	if (n >= 5 && p[0] == 'H' && p[1] == 'E' && p[2] == 'A' && p[3] == 'D' && p[4] == ' ')
		return HDRLOG_HTTP_HEAD + 1;
	if (n >= 8 && p[0] == 'O' && p[1] == 'P' && p[2] == 'T' && p[3] == 'I' &&
	    p[4] == 'O' && p[5] == 'N' && p[6] == 'S' && p[7] == ' ')
		return HDRLOG_HTTP_OPTIONS + 1;
	if (n >= 6 && p[0] == 'P' && p[1] == 'A' && p[2] == 'T' && p[3] == 'C' &&
	    p[4] == 'H' && p[5] == ' ')
		return HDRLOG_HTTP_PATCH + 1;
	if (n >= 8 && p[0] == 'C' && p[1] == 'O' && p[2] == 'N' && p[3] == 'N' &&
	    p[4] == 'E' && p[5] == 'C' && p[6] == 'T' && p[7] == ' ')
		return HDRLOG_HTTP_CONNECT + 1;
	if (n >= 6 && p[0] == 'T' && p[1] == 'R' && p[2] == 'A' && p[3] == 'C' &&
	    p[4] == 'E' && p[5] == ' ')
		return HDRLOG_HTTP_TRACE + 1;
	if (n >= 7 && p[0] == 'H' && p[1] == 'T' && p[2] == 'T' && p[3] == 'P' &&
	    p[4] == '/' && p[5] == '1' && p[6] == '.') {
		/* "HTTP/1.x NNN": the class digit */
		if (n >= 10 && p[9] >= '1' && p[9] <= '5')
			return 100 + p[9] - '0';
		return 100;
	}
	return 0;
}

/* An extension method (RFC 9110 9.1: any token is a method) is not
 * known by its name: a segment whose first bytes could be one is read
 * further, up to HDRLOG_HTTP_EXT_LEN bytes, for a whole request line
 * (RFC 9112 3): "TOKEN SP target SP HTTP/1.D" and its line end. Its token
 * is at most HDRLOG_HTTP_TOKEN_MAX bytes, and the line must end within the
 * bytes read: a longer one is not recognised by content (it is still
 * parsed on a connection already known as HTTP). */
#define HDRLOG_HTTP_EXT_LEN 128
#define HDRLOG_HTTP_TOKEN_MAX 24

/* RFC 9110 5.6.2 tchar */
static __always_inline int hdrlog_http_tchar(__u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '!' || c == '#' || c == '$' ||
	       c == '%' || c == '&' || c == '\'' || c == '*' || c == '+' ||
	       c == '-' || c == '.' || c == '^' || c == '_' || c == '`' ||
	       c == '|' || c == '~';
}

/* Whether the sniffed bytes p[0..n) (hdrlog_http_classify() found no
 * known start) may begin an extension method's request line: a token up
 * to a space, or filling them. The cheap test before reading more. */
static __always_inline int hdrlog_http_may_extend(const __u8 *p, __u32 n)
{
	if (n < 1 || !hdrlog_http_tchar(p[0]))
		return 0;
	for (__u32 i = 1; i < HDRLOG_HTTP_SNIFF_LEN; i++) {
		if (i >= n)
			return 0; /* too short for a request line */
		if (p[i] == ' ')
			return 1;
		if (!hdrlog_http_tchar(p[i]))
			return 0;
	}
	return 1;
}

/* Byte k of "HTTP/1.D" (D a digit). */
static __always_inline int hdrlog_http_version_byte(__u32 k, __u8 c)
{
	if (k == 0)
		return c == 'H';
	if (k == 1 || k == 2)
		return c == 'T';
	if (k == 3)
		return c == 'P';
	if (k == 4)
		return c == '/';
	if (k == 5)
		return c == '1';
	if (k == 6)
		return c == '.';
	return c >= '0' && c <= '9';
}

/* Reading a request line byte by byte: "TOKEN SP target SP HTTP/1.D" CR
 * or LF. */
struct hdrlog_http_ext {
	__u32 part; /* 0: the token, 1: the target, 2: the version */
	__u32 k;    /* bytes into it */
};

/* Takes the next byte of the line: 1 once it is a whole request line, -1
 * once it cannot be one, 0 to read on. */
static __always_inline int hdrlog_http_ext_byte(struct hdrlog_http_ext *x,
						__u8 c)
{
	if (x->part >= 2) {
		if (x->k >= 8)
			return c == '\r' || c == '\n' ? 1 : -1;
		if (!hdrlog_http_version_byte(x->k, c))
			return -1;
		x->k++;
		return 0;
	}
	if (c == ' ' && x->k) {
		x->part++;
		x->k = 0;
		return 0;
	}
	if (x->part == 0 && (!hdrlog_http_tchar(c) || x->k >= HDRLOG_HTTP_TOKEN_MAX))
		return -1;
	if (x->part == 1 && (c <= ' ' || c == 0x7f))
		return -1; /* a target holds no controls, no spaces */
	x->k++;
	return 0;
}

/* Whether p[0..n) (n <= HDRLOG_HTTP_EXT_LEN) starts with a whole request
 * line. User space; the BPF side runs the same steps through a global
 * function (bpf/http_capture.h), which keeps the verifier's work small. */
static inline int hdrlog_http_extension(const __u8 *p, __u32 n)
{
	struct hdrlog_http_ext x = { 0, 0 };

	for (__u32 i = 0; i < n && i < HDRLOG_HTTP_EXT_LEN; i++) {
		int r = hdrlog_http_ext_byte(&x, p[i]);

		if (r)
			return r > 0;
	}
	return 0;
}

/* Decides for one TCP segment with payload of a flow, from direction d
 * (0: the originator): what = hdrlog_http_classify() of its first bytes.
 * A message start is counted and marks the flow as HTTP. */
static __always_inline int hdrlog_http_segment(struct hdrlog_flow_http *fh,
					       int d,
					       const struct hdrlog_headers *h,
					       int what)
{
	__u32 seq = h->tcp_seq, end = h->tcp_seq + h->payload_len;
	__u64 idx;

	d &= 1;
	if (what >= 100) {
		idx = what - 100;
		hdrlog_opaque(idx);
		if (idx < 6)
			__sync_fetch_and_add(&fh->responses[idx], 1);
	} else if (what >= 1) {
		idx = what - 1;
		hdrlog_opaque(idx);
		if (idx < HDRLOG_HTTP_METHOD__MAX)
			__sync_fetch_and_add(&fh->requests[idx], 1);
	}
	if (what) {
		fh->seen = 1;
		fh->copy[d] = HDRLOG_HTTP_COPY_ALL; /* until its head is read */
		return HDRLOG_HTTP_COPY;
	}
	if (!fh->seen)
		return HDRLOG_HTTP_IGNORE;
	if (fh->copy[d] == HDRLOG_HTTP_COPY_HEADS &&
	    (__s32)(seq - fh->body_start[d]) >= 0 &&
	    (__s32)(end - fh->body_end[d]) <= 0) {
		fh->uncopied[d] += h->payload_len;
		fh->body_uncopied[d] += h->payload_len;
		return end == fh->body_end[d] ? HDRLOG_HTTP_BODY_END
					      : HDRLOG_HTTP_SKIP;
	}
	if (fh->copy[d] == HDRLOG_HTTP_COPY_HEADS &&
	    (__s32)(seq - fh->body_end[d]) >= 0)
		fh->copy[d] = HDRLOG_HTTP_COPY_ALL; /* past the body */
	return HDRLOG_HTTP_COPY;
}

/* Decides for one TCP segment without payload: a FIN or RST of a flow
 * that carries HTTP goes to the agent (without bytes), which ends the
 * connection's messages there rather than at its idle timeout. */
static __always_inline int hdrlog_http_control(const struct hdrlog_flow_http *fh,
					       const struct hdrlog_headers *h)
{
	if (fh->seen && (h->tcp_flags & (HDRLOG_TCP_FIN | HDRLOG_TCP_RST)))
		return HDRLOG_HTTP_CLOSE;
	return HDRLOG_HTTP_IGNORE;
}

/* Reading a message head byte by byte for its end and its framing. */
struct hdrlog_http_scan {
	__u64 content_length;
	__u32 head_len;	 /* bytes of the head with its blank line; 0: not
			  * found yet */
	__u32 pos;	 /* bytes read */
	__u8 line_pos;	 /* bytes into the current line (stops at 255) */
	__u8 names;	 /* bit 0: the line may be Content-Length, bit 1:
			  * Transfer-Encoding (0 on the start line) */
	__u8 value;	 /* 1: in a Content-Length value */
	__u8 lengths;	 /* Content-Length fields seen */
	__u8 encoded;	 /* a Transfer-Encoding field was seen */
	__u8 bad;	 /* a Content-Length that is not one plain number */
	__u8 cr;	 /* the line so far is a lone CR */
	__u8 digits;	 /* in the value */
};

static __always_inline void hdrlog_http_scan_init(struct hdrlog_http_scan *s)
{
	__builtin_memset(s, 0, sizeof(*s));
}

/* The field names that frame a body, lower case. At file scope (BTF
 * names cannot hold the dot of a function's static), in .rodata by name:
 * clang would put NUL-ended bytes in a section of merged strings, which
 * libbpf does not map. */
#ifdef __bpf__
#define HDRLOG_RODATA __attribute__((section(".rodata"), unused))
#else
#define HDRLOG_RODATA __attribute__((unused))
#endif
static const __u8 hdrlog_http_cl_name[16] HDRLOG_RODATA = {
	'c', 'o', 'n', 't', 'e', 'n', 't', '-', 'l', 'e', 'n', 'g', 't', 'h', ':'
};
static const __u8 hdrlog_http_te_name[19] HDRLOG_RODATA = {
	't', 'r', 'a', 'n', 's', 'f', 'e', 'r', '-', 'e', 'n', 'c', 'o', 'd',
	'i', 'n', 'g', ':'
};

/* Matches byte c at index i of the line against the field names still
 * possible. */
static __always_inline void hdrlog_http_scan_name(struct hdrlog_http_scan *s,
						  __u32 i, __u8 c)
{
	__u8 lc = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;

	hdrlog_opaque(i);

	if ((s->names & 1) && (i >= 15 || lc != hdrlog_http_cl_name[i]))
		s->names &= ~1;
	else if ((s->names & 1) && i == 14)
		s->value = 1, s->lengths++, s->content_length = 0, s->digits = 0;
	if ((s->names & 2) && (i >= 18 || lc != hdrlog_http_te_name[i]))
		s->names &= ~2;
	else if ((s->names & 2) && i == 17)
		s->encoded = 1;
}

/* Takes the next byte of the head; returns 1 once its end is found. */
static __always_inline int hdrlog_http_scan_byte(struct hdrlog_http_scan *s,
						 __u8 c)
{
	s->pos++;
	if (c == '\n') {
		if (s->pos > 1 && (s->line_pos == 0 || s->cr)) {
			s->head_len = s->pos;
			return 1;
		}
		s->line_pos = 0;
		s->names = 3;
		s->value = 0;
		s->cr = 0;
		return 0;
	}
	s->cr = c == '\r' && s->line_pos == 0;
	if (s->value) {
		if (c >= '0' && c <= '9' && s->digits < 15) {
			s->content_length = s->content_length * 10 + (c - '0');
			s->digits++;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			s->bad = 1;
		} else if (s->digits && c != '\r') {
			s->value = 0; /* "12 3": read as 12 */
		}
	} else if (s->names) { /* 0 on the start line */
		hdrlog_http_scan_name(s, s->line_pos, c);
	}
	if (s->line_pos < 255)
		s->line_pos++;
	return 0;
}

/* Bodies passed over at most this long; the rest of a longer one is
 * copied (sequence numbers compare within 2 GiB). */
#define HDRLOG_HTTP_SKIP_MAX (1u << 30)

/* After scanning a message start's copied bytes: a body of known length
 * past them is passed over. seq: the segment's sequence number. */
static __always_inline void hdrlog_http_head_read(struct hdrlog_flow_http *fh,
						  int d, __u32 seq,
						  const struct hdrlog_http_scan *s)
{
	d &= 1;
	if (!s->head_len || s->encoded || s->bad || s->lengths != 1 ||
	    !s->digits || !s->content_length)
		return;
	fh->body_uncopied[d] = 0;
	fh->body_start[d] = seq + s->head_len;
	fh->body_end[d] = seq + s->head_len +
			  (s->content_length < HDRLOG_HTTP_SKIP_MAX ?
				   (__u32)s->content_length : HDRLOG_HTTP_SKIP_MAX);
	fh->copy[d] = HDRLOG_HTTP_COPY_HEADS;
}

#endif /* HDRLOG_HTTP_FLOW_H */
