# pidcap: process-aware packet capture on eBPF.
#   make            build ./pidcap
#   make demo       install what is missing, build, capture ping and show it with tshark
#   make check      install what is missing, build, run every test
#   make check-kernels  the kernel-dependent tests inside Debian 12's 6.1 and 6.12 (QEMU)
#   make SANITIZE=1 ...  build with AddressSanitizer and UndefinedBehaviorSanitizer

OUTPUT ?= build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wvla -Wmissing-prototypes -Wstrict-prototypes \
	  -D_GNU_SOURCE -I$(OUTPUT) -Isrc
LDLIBS += -lbpf -lelf -lz -lpcap -lncurses
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
OUTPUT := build/san
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Wall -Werror

# Every C file of src/ but the kernel side, one object each under obj/, with
# its dependencies from the compiler (-MMD): a change rebuilds what uses it.
APP_SRCS := $(sort $(filter-out src/bpf/%,$(shell find src -name '*.c')))
OBJ := $(OUTPUT)/obj
APP_OBJS := $(patsubst src/%.c,$(OBJ)/%.o,$(APP_SRCS))
obj = $(patsubst src/%.c,$(OBJ)/%.o,$(1))

# Installation: the binary, its man page and bash completion, Wireshark's extcap
# entry and a "pidcap" profile; for a real install (no DESTDIR) the binary also
# gets the capabilities that let the wireshark group capture without root.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man/man8
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
EXTCAPDIR ?= /usr/lib/$(MULTIARCH)/wireshark/extcap
WSPROFILEDIR ?= /usr/share/wireshark/profiles
INSTALLED := $(BINDIR)/pidcap $(MANDIR)/pidcap.8 $(BASHCOMPDIR)/pidcap $(EXTCAPDIR)/pidcap \
	     $(WSPROFILEDIR)/pidcap/preferences $(WSPROFILEDIR)/pidcap/colorfilters \
	     $(WSPROFILEDIR)/pidcap/dfilter_macros
# The same for one user, in their own folders (Wireshark 4.0 reads
# ~/.config/wireshark/extcap, 4.2 and later ~/.local/lib/wireshark/extcap).
USER_HOME ?= $(HOME)
USER_INSTALLED := $(USER_HOME)/.local/bin/pidcap $(USER_HOME)/.config/wireshark/extcap/pidcap \
		  $(USER_HOME)/.local/lib/wireshark/extcap/pidcap \
		  $(USER_HOME)/.config/wireshark/profiles/pidcap/preferences \
		  $(USER_HOME)/.config/wireshark/profiles/pidcap/colorfilters \
		  $(USER_HOME)/.config/wireshark/profiles/pidcap/dfilter_macros

.DELETE_ON_ERROR:
.PHONY: all deps demo check check-kernels check-format format test tests fuzz bench clean install \
	uninstall install-user uninstall-user
all: pidcap

pidcap: $(OUTPUT)/pidcap
	cp $< $@

$(OUTPUT):
	mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# The kernel side is built twice: for kernels with the kernel functions of 6.2
