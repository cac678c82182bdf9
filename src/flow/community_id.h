/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Community ID v1 flow hashes (github.com/corelight/community-id-spec),
 * the key that joins hdrlog's flow records with Zeek, Suricata and
 * Elastic data. */
#ifndef HDRLOG_COMMUNITY_ID_H
#define HDRLOG_COMMUNITY_ID_H

#include <stdbool.h>
#include <linux/types.h>

#define COMMUNITY_ID_LEN 32 /* "1:" + 28 base64 characters + NUL */

/* ICMP/ICMPv6 have no ports: the spec uses the type as source port and
 * the code, or for request/reply types the counterpart type, as
 * destination port. *one_way: the message has no counterpart, so the
 * endpoints are hashed in the order given. */
void community_id_icmp_ports(bool v6, __u8 type, __u8 code, __u16 *sport,
			     __u16 *dport, bool *one_way);

/* Writes "1:<base64 SHA-1>" into out. Addresses in network order (4 or 16
 * bytes by family 4/6); ports in host order, ignored for protocols other
 * than TCP, UDP, SCTP, ICMP and ICMPv6. seed: 0 unless the sites agreed on
 * another. */
void community_id_v1(int family, __u8 proto, const __u8 *saddr,
		     const __u8 *daddr, __u16 sport, __u16 dport, bool one_way,
		     __u16 seed, char out[COMMUNITY_ID_LEN]);

#endif
