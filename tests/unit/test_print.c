// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test for the printer (print.h), with tcpdump as the judge.
 *
 * The test builds frames (raw IP, Ethernet, Linux SLL and SLL2, BSD loopback), groups them
 * by link type and tcpdump options, writes each group to a temporary pcap file with that
 * link type and runs `tcpdump -n -S -tt [-v|-vv|-e|-q|-x|-X|-A] -r FILE`. Each packet has
 * its own timestamp, which finds its text even among dump lines. tcpdump's lines for a
 * packet, as they are, are compared with the printer's summary; with -x/-X/-A the dump lines are compared byte for byte
 * with print_dump(). Several packets are also cut at every capture length. Where the
 * printer differs from tcpdump on purpose, a fixed expected string is used instead, and
 * tcpdump must still differ (the deliberate differences, marked "deliberate" below).
 * Then: random, mutated and truncated input for every link type and option set (run it
 * under ASan/UBSan), and small output buffers.
 *
 * Prints "ok - name" / "not ok - name: got '...' want '...'", then "N passed, N failed".
 * Exit status: 0, 1 on any failure, 77 when tcpdump is missing (the other checks still run).
 *
 * The packet builders are in test_print/packets.c, the cases in test_print/cases.c; this
 * file runs them.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -Itests/lib -Itests/unit \
 *        -o OUT tests/unit/test_print.c tests/unit/test_print/packets.c \
 *        tests/unit/test_print/cases.c src/print/print*.c
 */
#include "print/print.h"
#include "tap.h"
#include "test_print/print_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <unistd.h>

#define OUT_SIZE 4096

static void ok(const char *name)
{
	tap_check(true, name, "%s", "");
}

static void not_ok(const char *name, const char *got, const char *want)
{
	tap_check(false, name, "got '%s' want '%s'", got, want);
}

static void check_str(const char *name, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		ok(name);
	else
		not_ok(name, got, want);
}

/* ---- running tcpdump ---- */

static struct print_options flags_options(const char *flags)
{
	struct print_options o = { 0 };

	if (strstr(flags, "-vvv"))
		o.verbose = 3;
	else if (strstr(flags, "-vv"))
		o.verbose = 2;
	else if (strstr(flags, "-v"))
		o.verbose = 1;
	o.link_header = strstr(flags, "-e") != NULL;
	o.quiet = strstr(flags, "-q") != NULL;
	return o;
}

/* The dump style of the options, or -1. */
static int flags_dump(const char *flags)
{
	if (strstr(flags, "-x"))
		return PRINT_DUMP_HEX;
	if (strstr(flags, "-X"))
		return PRINT_DUMP_HEX_ASCII;
	if (strstr(flags, "-A"))
		return PRINT_DUMP_ASCII;
	return -1;
}

#define MAX_ENTRIES 12000
#define TS_BASE 1000000000u
#define TS_USEC 424242u

struct entry {
	char name[200];
	const struct tcase *tc;
	uint32_t caplen;
};

static struct entry entries[MAX_ENTRIES];
static int nentries;

static void add_entry(const char *name, const struct tcase *tc, uint32_t caplen)
{
	struct entry *e;

	if (nentries >= MAX_ENTRIES)
		abort();
	e = &entries[nentries++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->tc = tc;
	e->caplen = caplen;
}

static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	fwrite(b, 1, 4, f);
}

static void le16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { v, v >> 8 };

	fwrite(b, 1, 2, f);
}

/* Writes entries [first, first + n) into a classic pcap file; packet k at TS_BASE + k. */
static bool write_pcap(const char *path, uint32_t linktype, const int *idx, int n)
{
	FILE *f = fopen(path, "wb");
	int k;

	if (!f)
		return false;
	le32(f, 0xa1b2c3d4);
	le16(f, 2);
	le16(f, 4);
	le32(f, 0);	 /* thiszone */
	le32(f, 0);	 /* sigfigs */
	le32(f, 262144); /* snaplen */
	le32(f, linktype);
	for (k = 0; k < n; k++) {
		const struct entry *e = &entries[idx[k]];

		le32(f, TS_BASE + (uint32_t)k);
		le32(f, TS_USEC);
		le32(f, e->caplen);
		le32(f, e->tc->len);
		fwrite(e->tc->pkt.d, 1, e->caplen, f);
	}
	return fclose(f) == 0;
}

static bool have_tcpdump(void)
{
	return system("tcpdump --version >/dev/null 2>&1") == 0;
}

