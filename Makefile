# hdrlog — build in the libbpf-bootstrap shape: BPF object, skeleton, agent,
# all generated files under $(OUTPUT). `make` builds, `make check` tests.
OUTPUT ?= build
ARCH := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
CLANG ?= clang
BPFTOOL ?= bpftool
VERSION := 0.1.0

CFLAGS ?= -O2 -g
# The agent sees the ABI (include/), the headers built for both sides
# (kernel_user/), its own folders (src/) and the skeleton, never bpf/.
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Ikernel_user \
	-Isrc -I$(OUTPUT) -DHDRLOG_VERSION=\"$(VERSION)\"
# Each object records the headers it read (-MMD -MP): a changed header
# rebuilds what includes it, and only that.
DEPFLAGS = -MMD -MP
# OpenAPI descriptions: libyaml and json-c, found through pkg-config
API_PKGS := yaml-0.1 json-c
CFLAGS += $(shell pkg-config --cflags $(API_PKGS))
LDLIBS := -lbpf -lelf -lz -lpcap -lmicrohttpd -lcurl -lcrypto -lcap-ng -lmnl -lpthread -lm \
	$(shell pkg-config --libs $(API_PKGS))
# -mcpu=v3: atomics that return the old value (bpf/flow_update.h)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	-Werror -Iinclude -Ikernel_user -Ibpf -I/usr/include/$(MULTIARCH)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

