#!/usr/bin/env bash
# test_live_tc.sh with --hook xdp: the same traffic and checks, with ingress
# events from XDP (hook "xdp", native or generic mode reported) and egress
# still from tc.
HDRLOG_TEST_HOOK=xdp
. "$(dirname "$0")/test_live_tc.sh"
