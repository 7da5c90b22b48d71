# takedown: plain GNU make + pkg-config.  See README "Building".
#
#   make                  release build in build/release/
#   make MODE=asan        debug build with AddressSanitizer + UBSan
#   make MODE=fuzz fuzz   clang libFuzzer targets in build/fuzz/
#   make check            unit + end-to-end tests, closing "N passed, N failed"
#   make compile_commands.json

MODE     ?= release
PREFIX   ?= /usr/local
VERSION  := $(shell cat VERSION)
PKGS     := gmime-3.0 libidn2 libpsl jansson libcrypto libcares libcurl sqlite3
B        := build/$(MODE)
Q        := $(if $(V),,@)

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wpointer-arith -Wformat=2 -Wno-unused-parameter
ifneq ($(WERROR),0)
WARN += -Werror
endif

BASE := -std=c17 -D_GNU_SOURCE -DTD_VERSION='"$(VERSION)"' -Isrc/lib -MMD -MP

ifeq ($(MODE),release)
CC      ?= cc
OPT     := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
LDOPT   :=
else ifeq ($(MODE),asan)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
LDOPT   := -fsanitize=address,undefined
else ifeq ($(MODE),fuzz)
CC      := clang
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	   -DTD_FUZZING
LDOPT   := -fsanitize=address,undefined
else ifeq ($(MODE),torture)
# allocation-failure torture (tests/torture): built like asan, own folder
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
LDOPT   := -fsanitize=address,undefined
else
$(error MODE must be release, asan, fuzz or torture)
endif

CFLAGS_ALL  = $(BASE) $(WARN) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(LDOPT) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/lib/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
# helper programs for tests and benchmarks (store fillers...), each one file
TOOL_SRC := $(sort $(wildcard tests/tools/*.c bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/replay_%)
TOOL_BIN := $(patsubst %.c,$(B)/tools/%,$(notdir $(TOOL_SRC)))

.PHONY: all check unit e2e fuzz clean install compile_commands.json
all: $(B)/takedown $(TOOL_BIN)

$(B)/libtakedown.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(AR) rcs $@ $^

$(B)/takedown: $(CLI_OBJ) $(B)/libtakedown.a
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(B)/libtakedown.a $(PKG_LIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<
	@$(if $(Q),echo "  CC      $<")

$(B)/tests/%: tests/unit/%.c $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libtakedown.a $(PKG_LIBS) $(CMOCKA_LIBS)

$(B)/tools/%: tests/tools/%.c $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libtakedown.a $(PKG_LIBS)

$(B)/tools/%: bench/%.c $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libtakedown.a $(PKG_LIBS)

# Replay drivers: every fuzz target linked with a plain main() that feeds
# it each file of its committed corpus (runs in the ordinary test suite).
$(B)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< fuzz/replay.c $(B)/libtakedown.a $(PKG_LIBS)

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer $(LDFLAGS_ALL) -o $@ $< $(B)/libtakedown.a $(PKG_LIBS)

fuzz: $(FUZZ_BIN)

# Allocation-failure torture (tests/torture/torture.c): `make torture`
# builds build/torture/torture, ASan on; tests/e2e/t0030-torture.sh runs
# it.  --wrap sends takedown's own malloc/calloc/realloc/strdup/strndup
# calls through tests/torture/failmalloc.c (why: see that file).
.PHONY: torture
ifeq ($(MODE),torture)
torture: $(B)/torture
$(B)/torture: tests/torture/torture.c tests/torture/failmalloc.c \
		tests/torture/failmalloc.h $(B)/libtakedown.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/torture $(LDFLAGS_ALL) \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup \
		-o $@ tests/torture/torture.c tests/torture/failmalloc.c \
		$(B)/libtakedown.a $(PKG_LIBS)
else
torture:
	$(Q)$(MAKE) --no-print-directory MODE=torture torture
endif

check: $(B)/takedown $(UNIT_BIN) $(REPLAY_BIN) $(TOOL_BIN)
	@sh tests/run.sh $(B)

clean:
	rm -rf build compile_commands.json

install: $(B)/takedown $(TOOL_BIN)
	install -D -m 755 $(B)/takedown $(DESTDIR)$(PREFIX)/bin/takedown
	install -D -m 644 docs/takedown.1 $(DESTDIR)$(PREFIX)/share/man/man1/takedown.1

# compile_commands.json for clang-tidy and clangd, written from the same flags.
compile_commands.json:
	@{ printf '[\n'; sep=''; for f in $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC); do \
	  printf '%s{"directory":"%s","file":"%s","command":"cc %s -c %s"}' \
	    "$$sep" "$(CURDIR)" "$$f" '$(subst ",\\\",$(CFLAGS_ALL))' "$$f"; sep=',\n'; \
	  done; printf '\n]\n'; } > $@
	@echo wrote $@

# data compiled into the binary with .incbin
$(B)/src/lib/mailhosts.o: data/mailhosts.txt
$(B)/src/lib/bootstrap.o: data/iana/dns.json data/iana/ipv4.json \
	data/iana/ipv6.json data/iana/asn.json data/iana/rdap-fallback.txt \
	data/whois-servers.txt
$(B)/src/lib/providers.o: data/cdn.txt data/platforms.txt
$(B)/src/lib/draft.o: $(wildcard data/templates/*.txt)
$(B)/src/lib/le.o: data/le.txt
$(B)/src/lib/followup.o: $(wildcard data/templates/*.txt)
$(B)/src/lib/liveness.o: $(wildcard data/liveness/*.txt)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
