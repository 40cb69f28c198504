# trajscope - GNU make is the only build entry point.
# Targets: all run check asan bench samples deps install clean check-layers fuzz
# `make V=1` shows full commands; `make WERROR=1` turns warnings into errors.
-include config.mk

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
VERSION  := 0.1.0

PKGS      := ncursesw hdf5-serial gsl jansson inih libprotobuf-c libdeflate
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wformat=2 -Wundef -Wwrite-strings -Wvla \
        -Wpointer-arith -Wimplicit-fallthrough
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT      ?= -O2 -g
SAN      ?=
CPPFLAGS += -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DTS_VERSION='"$(VERSION)"' \
            -Iinclude -Isrc -I$(BUILD)/gen
# ncursesw's .pc adds its own _XOPEN_SOURCE=600; ours (700) is set above.
PKG_CFLAGS := $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
CFLAGS   ?=
ALL_CFLAGS = -std=c11 $(OPT) $(SAN) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lm
LDFLAGS  += $(SAN)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- sources: one folder per layer (docs/ARCHITECTURE.md) ----
PROTO_SRC := $(wildcard src/io/*.proto)
PROTO_GEN := $(patsubst src/io/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTO_SRC))
LIB_SRC   := $(wildcard src/util/*.c src/core/*.c src/io/*.c src/render/*.c)
TUI_SRC   := $(wildcard src/tui/*.c)
CLI_SRC   := $(wildcard src/cli/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(PROTO_GEN:%.c=%.o)
TUI_OBJ   := $(TUI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/src/main.o
LIB       := $(BUILD)/libtrajscope.a
TUILIB    := $(BUILD)/libtrajscope-tui.a
BIN       := $(BUILD)/trajscope

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SUPPORT_SRC := $(wildcard tests/support/*.c)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TOOL_SRC  := $(wildcard tools/*/main.c)
TOOL_BIN  := $(patsubst tools/%/main.c,$(BUILD)/tools/%,$(TOOL_SRC))

# Keep every intermediate (generated protobuf sources, test objects):
# deleting them only makes the next build redo work.
.SECONDARY:

.PHONY: all run check test asan bench samples deps install uninstall clean check-layers fuzz tools
.DEFAULT_GOAL := all

all: $(BIN) $(TOOL_BIN)

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: src/io/%.proto
	@mkdir -p $(dir $@)
	@echo "  PROTOC  $<"
	$(Q)protoc-c --c_out=$(BUILD)/gen --proto_path=src/io $<

# Generated protobuf code is not ours to warn about.
$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c
	@echo "  CC      $<"
	$(Q)$(CC) -std=c11 $(OPT) $(SAN) -w $(CPPFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.c | $(PROTO_GEN)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/unit/%.c | $(PROTO_GEN)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(TUILIB): $(TUI_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(TUILIB) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TUILIB) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(SUPPORT_OBJ) $(TUILIB) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(TUILIB) $(LIB) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB) $(TUILIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(TUILIB) $(LIB) $(LDLIBS)

$(BUILD)/tools/%: tools/%/main.c $(wildcard tools/*/*.c tools/*/*.h) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $(wildcard tools/$*/*.c) $(LIB) $(LDLIBS)

tools: $(TOOL_BIN)

# ---- user-facing targets ----
deps:
	@tools/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@tools/run-samples.sh $(BIN)

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) check-layers
	@tools/run-tests.sh $(BIN) $(UNIT_BIN)

test: check

asan:
	@$(MAKE) --no-print-directory check BUILD=build-asan \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@tools/run-bench.sh $(BENCH_BIN)

samples: deps
	@$(MAKE) --no-print-directory all
	@tools/make-samples.sh $(BUILD)

check-layers:
	@tools/check-layers.sh

fuzz:
	@tools/run-fuzz.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/trajscope/themes
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/trajscope
	install -m 644 docs/trajscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/trajscope.1
	install -m 644 themes/*.ini $(DESTDIR)$(PREFIX)/share/trajscope/themes/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/trajscope $(DESTDIR)$(PREFIX)/share/man/man1/trajscope.1
	rm -rf $(DESTDIR)$(PREFIX)/share/trajscope

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
