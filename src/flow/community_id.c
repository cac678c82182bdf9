// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "flow/community_id.h"

/* Request/reply pairs of the spec: either type maps to the other. */
static const __u8 icmp4_pairs[][2] = {
	{ 8, 0 }, { 13, 14 }, { 15, 16 }, { 10, 9 }, { 17, 18 },
};
static const __u8 icmp6_pairs[][2] = {
	{ 128, 129 }, { 133, 134 }, { 135, 136 }, { 130, 131 },
	{ 139, 140 }, { 144, 145 },
};

void community_id_icmp_ports(bool v6, __u8 type, __u8 code, __u16 *sport,
			     __u16 *dport, bool *one_way)
{
	const __u8(*pairs)[2] = v6 ? icmp6_pairs : icmp4_pairs;
	size_t n = v6 ? sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0])
		      : sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0]);

	*sport = type;
	*dport = code;
	*one_way = true;
	for (size_t i = 0; i < n; i++) {
		if (pairs[i][0] == type || pairs[i][1] == type) {
			*dport = pairs[i][0] == type ? pairs[i][1] : pairs[i][0];
			*one_way = false;
			return;
		}
	}
}

static bool has_ports(__u8 proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 1 ||
	       proto == 58;
}

void community_id_v1(int family, __u8 proto, const __u8 *saddr,
		     const __u8 *daddr, __u16 sport, __u16 dport, bool one_way,
		     __u16 seed, char out[COMMUNITY_ID_LEN])
{
	size_t alen = family == 6 ? 16 : 4, n = 0;
	unsigned char buf[2 + 16 + 16 + 2 + 4], digest[SHA_DIGEST_LENGTH];
	int c = memcmp(saddr, daddr, alen);

	/* the smaller endpoint first, so both directions hash the same */
	if (!one_way && (c > 0 || (c == 0 && sport > dport))) {
		const __u8 *ta = saddr;
		__u16 tp = sport;

		saddr = daddr;
		daddr = ta;
		sport = dport;
		dport = tp;
	}
	buf[n++] = seed >> 8;
	buf[n++] = seed & 0xff;
	memcpy(buf + n, saddr, alen);
	n += alen;
	memcpy(buf + n, daddr, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports(proto)) {
		buf[n++] = sport >> 8;
		buf[n++] = sport & 0xff;
		buf[n++] = dport >> 8;
		buf[n++] = dport & 0xff;
	}
	SHA1(buf, n, digest);
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, digest, sizeof(digest));
}
