// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include "flow/flow_id.h"

__u64 flow_id_of(bool v6, const __u8 addr[2][16], const __u16 port[2],
		 __u8 proto, __u8 tunnel_type, __u32 tunnel_id, __u32 iface)
{
	__u64 h = 0xcbf29ce484222325ULL;
	size_t alen = v6 ? 16 : 4;
	__u8 buf[2 * 16 + 4 + 1 + 5 + 4];
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		memcpy(buf + n, addr[i], alen);
		n += alen;
		buf[n++] = port[i] >> 8;
		buf[n++] = port[i] & 0xff;
	}
	buf[n++] = proto;
	if (tunnel_type) { /* one connection in two tunnels is two */
		buf[n++] = tunnel_type;
		memcpy(buf + n, &tunnel_id, 4);
		n += 4;
	}
	if (iface) { /* ... and on two interfaces, two hops */
		memcpy(buf + n, &iface, 4);
		n += 4;
	}
	for (size_t i = 0; i < n; i++) {
		h ^= buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

__u64 flow_key_id(const struct hdrlog_flow_key *k)
{
	__u8 addr[2][16];
	__u16 port[2] = { k->port_a, k->port_b };

	memcpy(addr[0], k->addr_a, 16);
	memcpy(addr[1], k->addr_b, 16);
	return flow_id_of(k->family == 6, (const __u8(*)[16])addr, port,
			  k->proto, k->tunnel_type, k->tunnel_id, k->iface);
}

void flow_id_str(__u64 id, char out[FLOW_ID_LEN])
{
	for (int i = 0; i < 16; i++)
		out[i] = "0123456789abcdef"[(id >> (60 - 4 * i)) & 15];
	out[16] = '\0';
}
