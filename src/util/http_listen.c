// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/http_listen.h"
#include "util/log.h"

static int parse_port(const char *s, in_port_t *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

int http_listen_addr(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(addr, ':');
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (!colon) { /* a port alone: loopback */
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return parse_port(addr, &sin->sin_port);
	}
	hlen = colon - addr;
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			return -EINVAL;
		return parse_port(colon + 1, &sin6->sin6_port);
	}
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &sin->sin_port);
}

int http_listen(const char *option, const char *what, const char *addr,
		unsigned flags, unsigned conn_limit, unsigned timeout_s,
		MHD_AccessHandlerCallback handler, void *cls,
		struct MHD_Daemon **out)
{
	struct sockaddr_storage ss;
	in_port_t port;

	if (http_listen_addr(addr, &ss)) {
		pr_warn("invalid %s '%s' (HOST:PORT, [V6]:PORT or PORT)\n", option,
			addr);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ((struct sockaddr_in6 *)&ss)->sin6_port;
	} else {
		port = ((struct sockaddr_in *)&ss)->sin_port;
	}
	errno = 0;
	*out = MHD_start_daemon(flags, ntohs(port), NULL, NULL, handler, cls,
				MHD_OPTION_SOCK_ADDR, &ss,
				MHD_OPTION_CONNECTION_LIMIT,
				conn_limit ? conn_limit : FD_SETSIZE - 4,
				MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
				MHD_OPTION_END);
	if (!*out) {
		int err = errno ? -errno : -EADDRNOTAVAIL;

		pr_warn("cannot serve %s on %s: %s\n", what, addr, strerror(-err));
		return err;
	}
	return 0;
}
