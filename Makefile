# hdrlog — build in the libbpf-bootstrap shape: BPF object, skeleton, agent,
# all generated files under $(OUTPUT). `make` builds, `make check` tests.
OUTPUT ?= build
ARCH := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
CLANG ?= clang
BPFTOOL ?= bpftool
VERSION := 0.1.0

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Ibpf \
	-I$(OUTPUT) -DHDRLOG_VERSION=\"$(VERSION)\"
LDLIBS := -lbpf -lelf -lz -lpcap -lmicrohttpd -lcurl -lcrypto -lpthread
# -mcpu=v3: atomics that return the old value (bpf/flow_update.h)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	-Werror -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

AGENT_SRCS := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(AGENT_SRCS))
LIB_OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst src/%.c,$(OUTPUT)/asan/%.o,$(AGENT_SRCS))
HDRS := $(wildcard include/hdrlog/*.h src/*.h bpf/*.h)
TEST_HDRS := $(wildcard tests/*/*.h)
SKEL := $(OUTPUT)/hdrlog.skel.h

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/*.c))
BPF_TESTS := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests/%,$(wildcard tests/bpf/*.c))
TOOLS := $(patsubst tests/tools/%.c,$(OUTPUT)/tools/%,$(wildcard tests/tools/*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/*.c))

.PHONY: all asan tests fuzz fuzz-long check test bench demo clean deps
.DELETE_ON_ERROR:

all: $(OUTPUT)/hdrlog

$(OUTPUT) $(OUTPUT)/obj $(OUTPUT)/asan $(OUTPUT)/tests $(OUTPUT)/fuzz $(OUTPUT)/tools:
	$(Q)mkdir -p $@

$(OUTPUT)/hdrlog.bpf.o: bpf/hdrlog.bpf.c $(wildcard bpf/*.h include/hdrlog/*.h) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(OUTPUT)/hdrlog.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name hdrlog_bpf > $@

$(OUTPUT)/obj/%.o: src/%.c $(HDRS) $(SKEL) | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libhdrlog.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/hdrlog: $(OUTPUT)/obj/main.o $(OUTPUT)/libhdrlog.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The same agent with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: $(OUTPUT)/hdrlog-asan
$(OUTPUT)/asan/%.o: src/%.c $(HDRS) $(SKEL) | $(OUTPUT)/asan
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -c $< -o $@
$(OUTPUT)/hdrlog-asan: $(ASAN_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -o $@

tests: $(UNIT_TESTS) $(BPF_TESTS) $(TOOLS)
$(OUTPUT)/tests/%: tests/unit/%.c $(ASAN_OBJS) $(HDRS) $(TEST_HDRS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -Itests -Isrc $< $(filter-out $(OUTPUT)/asan/main.o,$(ASAN_OBJS)) $(LDLIBS) -lcmocka -o $@
$(OUTPUT)/tests/%: tests/bpf/%.c $(OUTPUT)/libhdrlog.a $(HDRS) $(TEST_HDRS) $(SKEL) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -Isrc $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

# Helper programs the shell tests run (tests/tools/*.c).
$(OUTPUT)/tools/%: tests/tools/%.c $(OUTPUT)/libhdrlog.a $(HDRS) | $(OUTPUT)/tools
	$(call msg,TOOL,$@)
	$(Q)$(CC) $(CFLAGS) -Isrc $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

# libFuzzer targets, built with clang and both sanitizers.
FUZZ_SRCS := $(filter-out src/main.c src/loader.c src/live.c,$(AGENT_SRCS))
fuzz: $(FUZZERS)
$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(HDRS) $(TEST_HDRS) $(SKEL) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(filter-out -Werror,$(CFLAGS)) -Werror -Isrc \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(FUZZ_SRCS) $(LDLIBS) -o $@

# Each fuzzer for FUZZ_SECONDS (default 300) on top of the seed corpus.
FUZZ_SECONDS ?= 300
fuzz-long: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do tests/fuzz/run.sh $$f $(FUZZ_SECONDS) || exit 1; done

check test: all asan tests fuzz
	$(Q)tests/run.sh

# Benchmarks: each measures its baseline in the same run, prints ratios.
$(OUTPUT)/bench:
	$(Q)mkdir -p $@
$(OUTPUT)/bench/empty.bpf.o: bench/empty.bpf.c | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUTPUT)/bench/empty.skel.h: $(OUTPUT)/bench/empty.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name empty_bpf > $@
$(OUTPUT)/bench/kernel_cost: bench/kernel_cost.c $(SKEL) $(OUTPUT)/bench/empty.skel.h $(OUTPUT)/libhdrlog.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench -Isrc $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

$(OUTPUT)/bench/flow_rate: bench/flow_rate.c $(SKEL) | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LDLIBS) -o $@

bench: all $(OUTPUT)/bench/kernel_cost $(OUTPUT)/bench/flow_rate
	$(Q)bench/run.sh

# The main job: two namespaces, a web server and a client, logged live.
demo: all
	$(Q)scripts/demo.sh

deps:
	$(Q)scripts/deps.sh

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)