AGENT_SRCS := $(wildcard src/*.c src/*/*.c)
LIB_SRCS := $(filter-out src/main.c,$(AGENT_SRCS))
# The web view's page (web/), compiled in as one generated source.
WEB_ASSETS := $(sort $(wildcard web/*.html web/*.js web/*.css))
GEN_ASSETS := $(OUTPUT)/gen/web_assets.c
LIB_OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS)) $(OUTPUT)/obj/gen/web_assets.o
ASAN_OBJS := $(patsubst src/%.c,$(OUTPUT)/asan/%.o,$(AGENT_SRCS)) $(OUTPUT)/asan/gen/web_assets.o
SKEL := $(OUTPUT)/hdrlog.skel.h
ATTR_SKEL := $(OUTPUT)/attr.skel.h

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/*.c))
BPF_TESTS := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests/%,$(wildcard tests/bpf/*.c))
TOOLS := $(patsubst tests/tools/%.c,$(OUTPUT)/tools/%,$(filter-out %.bpf.c,$(wildcard tests/tools/*.c)))
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/*.c))

.PHONY: all asan tests fuzz fuzz-long check test bench demo clean deps install uninstall
.DELETE_ON_ERROR:

all: $(OUTPUT)/hdrlog

$(OUTPUT) $(OUTPUT)/tests $(OUTPUT)/fuzz $(OUTPUT)/tools:
	$(Q)mkdir -p $@

$(OUTPUT)/hdrlog.bpf.o: bpf/hdrlog.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(SKEL): $(OUTPUT)/hdrlog.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name hdrlog_bpf > $@

# The attribution programs: an object of their own, so the packet
# programs still load where cgroup socket hooks are not allowed.
$(OUTPUT)/attr.bpf.o: bpf/attr.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ATTR_SKEL): $(OUTPUT)/attr.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name attr_bpf > $@

# Every object waits for the skeletons (order-only): loader.c includes one,
# and its .d file then makes it a real prerequisite.
$(OUTPUT)/obj/%.o: src/%.c | $(SKEL) $(ATTR_SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(GEN_ASSETS): $(WEB_ASSETS) scripts/embed_assets.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed_assets.sh $(WEB_ASSETS) >$@
$(OUTPUT)/obj/gen/%.o: $(OUTPUT)/gen/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@
$(OUTPUT)/asan/gen/%.o: $(OUTPUT)/gen/%.c
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -c $< -o $@
$(OUTPUT)/fuzzobj/gen/%.o: $(OUTPUT)/gen/%.c
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(OUTPUT)/libhdrlog.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ # anew: objects of removed sources go with it
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/hdrlog: $(OUTPUT)/obj/main.o $(OUTPUT)/libhdrlog.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The same agent with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: $(OUTPUT)/hdrlog-asan
$(OUTPUT)/asan/%.o: src/%.c | $(SKEL) $(ATTR_SKEL)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $(DEPFLAGS) -c $< -o $@
$(OUTPUT)/hdrlog-asan: $(ASAN_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ $(LDLIBS) -o $@

BPF_TOOLS := $(patsubst tests/tools/%.bpf.c,$(OUTPUT)/tools/%.bpf.o,$(wildcard tests/tools/*.bpf.c))
tests: $(UNIT_TESTS) $(BPF_TESTS) $(TOOLS) $(BPF_TOOLS)
$(OUTPUT)/tests/%: tests/unit/%.c $(ASAN_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) $(DEPFLAGS) -Itests $< $(filter-out $(OUTPUT)/asan/main.o,$(ASAN_OBJS)) $(LDLIBS) -lcmocka -o $@
$(OUTPUT)/tests/%: tests/bpf/%.c $(OUTPUT)/libhdrlog.a | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

# Helper programs the shell tests run (tests/tools/*.c).
$(OUTPUT)/tools/%: tests/tools/%.c $(OUTPUT)/libhdrlog.a | $(OUTPUT)/tools
	$(call msg,TOOL,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

# BPF programs the shell tests attach beside hdrlog's (tests/tools/*.bpf.c).
$(OUTPUT)/tools/%.bpf.o: tests/tools/%.bpf.c | $(OUTPUT)/tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# libFuzzer targets, built with clang and both sanitizers: the agent's
# sources compiled once with coverage hooks, each target linked to them.
FUZZ_SRCS := $(filter-out src/main.c src/capture/loader.c src/capture/live.c,$(AGENT_SRCS))
FUZZ_OBJS := $(patsubst src/%.c,$(OUTPUT)/fuzzobj/%.o,$(FUZZ_SRCS)) $(OUTPUT)/fuzzobj/gen/web_assets.o
.SECONDARY: $(FUZZ_OBJS) # kept: every fuzzer links them
FUZZ_CFLAGS = $(filter-out -Werror,$(CFLAGS)) -Werror -fno-sanitize-recover=all
fuzz: $(FUZZERS)
$(OUTPUT)/fuzzobj/%.o: src/%.c | $(SKEL) $(ATTR_SKEL)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		$(DEPFLAGS) -c $< -o $@
$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		$(DEPFLAGS) $< $(FUZZ_OBJS) $(LDLIBS) -o $@

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
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(OUTPUT)/bench $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

$(OUTPUT)/bench/flow_rate: bench/flow_rate.c $(SKEL) | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(LDLIBS) -o $@

$(OUTPUT)/bench/api_route: bench/api_route.c $(OUTPUT)/libhdrlog.a | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

$(OUTPUT)/bench/path_join: bench/path_join.c $(OUTPUT)/libhdrlog.a | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(OUTPUT)/libhdrlog.a $(LDLIBS) -o $@

bench: all $(OUTPUT)/bench/kernel_cost $(OUTPUT)/bench/flow_rate $(OUTPUT)/bench/api_route \
	$(OUTPUT)/bench/path_join \
	$(OUTPUT)/tests/test_anomaly_scan
	$(Q)bench/run.sh

# The main job: two namespaces, a web server and a client, logged live.
demo: all
	$(Q)scripts/demo.sh

deps:
	$(Q)scripts/deps.sh

# `make install` (PREFIX=/usr/local, DESTDIR for staging): the binary, its
# man page, the docs, bash completion, the systemd unit with its user and
# options file, the logrotate snippet. `make uninstall` removes them; an
# options file that was edited stays.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/hdrlog
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
INSTALL ?= install
DOCS := README.md $(wildcard docs/*.md)
INSTALLED := $(SBINDIR)/hdrlog $(MANDIR)/man8/hdrlog.8 \
	$(addprefix $(DOCDIR)/,$(notdir $(DOCS))) $(BASHCOMPDIR)/hdrlog \
	$(UNITDIR)/hdrlog.service $(SYSUSERSDIR)/hdrlog.conf \
	$(SYSCONFDIR)/logrotate.d/hdrlog

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -D -m 0755 $(OUTPUT)/hdrlog $(DESTDIR)$(SBINDIR)/hdrlog
	$(Q)$(INSTALL) -D -m 0644 docs/hdrlog.8 $(DESTDIR)$(MANDIR)/man8/hdrlog.8
	$(Q)$(INSTALL) -d $(DESTDIR)$(DOCDIR)
	$(Q)$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)$(INSTALL) -D -m 0644 dist/hdrlog.bash-completion $(DESTDIR)$(BASHCOMPDIR)/hdrlog
	$(Q)$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/hdrlog.service.in >$(DESTDIR)$(UNITDIR)/hdrlog.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/hdrlog.service
	$(Q)$(INSTALL) -D -m 0644 dist/hdrlog.sysusers $(DESTDIR)$(SYSUSERSDIR)/hdrlog.conf
	$(Q)$(INSTALL) -D -m 0644 dist/hdrlog.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hdrlog
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/default/hdrlog ]; then \
		echo "  KEPT     $(DESTDIR)$(SYSCONFDIR)/default/hdrlog"; \
	else \
		$(INSTALL) -D -m 0644 dist/hdrlog.default $(DESTDIR)$(SYSCONFDIR)/default/hdrlog; \
	fi
	$(Q)for f in $(INSTALLED) $(SYSCONFDIR)/default/hdrlog; do \
		printf '  %-8s %s\n' INSTALL "$(DESTDIR)$$f"; done
	$(Q)[ -n "$(DESTDIR)" ] || echo "  then:    systemd-sysusers; systemctl daemon-reload; systemctl enable --now hdrlog"

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)if cmp -s dist/hdrlog.default $(DESTDIR)$(SYSCONFDIR)/default/hdrlog; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/hdrlog; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/default/hdrlog ]; then \
		echo "  KEPT     $(DESTDIR)$(SYSCONFDIR)/default/hdrlog (edited)"; fi
	$(Q)rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