/* All of a command's output, NUL-terminated; NULL on error. */
static char *read_command(const char *cmd)
{
	char *out = NULL;
	size_t len = 0, cap = 0, n;
	FILE *p;

	p = popen(cmd, "r");
	if (!p)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		n = fread(out + len, 1, cap - len - 1, p);
		len += n;
	} while (n > 0);
	out[len] = '\0';
	pclose(p);
	return out;
}

/* All of tcpdump's output for the file, NUL-terminated; NULL on error. */
static char *run_tcpdump(const char *path, const char *flags)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "tcpdump -n -S -tt %s -r '%s' 2>/dev/null", flags, path);
	return read_command(cmd);
}

/*
 * Splits tcpdump's output into one block a packet (copies to free): the text after the
 * timestamp of packet k, up to the line with the timestamp of packet k + 1. Returns false
 * if a packet's timestamp is missing.
 */
static bool split_blocks(const char *out, int n, char **blocks)
{
	char want[48], next[48];
	const char *p = out, *end;
	int k;

	for (k = 0; k < n; k++)
		blocks[k] = NULL;
	for (k = 0; k < n; k++) {
		snprintf(want, sizeof(want), "%u.%06u ", TS_BASE + (uint32_t)k, TS_USEC);
		if (strncmp(p, want, strlen(want)) != 0)
			return false;
		p += strlen(want);
		snprintf(next, sizeof(next), "\n%u.%06u ", TS_BASE + (uint32_t)k + 1, TS_USEC);
		end = k + 1 < n ? strstr(p, next) : p + strlen(p);
		if (!end)
			return false;
		if (k + 1 < n)
			end++; /* the newline stays with its block */
		blocks[k] = strndup(p, (size_t)(end - p));
		if (!blocks[k])
			abort();
		p = end;
	}
	return true;
}

/* Linux packet types as tcpdump names them for SLL and SLL2. */
static const char *sll_type_name(unsigned int t)
{
	static const char *const names[] = { "In", "B", "M", "P", "Out" };

	return t < 5 ? names[t] : "?";
}

/*
 * tcpdump's summary for a packet: its lines, joined by their line breaks. The
 * interface name and direction tcpdump starts SLL2 lines with (and SLL lines with -e)
 * are removed: print_frame_summary() leaves them to pidcap. Returns false if tcpdump's
 * text lacks them.
 */
static bool tcpdump_summary(const struct entry *e, const char *block, char *out, size_t n,
			    const char **rest)
{
	const uint8_t *d = e->tc->pkt.d;
	const char *nl = strchr(block, '\n');
	size_t l = nl ? (size_t)(nl - block) : strlen(block), k;
	char prefix[64], ifname[IF_NAMESIZE];
	bool ok = true;

	prefix[0] = '\0';
	if (e->tc->linktype == LINKTYPE_LINUX_SLL2 && e->caplen >= 20) {
		uint32_t ifindex = (uint32_t)d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7];

		if (!if_indextoname(ifindex, ifname))
			strcpy(ifname, "?");
		snprintf(prefix, sizeof(prefix), "%-5s %-3s ", ifname, sll_type_name(d[10]));
	} else if (e->tc->linktype == LINKTYPE_LINUX_SLL && e->caplen >= 16) {
		snprintf(prefix, sizeof(prefix), "%3s ", sll_type_name(d[0] << 8 | d[1]));
		/* Only -e, or an unknown protocol, shows the SLL header. */
		if (strncmp(block, prefix, strlen(prefix)) != 0)
			prefix[0] = '\0';
	}
	k = strlen(prefix);
	if (k && (l < k || strncmp(block, prefix, k) != 0))
		ok = false;
	else
		block += k, l -= k;
	snprintf(out, n, "%.*s", (int)l, block);
	*rest = nl ? nl + 1 : block + l;
	if (flags_dump(e->tc->flags) >= 0)
		return ok;
	/* The other lines continue the summary, as they are. */
	while (**rest) {
		const char *line = *rest, *lend = strchr(line, '\n');
		size_t ll = lend ? (size_t)(lend - line) : strlen(line), used = strlen(out);

		*rest = lend ? lend + 1 : line + ll;
		snprintf(out + used, n - used, "\n%.*s", (int)ll, line);
	}
	return ok;
}

/*
 * The printer's summary (and dump) for an entry, from an exact-size copy so ASan sees any
 * over-read. Returns false if a returned length is not the text's.
 */
