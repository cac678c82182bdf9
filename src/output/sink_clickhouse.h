/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --clickhouse-url: inserts every record into ClickHouse over its HTTP
 * interface (INSERT INTO DB.TABLE FORMAT JSONEachRow, gzip), one table
 * per record kind, on the sink queue (sink_queue.h) with batches of one
 * kind each. Each row is the JSON line as written plus "timestamp_ns",
 * the nanoseconds of its timestamp: the DateTime column `timestamp`
 * (parsed by the server, date_time_input_format=best_effort) holds whole
 * seconds on every server version, ClickHouse 18.16 included. Keys the
 * table has no column for are skipped (input_format_skip_unknown_fields),
 * so a newer agent inserts into an older table. docs/clickhouse.md.
 */
#ifndef HDRLOG_SINK_CLICKHOUSE_H
#define HDRLOG_SINK_CLICKHOUSE_H

#include <stddef.h>

#include "output/sink.h"

#define CLICKHOUSE_MAX_TABLES 16

struct clickhouse_opts {
	const char *url;	      /* http(s)://HOST:PORT[/path] */
	const char *database;	      /* default "hdrlog" */
	const char *credentials_file; /* "USER:PASSWORD" on its first line; NULL: none */
	/* --clickhouse-table KIND=TABLE, the defaults otherwise (flow=flows,
	 * http=http, packet=packets, anomaly=anomalies, stats=stats; another
	 * kind: a table named as the kind) */
	const char *tables[CLICKHOUSE_MAX_TABLES];
	int n_tables;
	unsigned long queue_records;
	size_t batch_records, batch_bytes;
	unsigned int batch_wait_ms, drain_ms;
};

#define CLICKHOUSE_DEFAULT_QUEUE 100000
#define CLICKHOUSE_DEFAULT_BATCH_RECORDS 50000
#define CLICKHOUSE_DEFAULT_BATCH_BYTES (16 << 20)
/* ClickHouse wants few big inserts (a part per insert, merged later) */
#define CLICKHOUSE_DEFAULT_BATCH_WAIT_MS 1000
#define CLICKHOUSE_DEFAULT_DRAIN_MS 5000

/* Returns 0 with *out set (a sink named "clickhouse"), or -errno with a
 * message printed (-EINVAL: a bad URL, table or credentials file). */
int sink_clickhouse_open(const struct clickhouse_opts *opts, struct sink **out);

#endif
