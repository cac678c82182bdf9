/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The sockets that existed before hdrlog started: their cookies from
 * sock_diag, their processes from /proc/PID/fd. */
#ifndef HDRLOG_ATTR_SOCK_SCAN_H
#define HDRLOG_ATTR_SOCK_SCAN_H

/* Adds an owner (HDRLOG_OWNER_FOUND) to the sock_owners map (owners_fd)
 * for every TCP and UDP socket of this network namespace that a process
 * holds, unless the programs noted one already, and each TCP listener to
 * bound_socks (bound_fd) for the connections it accepts. Returns how
 * many were added, or -errno. */
int sock_scan(int owners_fd, int bound_fd);

#endif