static bool summarize(const struct entry *e, char *out, size_t size, char *dump, size_t dsize)
{
	struct print_options o = flags_options(e->tc->flags);
	uint8_t *copy = malloc(e->caplen ? e->caplen : 1);
	int style = flags_dump(e->tc->flags);
	uint32_t off = e->tc->dump_off;
	bool good;
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, e->tc->pkt.d, e->caplen);
	n = print_frame_summary(out, size, e->tc->linktype, e->caplen ? copy : NULL, e->caplen,
				e->tc->len, &o);
	good = n == strlen(out);
	dump[0] = '\0';
	if (style >= 0 && e->caplen > off) {
		n = print_dump(dump, dsize, copy + off, e->caplen - off, (enum print_dump)style);
		good = good && n == strlen(dump);
	}
	free(copy);
	return good;
}

/* Compares the entries of one run (one link type and set of options) with tcpdump. */
static void compare_run(const int *idx, int n)
{
	static char *blocks[MAX_ENTRIES];
	static char out[OUT_SIZE], want[OUT_SIZE], dump[4 * OUT_SIZE], name[256];
	const struct tcase *tc = entries[idx[0]].tc;
	const char *tmp = getenv("TMPDIR"), *rest;
	char path[256], *td;
	int i, j, first, bad, fd;

	snprintf(path, sizeof(path), "%s/test_print.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0 || close(fd) != 0 || !write_pcap(path, tc->linktype, idx, n)) {
		not_ok("write pcap", "error", "a pcap file");
		return;
	}
	td = run_tcpdump(path, tc->flags);
	unlink(path);
	snprintf(name, sizeof(name), "tcpdump output, link type %u, options '%s'", tc->linktype,
		 tc->flags);
	if (!td || !split_blocks(td, n, blocks)) {
		not_ok(name, "unexpected text", "one block a packet");
		for (i = 0; i < n; i++)
			free(blocks[i]);
		free(td);
		return;
	}
	ok(name);

	/* One check per case; a sweep reports each capture length that differs. */
	for (i = 0; i < n; i = j) {
		first = i;
		bad = 0;
		for (j = i; j < n && (j == i || strchr(entries[idx[j]].name, '/')); j++) {
			const struct entry *e = &entries[idx[j]];

			if (!tcpdump_summary(e, blocks[j], want, sizeof(want), &rest)) {
				not_ok(e->name, want, "the SLL direction (and interface) first");
				bad++;
			}
			if (!summarize(e, out, sizeof(out), dump, sizeof(dump))) {
				not_ok(e->name, "another returned length", "strlen(buf)");
				bad++;
			}
			if (strcmp(out, e->tc->want ? e->tc->want : want) != 0) {
				not_ok(e->name, out, e->tc->want ? e->tc->want : want);
				bad++;
			}
			/* A deliberate difference must still be a difference. */
			if (e->tc->want && strcmp(want, e->tc->want) == 0) {
				not_ok(e->name, "same as tcpdump",
				       "a difference, else drop it from the deliberate ones");
				bad++;
			}
			if (flags_dump(e->tc->flags) >= 0 && strcmp(dump, rest) != 0) {
				not_ok(e->name, dump, rest);
				bad++;
			}
		}
		if (!bad) {
			const struct entry *e = &entries[idx[first]];

			if (j - first > 1)
				snprintf(name, sizeof(name), "%s [%s] (+%d truncations)", e->name,
					 e->tc->flags, j - first - 1);
			else
				snprintf(name, sizeof(name), "%s [%s]", e->name, e->tc->flags);
			ok(name);
		}
	}
	for (i = 0; i < n; i++)
		free(blocks[i]);
	free(td);
}

static void compare_with_tcpdump(void)
{
	static int idx[MAX_ENTRIES];
	static bool done[MAX_CASES];
	char name[192];
	int i, j, n;
	uint32_t cap;

	for (i = 0; i < ncases; i++) {
		struct tcase *tc = &cases[i];

		add_entry(tc->name, tc, tc->pkt.n);
		if (!tc->sweep)
			continue;
		/* caplen 0 is refused by tcpdump's reader: checked on its own below. */
		for (cap = 1; cap < tc->pkt.n; cap++) {
			snprintf(name, sizeof(name), "%s/cap=%u", tc->name, cap);
			add_entry(name, tc, cap);
		}
	}
	/* One tcpdump run for each link type and set of options, in the order first seen. */
	for (i = 0; i < ncases; i++) {
		if (done[i])
			continue;
		n = 0;
		for (j = 0; j < nentries; j++) {
			const struct tcase *tc = entries[j].tc;

			if (tc->linktype == cases[i].linktype &&
			    strcmp(tc->flags, cases[i].flags) == 0) {
				idx[n++] = j;
				done[tc - cases] = true;
			}
		}
		compare_run(idx, n);
	}
}

