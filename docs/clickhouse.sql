-- hdrlog tables for ClickHouse: one per record kind. Works on ClickHouse
-- 18.16 (Debian 12) and on current releases: no DateTime64, no codecs,
-- no LowCardinality, no TTL clause (see the end of this file for TTL on
-- 19.6 and later). Load it with
--   clickhouse-client --multiquery < docs/clickhouse.sql
-- or, over HTTP, one statement per request (tests/e2e/test_clickhouse.sh
-- does that). docs/clickhouse.md explains the choices.
--
-- Columns are named as the JSON keys (docs/schema.md), dots and all, so a
-- record inserts as written (FORMAT JSONEachRow). Two columns are added by
-- the sink: timestamp_ns (the nanoseconds of `timestamp`, which as a
-- DateTime holds whole seconds) and hdrlog.agent (the host name of the
-- agent that inserted the row). A key with no column is skipped on insert
-- (input_format_skip_unknown_fields=1): add a column (ALTER TABLE ... ADD
-- COLUMN) to keep it. Absent keys read as 0 or ''. Booleans are UInt8.
-- Arrays of objects (hdrlog.vlan, hdrlog.flow.timeline) are not columns.

CREATE DATABASE IF NOT EXISTS hdrlog;

-- Flow records. ORDER BY: time first at hour grain (a time range is in
-- every query), then the responder and the originator, so "flows to X",
-- failed connections by destination, top talkers and host pairs read few
-- granules within the day's partition.
CREATE TABLE IF NOT EXISTS hdrlog.flows
(
    `timestamp` DateTime,
    `timestamp_ns` UInt32,
    `hdrlog.agent` String,
    `hdrlog.record` String,
    `network.type` String,
    `source.address` String,
    `source.port` UInt16,
    `destination.address` String,
    `destination.port` UInt16,
    `network.transport` String,
    `hdrlog.ip.proto` UInt8,
    `hdrlog.flow.vlan_id` UInt16,
    `hdrlog.tunnel.type` String,
    `hdrlog.tunnel.id` UInt32,
    `hdrlog.ifindex` UInt64,
    `network.community_id` String,
    `hdrlog.flow.conn_state` String,
    `hdrlog.flow.history` String,
    `hdrlog.flow.end_reason` String,
    `hdrlog.flow.originator_seen` UInt8,
    `hdrlog.flow.direction` String,
    `hdrlog.flow.duration_ns` UInt64,
    `hdrlog.flow.end` DateTime,
    `hdrlog.flow.orig.packets` UInt64,
    `hdrlog.flow.orig.bytes` UInt64,
    `hdrlog.flow.orig.payload_bytes` UInt64,
    `hdrlog.flow.orig.ttl_min` UInt8,
    `hdrlog.flow.orig.ttl_max` UInt8,
    `hdrlog.flow.orig.tcp_flags` UInt8,
    `hdrlog.flow.orig.retransmits` UInt64,
    `hdrlog.flow.orig.out_of_order` UInt64,
    `hdrlog.flow.orig.zero_windows` UInt64,
    `hdrlog.flow.orig.gaps` UInt64,
    `hdrlog.flow.resp.packets` UInt64,
    `hdrlog.flow.resp.bytes` UInt64,
    `hdrlog.flow.resp.payload_bytes` UInt64,
    `hdrlog.flow.resp.ttl_min` UInt8,
    `hdrlog.flow.resp.ttl_max` UInt8,
    `hdrlog.flow.resp.tcp_flags` UInt8,
    `hdrlog.flow.resp.retransmits` UInt64,
    `hdrlog.flow.resp.out_of_order` UInt64,
    `hdrlog.flow.resp.zero_windows` UInt64,
    `hdrlog.flow.resp.gaps` UInt64,
    `hdrlog.icmp.type` UInt8,
    `hdrlog.icmp.code` UInt8,
    `hdrlog.flow.tcp.syn_to_synack_ns` UInt64,
    `hdrlog.flow.tcp.synack_to_ack_ns` UInt64,
    `hdrlog.flow.tcp.srtt_ns` UInt64,
    `hdrlog.flow.tcp.rtt_min_ns` UInt64,
    `hdrlog.flow.tcp.rtt_samples` UInt64,
    `hdrlog.flow.tcp.reset_by` String,
    `hdrlog.flow.tcp.fin_by` String,
    `hdrlog.flow.icmp_error.count` UInt64,
    `hdrlog.flow.icmp_error.type` UInt8,
    `hdrlog.flow.icmp_error.code` UInt8,
    `hdrlog.flow.icmp_error.reporter` String,
    `hdrlog.flow.http_transactions` UInt64,
    `hdrlog.flow.http.request_starts` UInt64,
    `hdrlog.flow.http.method.get` UInt64,
    `hdrlog.flow.http.method.post` UInt64,
    `hdrlog.flow.http.method.put` UInt64,
    `hdrlog.flow.http.method.delete` UInt64,
    `hdrlog.flow.http.method.head` UInt64,
    `hdrlog.flow.http.method.options` UInt64,
    `hdrlog.flow.http.method.patch` UInt64,
    `hdrlog.flow.http.method.connect` UInt64,
    `hdrlog.flow.http.method.trace` UInt64,
    `hdrlog.flow.http.response_starts` UInt64,
    `hdrlog.flow.http.status.1xx` UInt64,
    `hdrlog.flow.http.status.2xx` UInt64,
    `hdrlog.flow.http.status.3xx` UInt64,
    `hdrlog.flow.http.status.4xx` UInt64,
    `hdrlog.flow.http.status.5xx` UInt64,
    `hdrlog.flow.http.status.other` UInt64,
    `hdrlog.flow.http.orig_uncopied_bytes` UInt64,
    `hdrlog.flow.http.resp_uncopied_bytes` UInt64,
    `hdrlog.flow.timeline_cut` UInt64,
    -- attribution (issue 16: written once the agent attributes flows;
    -- until then '')
    `k8s.namespace.name` String,
    `k8s.pod.name` String
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (toStartOfHour(timestamp), `destination.address`, `source.address`, timestamp);

-- HTTP transactions. ORDER BY: hour, then server and route (slowest
-- routes of a service, errors of a route).
CREATE TABLE IF NOT EXISTS hdrlog.http
(
    `timestamp` DateTime,
    `timestamp_ns` UInt32,
    `hdrlog.agent` String,
    `hdrlog.record` String,
    `hdrlog.flow.id` String,
    `network.community_id` String,
    `hdrlog.http.transaction` UInt64,
    `hdrlog.http.outcome` String,
    `network.type` String,
    `hdrlog.tunnel.type` String,
    `hdrlog.tunnel.id` UInt32,
    `network.transport` String,
    `network.protocol.name` String,
    `network.protocol.version` String,
    `source.address` String,
    `source.port` UInt16,
    `destination.address` String,
    `destination.port` UInt16,
    `http.request.method` String,
    `url.path` String,
    `url.query` String,
    `server.address` String,
    `server.port` UInt16,
    `user_agent.original` String,
    `http.request.header.referer` String,
    `http.request.header.content-type` String,
    `http.request.header.content-length` UInt64,
    `http.request.header.x-request-id` String,
    `http.request.header.traceparent` String,
    `hdrlog.http.request.headers` Array(String),
    `http.request.body.size` UInt64,
    `http.response.status_code` UInt16,
    `hdrlog.http.response.reason` String,
    `http.response.header.content-type` String,
    `http.response.header.content-length` UInt64,
    `http.response.header.x-request-id` String,
    `hdrlog.http.response.headers` Array(String),
    `http.response.body.size` UInt64,
    `hdrlog.http.interim_responses` UInt64,
    `hdrlog.http.time_to_first_byte_ns` UInt64,
    `hdrlog.http.duration_ns` UInt64,
    `hdrlog.http.request.error` String,
    `hdrlog.http.response.error` String,
    `hdrlog.http.request.truncated` UInt8,
    `hdrlog.http.response.truncated` UInt8,
    `hdrlog.http.request.gap` UInt8,
    `hdrlog.http.response.gap` UInt8
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (toStartOfHour(timestamp), `server.address`, `url.path`, timestamp);

-- Packet records (--packets all|tcp-control): the biggest table; keep
-- its retention short.
CREATE TABLE IF NOT EXISTS hdrlog.packets
(
    `timestamp` DateTime,
    `timestamp_ns` UInt32,
    `hdrlog.agent` String,
    `hdrlog.record` String,
    `hdrlog.hook` String,
    `network.io.direction` String,
    `network.interface.name` String,
    `hdrlog.ifindex` UInt64,
    `hdrlog.frame` UInt64,
    `hdrlog.cpu` UInt64,
    `hdrlog.seq` UInt64,
    `hdrlog.packet.length` UInt64,
    `hdrlog.packet.captured` UInt64,
    `hdrlog.packet.segments` UInt64,
    `hdrlog.packet.gso_size` UInt16,
    `hdrlog.truncated` String,
    `hdrlog.error` String,
    `hdrlog.tunnel.type` String,
    `hdrlog.tunnel.id` UInt32,
    `hdrlog.tunnel.source_ip` String,
    `hdrlog.tunnel.destination_ip` String,
    `hdrlog.tunnel.source_port` UInt16,
    `hdrlog.tunnel.destination_port` UInt16,
    `hdrlog.eth.src` String,
    `hdrlog.eth.dst` String,
    `hdrlog.eth.type` UInt16,
    `hdrlog.arp.op` UInt16,
    `hdrlog.arp.sender_mac` String,
    `hdrlog.arp.sender_ip` String,
    `hdrlog.arp.target_mac` String,
    `hdrlog.arp.target_ip` String,
    `network.type` String,
    `source.address` String,
    `destination.address` String,
    `network.transport` String,
    `hdrlog.ip.proto` UInt8,
    `hdrlog.ip.ttl` UInt8,
    `hdrlog.ip.dscp` UInt8,
    `hdrlog.ip.ecn` UInt8,
    `hdrlog.ip.length` UInt16,
    `hdrlog.ip.header_length` UInt16,
    `hdrlog.ip.id` UInt16,
    `hdrlog.ip.df` UInt8,
    `hdrlog.ip.options` UInt8,
    `hdrlog.ip.reserved_bit` UInt8,
    `hdrlog.ip.flow_label` UInt32,
    `hdrlog.ip.ext` Array(String),
    `hdrlog.ip.mf` UInt8,
    `hdrlog.ip.fragment` UInt8,
    `hdrlog.ip.frag_offset` UInt16,
    `hdrlog.ip.frag_id` UInt32,
    `source.port` UInt16,
    `destination.port` UInt16,
    `hdrlog.tcp.flags` Array(String),
    `hdrlog.tcp.seq` UInt32,
    `hdrlog.tcp.ack` UInt32,
    `hdrlog.tcp.window` UInt16,
    `hdrlog.tcp.header_length` UInt8,
    `hdrlog.tcp.mss` UInt16,
    `hdrlog.tcp.wscale` UInt8,
    `hdrlog.tcp.sack_permitted` UInt8,
    `hdrlog.tcp.sack` UInt8,
    `hdrlog.tcp.tsval` UInt32,
    `hdrlog.tcp.tsecr` UInt32,
    `hdrlog.udp.length` UInt16,
    `hdrlog.icmp.type` UInt8,
    `hdrlog.icmp.code` UInt8,
    `hdrlog.icmp.id` UInt16,
    `hdrlog.icmp.seq` UInt16,
    `hdrlog.icmp.original.source.address` String,
    `hdrlog.icmp.original.destination.address` String,
    `hdrlog.icmp.original.proto` UInt8,
    `hdrlog.icmp.original.source.port` UInt16,
    `hdrlog.icmp.original.destination.port` UInt16,
    `hdrlog.icmp.original.id` UInt16,
    `hdrlog.payload_length` UInt16
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (toStartOfHour(timestamp), `source.address`, `destination.address`, timestamp);

-- Anomaly records (syn_flood).
CREATE TABLE IF NOT EXISTS hdrlog.anomalies
(
    `timestamp` DateTime,
    `timestamp_ns` UInt32,
    `hdrlog.agent` String,
    `hdrlog.record` String,
    `hdrlog.anomaly.kind` String,
    `network.type` String,
    `destination.address` String,
    `destination.port` UInt16,
    `hdrlog.anomaly.unanswered_syns` UInt64,
    `hdrlog.anomaly.window_s` UInt64,
    `hdrlog.anomaly.threshold` UInt64
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (timestamp, `destination.address`);

-- Stats records (--stats-interval): one agent's counters over time.
-- The per-sink counters (hdrlog.stats.sink.*) depend on the options and
-- are not columns (skipped on insert); the agent's /metrics has them.
CREATE TABLE IF NOT EXISTS hdrlog.stats
(
    `timestamp` DateTime,
    `timestamp_ns` UInt32,
    `hdrlog.agent` String,
    `hdrlog.record` String,
    `hdrlog.stats.packets` UInt64,
    `hdrlog.stats.bytes` UInt64,
    `hdrlog.stats.events_tried` UInt64,
    `hdrlog.stats.events_written` UInt64,
    `hdrlog.stats.lost.ringbuf_full` UInt64,
    `hdrlog.stats.truncated` UInt64,
    `hdrlog.stats.parse_errors` UInt64,
    `hdrlog.stats.pull_failed` UInt64,
    `hdrlog.stats.filter.matched` UInt64,
    `hdrlog.stats.filter.not_matched` UInt64,
    `hdrlog.stats.sampled_out` UInt64,
    `hdrlog.stats.flows.created` UInt64,
    `hdrlog.stats.flows.reused` UInt64,
    `hdrlog.stats.flows.ended` UInt64,
    `hdrlog.stats.flows.lost` UInt64,
    `hdrlog.stats.flows.suppressed` UInt64,
    `hdrlog.stats.flows.create_failed` UInt64,
    `hdrlog.stats.flows.late_packets` UInt64,
    `hdrlog.stats.flows.untracked_packets` UInt64,
    `hdrlog.stats.http.payload_events` UInt64,
    `hdrlog.stats.http.flows_untracked` UInt64,
    `hdrlog.stats.http.uncopied_segments` UInt64,
    `hdrlog.stats.http.uncopied_bytes` UInt64,
    `hdrlog.stats.events_received` UInt64,
    `hdrlog.stats.lost.seq_missing` UInt64,
    `hdrlog.stats.skipped_link_type` UInt64,
    `hdrlog.stats.output_errors` UInt64,
    `hdrlog.stats.rotate_errors` UInt64,
    `hdrlog.stats.flows.records` UInt64,
    `hdrlog.stats.flows.evicted` UInt64,
    `hdrlog.stats.syn.unanswered` UInt64,
    `hdrlog.stats.syn.anomalies` UInt64,
    `hdrlog.stats.syn.overflow` UInt64
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (`hdrlog.agent`, timestamp);

-- Retention. ClickHouse 18.16 has no TTL: drop whole days instead, e.g.
-- from cron (a partition is a day, dropping one is instant):
--   SELECT DISTINCT partition FROM system.parts
--   WHERE database = 'hdrlog' AND active
--     AND toDate(partition) < today() - 30;
--   ALTER TABLE hdrlog.flows DROP PARTITION '2026-11-01';
-- ClickHouse 19.6 and later: let the server do it (run once per table,
-- not on 18.16, which answers "Syntax error"):
--   ALTER TABLE hdrlog.flows MODIFY TTL timestamp + INTERVAL 30 DAY;
--   ALTER TABLE hdrlog.http MODIFY TTL timestamp + INTERVAL 30 DAY;
--   ALTER TABLE hdrlog.packets MODIFY TTL timestamp + INTERVAL 3 DAY;
--   ALTER TABLE hdrlog.anomalies MODIFY TTL timestamp + INTERVAL 90 DAY;
--   ALTER TABLE hdrlog.stats MODIFY TTL timestamp + INTERVAL 90 DAY;