# (bpf_cast_to_kern_ctx, bpf_rdonly_cast), and without them, for older ones
# (see PIDCAP_NO_KFUNCS in the source). Both are opened through one skeleton,
# so they must have the same maps, programs and variables: checked here.
$(OUTPUT)/pidcap.bpf.o: src/bpf/pidcap.bpf.c $(wildcard src/bpf/*.bpf.h) src/bpf/record.h $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(BPFTOOL) gen object $@ $@.tmp.o
	rm -f $@.tmp.o

$(OUTPUT)/pidcap_compat.bpf.o: src/bpf/pidcap.bpf.c $(wildcard src/bpf/*.bpf.h) src/bpf/record.h $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -DPIDCAP_NO_KFUNCS -c $< -o $@.tmp.o
	$(BPFTOOL) gen object $@ $@.tmp.o
	rm -f $@.tmp.o

$(OUTPUT)/pidcap.skel.h: $(OUTPUT)/pidcap.bpf.o
	$(BPFTOOL) gen skeleton $< name pidcap_bpf > $@.tmp && mv $@.tmp $@

SKEL_LAYOUT = sed -e 's/pidcap_bpf_compat/pidcap_bpf/g; s/PIDCAP_BPF_COMPAT/PIDCAP_BPF/g' \
		  -e '/__elf_bytes(size_t \*sz)$$/,/^}$$/d'
$(OUTPUT)/pidcap_compat.skel.h: $(OUTPUT)/pidcap_compat.bpf.o $(OUTPUT)/pidcap.skel.h
	$(BPFTOOL) gen skeleton $< name pidcap_bpf_compat > $@.tmp
	$(SKEL_LAYOUT) $@.tmp > $@.layout
	$(SKEL_LAYOUT) $(OUTPUT)/pidcap.skel.h | cmp -s - $@.layout || \
		{ echo "the two builds of the kernel side differ in maps, programs or variables" >&2; \
		  rm -f $@.tmp $@.layout; exit 1; }
	rm -f $@.layout
	mv $@.tmp $@

# The system call names of the architecture pidcap is built for (and runs on).
$(OUTPUT)/syscall_names.h: | $(OUTPUT)
	echo '#include <sys/syscall.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/[\2] = "\1",/p' > $@.tmp
	test -s $@.tmp && mv $@.tmp $@

$(OBJ)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The generated headers, made before the objects that include them.
$(call obj,src/capture/capture.c src/capture/kernel_side.c): $(OUTPUT)/pidcap.skel.h \
	$(OUTPUT)/pidcap_compat.skel.h
$(call obj,src/top/top.c): $(OUTPUT)/syscall_names.h

$(OUTPUT)/pidcap: $(APP_OBJS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Tests: each links the objects of what it tests (tests/lib/tap.h is their
# harness); the BPF tests the kernel side's skeleton.
$(OBJ)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/lib -Itests/bpf -Itests/unit -MMD -MP -c $< -o $@

test = $(CC) $(LDFLAGS) $^ -o $@
# A test's own parts, if it has any: tests/unit/test_NAME/*.c
parts = $(patsubst tests/%.c,$(OBJ)/tests/%.o,$(wildcard tests/unit/test_$(1)/*.c))
GO_CLIENTS := $(addprefix $(OUTPUT)/go-tlsclient,-plain -stripped -pie -pie-stripped)
TEST_BINS := $(OUTPUT)/netpeer $(OUTPUT)/test_pcapng $(OUTPUT)/test_print $(OUTPUT)/test_holdback \
	     $(OUTPUT)/test_record_queue \
	     $(OUTPUT)/test_comment $(OUTPUT)/test_events $(OUTPUT)/test_rotation $(OUTPUT)/test_options \
	     $(OUTPUT)/test_packet_progs $(OUTPUT)/test_filter $(OUTPUT)/test_savefile \
	     $(OUTPUT)/test_procfs $(OUTPUT)/test_elf_file \
	     $(OUTPUT)/test_tls_calibrate $(OUTPUT)/test_tls_keylog $(OUTPUT)/test_go_program \
	     $(OUTPUT)/drop.bpf.o $(OUTPUT)/hook_floor $(GO_CLIENTS)

# A Go TLS client, as Go programs come: plain, stripped (-s -w), and
# position-independent, plain and stripped. Built offline: the standard
# library only, its cache in the build folder.
GO_BUILD = GOCACHE=$(abspath $(OUTPUT))/go-cache GOPATH=$(abspath $(OUTPUT))/go-path \
	   GO111MODULE=off CGO_ENABLED=0 GOFLAGS= go build -o $@
$(OUTPUT)/go-tlsclient-plain: tests/e2e/go/tlsclient.go | $(OUTPUT)
	$(GO_BUILD) $<
$(OUTPUT)/go-tlsclient-stripped: tests/e2e/go/tlsclient.go | $(OUTPUT)
	$(GO_BUILD) -ldflags='-s -w' $<
$(OUTPUT)/go-tlsclient-pie: tests/e2e/go/tlsclient.go | $(OUTPUT)
	$(GO_BUILD) -buildmode=pie $<
$(OUTPUT)/go-tlsclient-pie-stripped: tests/e2e/go/tlsclient.go | $(OUTPUT)
	$(GO_BUILD) -buildmode=pie -ldflags='-s -w' $<

$(OUTPUT)/netpeer: $(OBJ)/tests/e2e/netpeer.o
	$(test)
$(OUTPUT)/test_pcapng: $(OBJ)/tests/unit/test_pcapng.o $(call parts,pcapng) \
		       $(call obj,src/output/pcapng.c src/output/exported_pdu.c)
	$(test)
$(OUTPUT)/test_holdback: $(OBJ)/tests/unit/test_holdback.o $(call obj,src/capture/holdback.c)
	$(test)
$(OUTPUT)/test_record_queue: $(OBJ)/tests/unit/test_record_queue.o $(call obj,src/capture/record_queue.c)
	$(test)
$(OUTPUT)/test_comment: $(OBJ)/tests/unit/test_comment.o $(call obj,src/model/comment.c)
	$(test)
$(OUTPUT)/test_events: $(OBJ)/tests/unit/test_events.o $(call obj,src/model/events.c src/base/procfs.c)
	$(test)
$(OUTPUT)/test_elf_file: $(OBJ)/tests/unit/test_elf_file.o $(call obj,src/tls/elf_file.c)
	$(test) -lelf
$(OUTPUT)/test_tls_calibrate: $(OBJ)/tests/unit/test_tls_calibrate.o \
			      $(call obj,src/tls/calibrate.c src/tls/elf_file.c)
	$(test) -lelf
$(OUTPUT)/test_go_program: $(OBJ)/tests/unit/test_go_program.o \
			    $(call obj,src/tls/go_program.c src/tls/elf_file.c)
	$(test) -lelf
$(OUTPUT)/test_tls_keylog: $(OBJ)/tests/unit/test_tls_keylog.o \
			   $(call obj,src/tls/hello.c src/tls/keylog.c)
	$(test)
$(OUTPUT)/test_procfs: $(OBJ)/tests/unit/test_procfs.o $(call obj,src/base/procfs.c)
	$(test)
$(OUTPUT)/test_options: $(OBJ)/tests/unit/test_options.o \
			 $(call obj,src/cli/options.c src/cli/selection.c src/base/log.c)
	$(test)
$(OUTPUT)/test_rotation: $(OBJ)/tests/unit/test_rotation.o $(call obj,src/output/rotation.c)
	$(test)
$(OUTPUT)/test_print: $(OBJ)/tests/unit/test_print.o $(call parts,print) \
		     $(call obj,$(wildcard src/print/*.c))
	$(test)
READER_SRCS := $(wildcard src/read/savefile.c src/read/sf-*.c)
$(OUTPUT)/test_savefile: $(OBJ)/tests/unit/test_savefile.o $(call parts,savefile) \
			 $(call obj,$(READER_SRCS) src/output/pcapng.c src/output/exported_pdu.c)
	$(test)
$(OUTPUT)/test_filter: $(OBJ)/tests/bpf/test_filter.o $(OBJ)/tests/bpf/filter_reference.o \
		       $(call obj,src/filter/translate.c src/filter/libpcap.c)
	$(test) $(LDLIBS)
$(OBJ)/tests/bpf/test_packet_progs.o: $(OUTPUT)/pidcap.skel.h $(OUTPUT)/pidcap_compat.skel.h
$(OUTPUT)/test_packet_progs: $(OBJ)/tests/bpf/test_packet_progs.o \
			    $(call obj,src/capture/kernel_side.c src/base/log.c) | $(OUTPUT)/refused.bpf.o
	$(test) $(LDLIBS)

$(OUTPUT)/refused.bpf.o: tests/bpf/refused.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUTPUT)/drop.bpf.o: tests/e2e/drop.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The floor of the kernel hooks' cost, for bench/udp_flood.sh: empty programs
# on pidcap's hooks, and its loader (bench/hook_floor.c).
$(OUTPUT)/hook_floor.bpf.o: bench/hook_floor.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUTPUT)/hook_floor.skel.h: $(OUTPUT)/hook_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name hook_floor > $@.tmp && mv $@.tmp $@
$(OBJ)/bench/hook_floor.o: bench/hook_floor.c $(OUTPUT)/hook_floor.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(OUTPUT)/hook_floor: $(OBJ)/bench/hook_floor.o $(call obj,src/base/cgroup.c src/base/log.c)
	$(test) $(LDLIBS)

# The pcapng/pcap reader under libFuzzer with ASan and UBSan, for FUZZ_SECONDS
# from the committed corpus; new inputs go to a scratch folder. Any input that
# ever crashes it belongs in tests/fuzz/regressions (replayed by test_savefile).
FUZZ_SECONDS ?= 60
FUZZ_SRCS := tests/fuzz/fuzz_savefile.c $(READER_SRCS) src/model/events.c src/base/procfs.c \
	     src/output/exported_pdu.c $(wildcard src/print/*.c)
$(OUTPUT)/fuzz_savefile: $(FUZZ_SRCS) $(wildcard src/read/*.h src/model/*.h src/base/*.h \
			 src/output/exported_pdu.h src/print/*.h) | $(OUTPUT)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_GNU_SOURCE -Isrc $(FUZZ_SRCS) -o $@

fuzz: $(OUTPUT)/fuzz_savefile
	mkdir -p $(OUTPUT)/fuzz-new
	$(OUTPUT)/fuzz_savefile -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 \
		-timeout=10 -artifact_prefix=$(OUTPUT)/ $(OUTPUT)/fuzz-new tests/fuzz/corpus \
		tests/fuzz/regressions
	@echo "fuzz: $(FUZZ_SECONDS) s of the savefile reader and the printer, no crash"

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

tests: $(OUTPUT)/pidcap $(TEST_BINS)

deps:
	bash scripts/install-deps.sh

demo: deps
	$(MAKE) pidcap
	bash scripts/demo.sh

# Everything a clean machine needs, then every test (unit, BPF, end-to-end).
check: deps
	$(MAKE) tests
	PIDCAP_BUILD=$(OUTPUT) bash tests/run.sh

test: tests
	PIDCAP_BUILD=$(OUTPUT) bash tests/run.sh

# The kernel's formatting style (.clang-format), checked in CI.
check-format:
	bash scripts/check-format.sh
format:
	bash scripts/check-format.sh --fix

# The kernel tests: Debian 12's 6.1 and 6.12 kernels booted in QEMU, each
# running the BPF, filter and end-to-end suites (KERNELS="6.1" for one).
check-kernels: deps
	$(MAKE) tests
	PIDCAP_BUILD=$(OUTPUT) bash tests/vm/run.sh $(KERNELS)

install: pidcap
	install -D -m 0755 pidcap $(DESTDIR)$(BINDIR)/pidcap
	install -D -m 0644 doc/pidcap.8 $(DESTDIR)$(MANDIR)/pidcap.8
	install -D -m 0644 completion/pidcap.bash $(DESTDIR)$(BASHCOMPDIR)/pidcap
	install -d $(DESTDIR)$(EXTCAPDIR)
	ln -sf $(BINDIR)/pidcap $(DESTDIR)$(EXTCAPDIR)/pidcap
	install -D -m 0644 wireshark/profile/preferences $(DESTDIR)$(WSPROFILEDIR)/pidcap/preferences
	install -D -m 0644 wireshark/profile/colorfilters $(DESTDIR)$(WSPROFILEDIR)/pidcap/colorfilters
	install -D -m 0644 wireshark/profile/dfilter_macros $(DESTDIR)$(WSPROFILEDIR)/pidcap/dfilter_macros
	$(if $(DESTDIR),@echo "pidcap: staged in $(DESTDIR); set capabilities with scripts/set-capabilities.sh $(BINDIR)/pidcap",bash scripts/set-capabilities.sh $(BINDIR)/pidcap)

# Removes what install put there, and the profile folder, which is pidcap's own
# (the others, bin/ or man8/, may have been there before).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(WSPROFILEDIR)/pidcap 2>/dev/null

install-user: pidcap
	install -D -m 0755 pidcap $(USER_HOME)/.local/bin/pidcap
	install -d $(USER_HOME)/.config/wireshark/extcap $(USER_HOME)/.local/lib/wireshark/extcap
	ln -sf $(USER_HOME)/.local/bin/pidcap $(USER_HOME)/.config/wireshark/extcap/pidcap
	ln -sf $(USER_HOME)/.local/bin/pidcap $(USER_HOME)/.local/lib/wireshark/extcap/pidcap
	install -D -m 0644 wireshark/profile/preferences $(USER_HOME)/.config/wireshark/profiles/pidcap/preferences
	install -D -m 0644 wireshark/profile/colorfilters $(USER_HOME)/.config/wireshark/profiles/pidcap/colorfilters
	install -D -m 0644 wireshark/profile/dfilter_macros $(USER_HOME)/.config/wireshark/profiles/pidcap/dfilter_macros
	@echo "pidcap: installed for $(USER_HOME); to capture without root, a root user runs: sudo bash scripts/set-capabilities.sh $(USER_HOME)/.local/bin/pidcap"

uninstall-user:
	rm -f $(USER_INSTALLED)
	-rmdir --ignore-fail-on-non-empty $(USER_HOME)/.config/wireshark/profiles/pidcap 2>/dev/null

clean:
	rm -rf build pidcap