/* ---- checks without tcpdump ---- */

static void check_direct(void)
{
	struct print_options e = { .link_header = true };
	char out[128];
	uint8_t b = 0x45;

	print_ip_summary(out, sizeof(out), &b, 0, 60);
	check_str("nothing captured", out, " [|ip]");
	print_ip_summary(out, sizeof(out), NULL, 20, 20);
	check_str("null packet", out, " [|ip]");
	print_frame_summary(out, sizeof(out), 147, &b, 1, 10, NULL);
	check_str("unknown link type", out, "unknown link type 147, length 10");
	print_frame_summary(out, sizeof(out), LINKTYPE_ETHERNET, NULL, 0, 0, &e);
	check_str("ether nothing captured", out, " [|ether]");
	print_dump(out, sizeof(out), NULL, 10, PRINT_DUMP_HEX);
	check_str("dump of nothing", out, "");
	print_escaped(out, sizeof(out), "eth0\nIP 1.2.3.4\t\x7f\xe9");
	check_str("a name with control and 8-bit bytes", out, "eth0^JIP 1.2.3.4^I^?M-i");
	check_str("a name in 4 bytes",
		  print_escaped(out, 4, "eth0") == 3 && !strcmp(out, "eth") ? "" : out, "");
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint32_t fuzz_linktypes[] = {
	LINKTYPE_RAW,
	LINKTYPE_ETHERNET,
	LINKTYPE_LINUX_SLL,
	LINKTYPE_LINUX_SLL2,
	LINKTYPE_NULL,
	LINKTYPE_LOOP,
	LINKTYPE_IPV4,
	LINKTYPE_IPV6,
	12,
	14,
	9999,
};

static const struct print_options fuzz_options[] = {
	{ .verbose = 0 },
	{ .verbose = 1 },
	{ .verbose = 2 },
	{ .link_header = true },
	{ .quiet = true },
	{ .verbose = 2, .link_header = true, .quiet = true },
	{ .verbose = 1, .link_header = true },
};

#define NLT (sizeof(fuzz_linktypes) / sizeof(fuzz_linktypes[0]))
#define NOPT (sizeof(fuzz_options) / sizeof(fuzz_options[0]))

/* Every line after a summary's first continues it: indented, as tcpdump's are. */
static bool continued_lines(const char *s)
{
	for (s = strchr(s, '\n'); s; s = strchr(s + 1, '\n'))
		if (s[1] != '\t' && s[1] != ' ')
			return false;
	return true;
}

/* One fuzz input: the output must be NUL-terminated text of the returned length, its
 * lines after the first indented. */
static bool fuzz_one(uint32_t lt, const struct print_options *o, const uint8_t *pkt,
		     uint32_t caplen, uint32_t len)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	char out[OUT_SIZE];
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, pkt, caplen);
	memset(out, 'x', sizeof(out));
	n = print_frame_summary(out, sizeof(out), lt, copy, caplen, len, o);
	free(copy);
	return memchr(out, '\0', sizeof(out)) && n == strlen(out) && continued_lines(out);
}

