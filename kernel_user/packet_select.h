/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Which selected packets get a packet event (--packets): the rule the BPF
 * programs and the capture reader both apply. */
#ifndef HDRLOG_PACKET_SELECT_H
#define HDRLOG_PACKET_SELECT_H

#include <stdbool.h>
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "hdrlog/events.h"

/* mode: enum hdrlog_packets. */
static __always_inline bool hdrlog_packet_wanted(__u32 mode,
						 const struct hdrlog_headers *h)
{
	if (mode == HDRLOG_PACKETS_ALL)
		return true;
	return mode == HDRLOG_PACKETS_TCP_CONTROL && (h->layers & HDRLOG_L_TCP) &&
	       (h->tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_FIN | HDRLOG_TCP_RST));
}

#endif