static void check_fuzz(void)
{
	uint8_t pkt[MAX_PKT];
	char name[96];
	uint32_t cap, n, k, bad = 0, lt;
	int i, round;
	size_t o;

	/* Every capture length of every case, with its own link type and all options. */
	for (i = 0; i < ncases; i++) {
		for (cap = 0; cap <= cases[i].pkt.n; cap++) {
			for (o = 0; o < NOPT; o++) {
				if (!fuzz_one(cases[i].linktype, &fuzz_options[o], cases[i].pkt.d,
					      cap, cases[i].pkt.n) ||
				    !fuzz_one(cases[i].linktype, &fuzz_options[o], cases[i].pkt.d,
					      cap, cap))
					bad++;
			}
			if (!fuzz_one(cases[i].linktype, NULL, cases[i].pkt.d, cap, 0xffffffffu))
				bad++;
		}
	}
	snprintf(name, sizeof(name), "%d cases at every capture length, all options", ncases);
	if (bad)
		not_ok(name, "a bad summary", "NUL-terminated, length returned");
	else
		ok(name);

	/*
	 * Random bytes behind a plausible start, and mutations of the cases, for every link
	 * type (a case's bytes under another link type too).
	 */
	for (lt = 0; lt < NLT; lt++) {
		bad = 0;
		for (round = 0; round < 100000; round++) {
			const struct print_options *op = &fuzz_options[rnd() % NOPT];

			if (round % 2 && ncases) {
				const struct pb *src = &cases[rnd() % (uint32_t)ncases].pkt;

				n = src->n;
				memcpy(pkt, src->d, n);
				for (k = rnd() % 4 + 1; k > 0 && n; k--)
					pkt[rnd() % n] = (uint8_t)rnd();
			} else {
				n = rnd() % 300;
				for (k = 0; k < n; k++)
					pkt[k] = (uint8_t)rnd();
				if (n > 0 && rnd() % 2)
					pkt[0] = (uint8_t)((rnd() % 2 ? 0x40 : 0x60) |
							   (pkt[0] & 0x0f));
				if (n > 14 && rnd() % 2) {
					pkt[12] = rnd() % 2 ? 0x08 : 0x86;
					pkt[13] = pkt[12] == 0x08 ? 0x00 : 0xdd;
				}
			}
			cap = n ? rnd() % (n + 1) : 0;
			if (!fuzz_one(fuzz_linktypes[lt], op, pkt, cap, rnd() % 3 ? n : rnd()))
				bad++;
		}
		snprintf(name, sizeof(name), "random input, link type %u", fuzz_linktypes[lt]);
		if (bad)
			not_ok(name, "a bad summary", "NUL-terminated, length returned");
		else
			ok(name);
	}
}

/* Small buffers: never written past size, always terminated, a prefix of the full text. */
static bool small_ok(const char *full, size_t total, const char *small, size_t size, size_t n,
		     size_t room)
{
	size_t j;
	bool good = n == (size ? (total < size ? total : size - 1) : 0);

	for (j = size; j < room; j++)
		good = good && small[j] == '#';
	if (size)
		good = good && small[n] == '\0' && strlen(small) == n &&
		       strncmp(small, full, n) == 0;
	return good;
}

static void check_small_buffers(void)
{
	static const size_t sizes[] = { 0, 1, 2, 10, 40, 100 };
	struct print_options v = { .verbose = 2, .link_header = true };
	char full[OUT_SIZE], small[128 + 16], name[96];
	struct pb l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	struct pb pkt = ip4(6, &l4), x = echo_body(40), ic = icmp(3, 3, 0, &pkt);
	struct pb err = ip4(1, &ic);
	size_t i, n, total;
	int style;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];

		total = print_ip_summary(full, sizeof(full), pkt.d, pkt.n, pkt.n);
		memset(small, '#', sizeof(small));
		n = print_ip_summary(size ? small : NULL, size, pkt.d, pkt.n, pkt.n);
		snprintf(name, sizeof(name), "summary in a buffer of %zu bytes", size);
		if (small_ok(full, total, small, size, n, sizeof(small)))
			ok(name);
		else
			not_ok(name, "overflow or bad prefix", "a terminated prefix");

		total = print_frame_summary(full, sizeof(full), LINKTYPE_RAW, err.d, err.n, err.n,
					    &v);
		memset(small, '#', sizeof(small));
		n = print_frame_summary(size ? small : NULL, size, LINKTYPE_RAW, err.d, err.n,
					err.n, &v);
		snprintf(name, sizeof(name), "-vv -e summary in a buffer of %zu bytes", size);
		if (small_ok(full, total, small, size, n, sizeof(small)))
			ok(name);
		else
			not_ok(name, "overflow or bad prefix", "a terminated prefix");

		for (style = 0; style < 3; style++) {
			total = print_dump(full, sizeof(full), x.d, x.n, (enum print_dump)style);
			memset(small, '#', sizeof(small));
			n = print_dump(size ? small : NULL, size, x.d, x.n, (enum print_dump)style);
			snprintf(name, sizeof(name), "dump %d in a buffer of %zu bytes", style,
				 size);
			if (small_ok(full, total, small, size, n, sizeof(small)))
				ok(name);
			else
				not_ok(name, "overflow or bad prefix", "a terminated prefix");
		}
	}
}

/*
 * Relative TCP sequence numbers: two connections (the server's port above and below the
 * client's, so both orders of the key are used), IPv4 and IPv6, a SYN seen again, printed
 * with one state as tcpdump prints them without -S; with absolute_seq, as with -S.
 */
static void check_relative_seq(void)
{
	static const struct {
		bool v6, back;
		unsigned int cport, sport, flags;
		uint32_t seq, ack;
		const char *data;
	} p[] = {
		{ false, false, 40000, 5555, 0x02, 1000, 0, NULL },
		{ false, true, 40000, 5555, 0x12, 7000, 1001, NULL },
		{ false, false, 40000, 5555, 0x10, 1001, 7001, NULL },
		{ false, false, 40000, 5555, 0x18, 1001, 7001, "hello" },
		{ false, true, 40000, 5555, 0x18, 7001, 1006, "hi" },
		{ true, false, 50000, 60000, 0x12, 3000000000u, 9, NULL },
		{ true, true, 50000, 60000, 0x18, 8, 3000000001u, "abc" },
		{ true, false, 50000, 60000, 0x11, 3000000001u, 11, NULL },
		{ false, false, 40000, 5555, 0x12, 20, 30, NULL },
		{ false, true, 40000, 5555, 0x10, 30, 21, NULL },
	};
	const int n = (int)(sizeof(p) / sizeof(p[0]));
	const char *tmp = getenv("TMPDIR");
	char path[256], cmd[512], got[OUT_SIZE], name[64], *want[2];
	struct pb pkts[sizeof(p) / sizeof(p[0])];
	FILE *f;
	int i, k, fd;

	for (i = 0; i < n; i++) {
		const char *a = p[i].v6 ? "2001:db8::1" : "10.0.0.1";
		const char *b = p[i].v6 ? "2001:db8::2" : "10.0.0.2";
		struct pb l4 = tcpx(p[i].back ? p[i].sport : p[i].cport,
				    p[i].back ? p[i].cport : p[i].sport, p[i].seq, p[i].ack,
				    p[i].flags, 512, NULL, p[i].data, -1);

		pkts[i] = p[i].v6 ? ip6x(p[i].back ? b : a, p[i].back ? a : b, 6, &l4, -1)
				  : ip4x(p[i].back ? b : a, p[i].back ? a : b, 6, &l4, NULL, 0, -1,
					 -1);
	}
	snprintf(path, sizeof(path), "%s/test_print_seq.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		not_ok("relative sequence numbers: pcap", "error", "a file");
		return;
	}
	le32(f, 0xa1b2c3d4);
	le16(f, 2);
	le16(f, 4);
	le32(f, 0);
	le32(f, 0);
	le32(f, 262144);
	le32(f, LINKTYPE_RAW);
	for (i = 0; i < n; i++) {
		le32(f, TS_BASE);
		le32(f, 0);
		le32(f, pkts[i].n);
		le32(f, pkts[i].n);
		fwrite(pkts[i].d, 1, pkts[i].n, f);
	}
	fclose(f);
	for (k = 0; k < 2; k++) {
		snprintf(cmd, sizeof(cmd), "tcpdump -n -t %s -r '%s' 2>/dev/null", k ? "-S" : "",
			 path);
		want[k] = read_command(cmd);
	}
	unlink(path);
	for (k = 0; k < 2; k++) {
		struct print_options o = { .absolute_seq = k == 1, .state = print_state__new() };
		const char *line = want[k];

		for (i = 0; i < n && line; i++) {
			const char *end = strchr(line, '\n');

			print_frame_summary(got, sizeof(got), LINKTYPE_RAW, pkts[i].d, pkts[i].n,
					    pkts[i].n, &o);
			snprintf(name, sizeof(name), "%s sequence numbers, packet %d",
				 k ? "-S: absolute" : "relative", i + 1);
			if (end && strlen(got) == (size_t)(end - line) &&
			    !strncmp(got, line, (size_t)(end - line)))
				ok(name);
			else
				not_ok(name, got, line);
			line = end ? end + 1 : NULL;
		}
		print_state__free(o.state);
		free(want[k]);
	}
}

int main(void)
{
	bool tcpdump = have_tcpdump();

	build_cases();
	if (tcpdump) {
		compare_with_tcpdump();
		check_relative_seq();
	}
	check_direct();
	check_fuzz();
	check_small_buffers();

	if (tap_done())
		return 1;
	if (!tcpdump) {
		printf("# tcpdump not found: the comparison with tcpdump was skipped\n");
		return 77;
	}
	return 0;
}
