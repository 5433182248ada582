// SPDX-License-Identifier: GPL-2.0
/* test_print: the case table and the cases, grouped by link type and tcpdump options. */
#include "test_print/print_test.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the cases ---- */

struct tcase cases[MAX_CASES];
int ncases;
static uint32_t cur_lt = LINKTYPE_RAW;
static const char *cur_flags = "";

/* The link type and tcpdump options of the cases added next. */
static void set_run(uint32_t linktype, const char *flags)
{
	cur_lt = linktype;
	cur_flags = flags;
}

static struct tcase *add(const char *name, struct pb pkt, bool sweep)
{
	if (ncases >= MAX_CASES)
		abort();
	cases[ncases] = (struct tcase){ .name = name,
					.linktype = cur_lt,
					.flags = cur_flags,
					.pkt = pkt,
					.len = pkt.n,
					.sweep = sweep };
	return &cases[ncases++];
}

/* Only the first len bytes of pkt, captured whole: the IP length says more. */
static void add_short(const char *name, struct pb pkt, uint32_t len)
{
	pkt.n = len;
	add(name, pkt, false);
}

/* A deliberate difference: the printer shows want, and tcpdump must show something else. */
static void add_want(const char *name, struct pb pkt, const char *want)
{
	add(name, pkt, false)->want = want;
}

static void build_ip_cases(void)
{
	struct pb l4, q, x, y;

	/* TCP */
	l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	add("tcp4 syn", ip4(6, &l4), true);
	add("tcp6 syn", ip6(6, &l4), true);
	l4 = tcp(0x12, "020405b4 0402 080a0000000200000001 01 030307", NULL);
	add("tcp4 syn-ack", ip4(6, &l4), false);
	l4 = tcp(0x18, "0101 080a0000000100000002", "hello");
	add("tcp4 data", ip4(6, &l4), true);
	add("tcp6 data", ip6(6, &l4), true);
	l4 = tcp(0x11, NULL, NULL);
	add("tcp4 fin-ack", ip4(6, &l4), false);
	l4 = tcp(0x04, NULL, NULL);
	add("tcp4 rst", ip4(6, &l4), false);
	l4 = tcp(0xff, NULL, "x");
	add("tcp4 all flags", ip4(6, &l4), false);
	l4 = tcp(0x00, NULL, NULL);
	add("tcp4 no flags", ip4(6, &l4), false);
	l4 = tcp(0x10, "0101 050a 000000c8 000001f4", NULL);
	add("tcp4 sack", ip4(6, &l4), true);
	l4 = tcp(0x10, "0101 0512 0000000a 00000014 0000001e 00000028 0101", NULL);
	add("tcp4 sack 2 blocks", ip4(6, &l4), false);
	l4 = tcp(0x10, "0101 0507 0000000a 000000", NULL);
	add("tcp4 sack invalid", ip4(6, &l4), false);
	l4 = tcp(0x02, "6304 abcd 1c02 8001 2202 0101 0606 00000001", NULL);
	add("tcp4 opts unknown uto tfo echo", ip4(6, &l4), true);
	l4 = tcp(0x02, "220a 0102030405060708 1404 0102 fe04 f989 fe06 1234abcd", NULL);
	add("tcp4 opts tfo-cookie scps exp", ip4(6, &l4), false);
	l4 = tcp(0x02, "1d06 0102 0304 1d04 0708 0b06 00000005 0d06 00000006", NULL);
	add("tcp4 opts tcp-ao cc", ip4(6, &l4), false);
	l4 = tcp(0x02, "020405b4 00 000000", NULL);
	add("tcp4 opts eol", ip4(6, &l4), false);
	l4 = tcp(0x18, "00 0000000000000000000000", "data");
	add("tcp4 eol then payload", ip4(6, &l4), true);
	l4 = tcp(0x02, "0404 0000", NULL);
	add("tcp4 opt sackOK bad len", ip4(6, &l4), false);
	l4 = tcp(0x02, "020a0000", NULL);
	add("tcp4 bad opt", ip4(6, &l4), false);
	l4 = tcp(0x02, "0101 0209", NULL);
	add("tcp4 bad opt later", ip4(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, NULL, 4);
	add("tcp4 hdr too short", ip4(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, "abcd", 15);
	add("tcp4 hdr too long", ip4(6, &l4), false);
	l4 = tcpx(40000, 5555, 4294967295u, 0, 0x18, 5, NULL, "wrap", -1);
	add("tcp4 seq wrap", ip4(6, &l4), false);

	/* UDP */
	l4 = udp("hello");
	add("udp4", ip4(17, &l4), true);
	add("udp6", ip6(17, &l4), true);
	q = ip4x("10.1.2.3", "192.168.100.200", 17, &l4, NULL, 0, -1, -1);
	add("udp4 other addresses", q, false);
	l4 = udpx(40000, 5555, "hello", 20);
	add("udp4 bad length", ip4(17, &l4), false);
	l4 = udpx(40000, 5555, "hello", 4);
	add("udp4 truncated-udplength", ip4(17, &l4), false);
	l4 = udp("hello");
	q = ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0, 24, -1);
	add("udp4 ip length cuts udp", q, false);

	/* IPv4 */
	l4 = tcp(0x02, NULL, NULL);
	add("ip4 options", ip4x("127.0.0.1", "127.0.0.2", 6, &l4, "94040000 01010100", 0, -1, -1),
	    true);
	q = ip4x("127.0.0.1", "127.0.0.1", 6, &l4, "01010101", 0, -1, -1);
	add_short("ip4 truncated-ip", q, q.n - 4);
	q.d[3] = 60;
	add("ip4 truncated-ip length past packet", q, false);
	add("ip4 bad-len", ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, 19, -1), false);
	add("ip4 bad-hlen", ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, -1, 4), false);
	add("ip4 ihl past capture", ip4x("127.0.0.1", "127.0.0.1", 1, &l4, NULL, 0, -1, 15), false);
	l4 = udp("0123456789abcdef");
	add("ip4 first fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x2000, 30, -1),
	    false);
	add("ip4 later fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x0003, -1, -1),
	    false);
	l4 = hexpb("01020304");
	add("ip4 proto 99", ip4(99, &l4), false);
	add("ip4 proto 0 empty",
	    ip4x("1.2.3.4", "5.6.7.8", 0, &(struct pb){ .n = 0 }, NULL, 0, -1, -1), false);
	add("ip4 no next header", ip4(59, &l4), false);
	l4 = udp("hello");
	q = ip4(17, &l4);
	add("ip4 in ip4", ip4(4, &q), true);
	q = ip6(17, &l4);
	add("ip6 in ip4", ip4(41, &q), false);
	add("ip6 in ip6", ip6(41, &q), false);
	add("ip6 in ip4 bad version", ip4(4, &q), false);
	x = hexpb("5000");
	add("ip4 in ip4 version 5", ip4(4, &x), false);
	q = ip4(17, &l4);
	add("ip4 in ip6", ip6(4, &q), false);
	l4 = icmp(128, 0, 0x00070001, NULL);
	add("icmp6 in ip4", ip4(58, &l4), false);
	l4 = icmp(8, 0, 0x00070001, NULL);
	add("icmp in ip6", ip6(1, &l4), false);
	add("unknown version 5", hexpb("55000014 00000000 40060000 7f000001 7f000001"), false);
	add("unknown version 0", hexpb("00"), false);

	/* IGMP */
	l4 = hexpb("16000000 e00000fb");
	add("igmp v2 report", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, "94040000", 0, -1, -1),
	    false);
	l4 = hexpb("22000000 00000002 04000000 e00000fb 04000001 e00000fc 0a000001");
	add("igmp v3 report", ip4x("10.0.0.1", "224.0.0.22", 2, &l4, NULL, 0, -1, -1), false);
	l4 = hexpb("11640000 00000000");
	add("igmp v2 general query", ip4x("10.0.0.1", "224.0.0.1", 2, &l4, NULL, 0, -1, -1), false);
	l4 = hexpb("110a0000 e00000fb 02140001 0a000001");
	add("igmp v3 query", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1), false);
	l4 = hexpb("11b40000 e00000fb 02140000");
	add("igmp v3 query long mrt", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1),
	    false);
	l4 = hexpb("17000000 e00000fb");
	add("igmp leave", ip4x("10.0.0.1", "224.0.0.2", 2, &l4, NULL, 0, -1, -1), true);
	l4 = hexpb("61000000 e00000fb");
	add("igmp unknown", ip4x("10.0.0.1", "224.0.0.2", 2, &l4, NULL, 0, -1, -1), false);
	add("igmp in ip6", ip6(2, &l4), false);

	/* ICMP */
	x = echo_body(56);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("icmp echo request", ip4(1, &l4), true);
	l4 = icmp(0, 0, 0x00070001, &x);
	add("icmp echo reply", ip4x("192.0.2.1", "10.0.0.1", 1, &l4, NULL, 0, -1, -1), false);
	y = udp("");
	q = ip4(17, &y);
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable udp", ip4(1, &l4), true);
	y = tcp(0x02, NULL, NULL);
	q = ip4(6, &y);
	q.n = 28;
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable tcp", ip4(1, &l4), false);
	q.d[9] = 132;
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable other", ip4(1, &l4), false);
	l4 = icmp(3, 1, 0, &q);
	add("icmp host unreachable", ip4(1, &l4), false);
	l4 = icmp(3, 2, 0, &q);
	add("icmp protocol unreachable", ip4(1, &l4), false);
	l4 = icmp(3, 4, 1400, &q);
	add("icmp need frag", ip4(1, &l4), true);
	l4 = icmp(3, 13, 0, &q);
	add("icmp admin prohibited", ip4(1, &l4), false);
	l4 = icmp(3, 99, 0, &q);
	add("icmp unreachable unknown code", ip4(1, &l4), false);
	l4 = icmp(11, 0, 0, &q);
	add("icmp time exceeded", ip4(1, &l4), true);
	l4 = icmp(11, 1, 0, &q);
	add("icmp reassembly time exceeded", ip4(1, &l4), false);
	l4 = icmp(5, 1, 0x0a000001, &q);
	add("icmp redirect", ip4(1, &l4), false);
	l4 = icmp(12, 0, 0x14000000, &q);
	add("icmp parameter problem", ip4(1, &l4), false);
	y = hexpb("00000064 000000c8 05265c00");
	l4 = icmp(14, 0, 0x00070001, &y);
	add("icmp timestamp reply", ip4(1, &l4), true);
	l4 = icmp(13, 0, 0x00070001, &y);
	add("icmp timestamp request", ip4(1, &l4), false);
	y = hexpb("ffffff00");
	l4 = icmp(18, 0, 0x00070001, &y);
	add("icmp mask reply", ip4(1, &l4), false);
	y = hexpb("c0000201 00000001 c0000202 00000000");
	l4 = icmp(9, 0, 0x02020e10, &y);
	add("icmp router advertisement", ip4(1, &l4), true);
	l4 = icmp(10, 0, 0, NULL);
	add("icmp router solicitation", ip4(1, &l4), false);
	l4 = icmp(42, 0, 0, NULL);
	add("icmp unknown type", ip4(1, &l4), false);

	/* ICMPv6 */
	x = echo_body(56);
	l4 = icmp(128, 0, 0x00070001, &x);
	add("icmp6 echo request", ip6(58, &l4), true);
	l4 = icmp(129, 0, 0x00070001, &x);
	add("icmp6 echo reply", ip6x("2001:db8::1", "2001:db8:0:1::2", 58, &l4, -1), false);
	y = hexpb("fe800000000000000000000000000001 0101 020000000001");
	l4 = icmp(135, 0, 0, &y);
	add("icmp6 neighbor solicitation", ip6x("fe80::2", "ff02::1:ff00:1", 58, &l4, -1), true);
	l4 = icmp(136, 0, 0x60000000, &y);
	add("icmp6 neighbor advertisement", ip6x("fe80::1", "fe80::2", 58, &l4, -1), false);
	l4 = icmp(133, 0, 0, NULL);
	add("icmp6 router solicitation", ip6x("fe80::2", "ff02::2", 58, &l4, -1), false);
	y = hexpb("00000000 00000000");
	l4 = icmp(134, 0, 0x40000708, &y);
	add("icmp6 router advertisement", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("fe800000000000000000000000000001 20010db8000000000000000000000099");
	l4 = icmp(137, 0, 0, &y);
	add("icmp6 redirect", ip6x("fe80::1", "fe80::2", 58, &l4, -1), true);
	y = udp("hi");
	q = ip6x("2001:db8::1", "2001:db8::2", 17, &y, -1);
	l4 = icmp(1, 4, 0, &q);
	add("icmp6 port unreachable", ip6(58, &l4), true);
	y = tcp(0x02, NULL, NULL);
	x = frag6(6, 0, true, 1, &y);
	q = ip6x("2001:db8::1", "2001:db8::2", 44, &x, -1);
	l4 = icmp(1, 4, 0, &q);
	add("icmp6 port unreachable tcp after frag", ip6(58, &l4), false);
	l4 = icmp(1, 3, 0, &q);
	add("icmp6 address unreachable", ip6(58, &l4), false);
	l4 = icmp(1, 2, 0, &q);
	add("icmp6 beyond scope", ip6(58, &l4), false);
	l4 = icmp(1, 9, 0, &q);
	add("icmp6 unreachable unknown code", ip6(58, &l4), false);
	l4 = icmp(2, 0, 1280, &q);
	add("icmp6 packet too big", ip6(58, &l4), false);
	l4 = icmp(3, 0, 0, &q);
	add("icmp6 time exceeded", ip6(58, &l4), false);
	l4 = icmp(4, 1, 40, &q);
	add("icmp6 parameter problem", ip6(58, &l4), true);
	y = hexpb("ff020000000000000000000000000016");
	l4 = icmp(131, 0, 0, &y);
	add("icmp6 mld report", ip6x("fe80::1", "ff02::16", 58, &l4, -1), false);
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("icmp6 mld query", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("ff020000000000000000000000000016 027d0001 20010db8000000000000000000000001");
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("icmp6 mld v2 query", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("04000000 ff0200000000000000000001ff000001");
	l4 = icmp(143, 0, 1, &y);
	x = ext6(58, "05020000 0100", &l4);
	add("icmp6 mld v2 report after hbh", ip6x("fe80::1", "ff02::16", 0, &x, -1), true);
	l4 = icmp(200, 0, 0, NULL);
	add("icmp6 unknown type", ip6(58, &l4), false);
	l4 = icmp(155, 0, 0, NULL);
	add("icmp6 rpl", ip6(58, &l4), false);
	add("icmp6 empty", ip6(58, &(struct pb){ .n = 0 }), false);

	/* IPv6 extension headers */
	l4 = udp("hello");
	x = frag6(17, 0, true, 0x1234, &l4);
	y = ext6(44, "0000 00000000", &x);
	add("ip6 hbh frag udp", ip6(0, &y), true);
	x = frag6(17, 1448, false, 0x1234, &l4);
	add("ip6 later fragment", ip6(44, &x), true);
	l4 = tcp(0x02, NULL, NULL);
	x = frag6(6, 0, false, 7, &l4);
	add("ip6 frag tcp", ip6(44, &x), false);
	l4 = udp("hello");
	x = ext6(17, "0104 00000000", &l4);
	add("ip6 dstopts", ip6(60, &x), true);
	x = ext6(17, "00 01 00000000 20010db8000000000000000000000001", &l4);
	add("ip6 routing type 0", ip6(43, &x), true);
	x = ext6(17, "04 01 00 00 0000 20010db8000000000000000000000002", &l4);
	add("ip6 routing type 4", ip6(43, &x), false);
	x = ext6(17, "03 01 00000000", &l4);
	add("ip6 routing unknown type", ip6(43, &x), false);
	x = ext6(0, "0000 00000000", &l4);
	y = ext6(0, "0000 00000000", &x);
	add("ip6 hbh twice", ip6(0, &y), false);
	y = ext6(0, "0000 00000000", &l4);
	x = ext6(17, "0104 00000000", &y);
	add("ip6 hbh after dstopts", ip6(60, &x), false);
	x = ext6(17, "0503 00000000", &l4);
	add("ip6 hbh bad router alert", ip6(0, &x), false);
	x = ext6(17, "010a 00000000", &l4);
	add("ip6 hbh option too long", ip6(0, &x), false);
	x = ext6(17, "c204 00011170", &l4);
	add("ip6 jumbo", ip6x("::1", "::1", 0, &x, 0), false);
	x = ext6(17, "c204 00000064", &l4);
	add("ip6 jumbo too small", ip6x("::1", "::1", 0, &x, 0), false);
	x = ext6(17, "0104 00000000", &l4);
	add("ip6 zero payload length dstopts", ip6x("::1", "::1", 60, &x, 0), false);
	add("ip6 no next header", ip6(59, &(struct pb){ .n = 0 }), false);
	add("ip6 proto 99", ip6(99, &l4), false);
	add("ip6 payload length past packet", ip6x("::1", "::1", 17, &l4, 20), false);
	add("ip6 payload length short", ip6x("::1", "::1", 17, &l4, 10), false);
	x = frag6(17, 0, true, 1, &l4);
	add("ip6 frag payload length short", ip6x("::1", "::1", 44, &x, 4), false);
	add("ip6 addresses", ip6x("2001:db8:0:0:1:0:0:1", "::ffff:192.0.2.1", 17, &l4, -1), false);
	add("ip6 addresses 2", ip6x("fe80::1:0:0:0", "1:0:2:0:3:0:4:0", 17, &l4, -1), false);
	add("ip6 addresses 3", ip6x("::", "::1.2.3.4", 17, &l4, -1), false);
	/* Lengths of 0, as on BIG TCP sends: nothing is read past them. */
	l4 = tcp(0x02, NULL, NULL);
	add("ip4 total length 0", ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, 0, -1), true);
	l4 = udp("hello");
	add("ip6 payload length 0, udp", ip6x("::1", "::1", 17, &l4, 0), true);
	l4 = tcp(0x02, NULL, NULL);
	add("ip6 payload length 0, tcp", ip6x("::1", "::1", 6, &l4, 0), true);
	x = hexpb("fe800000000000000000000000000001");
	l4 = icmp(136, 0, 0, &x);
	add("ip6 payload length 0, icmp6", ip6x("::1", "::1", 58, &l4, 0), true);
}

/*
 * The deliberate differences of the IP layers: the packet and what pidcap prints;
 * tcpdump's text for the same packet is in the comment.
 */
static void build_deliberate_ip(void)
{
	struct pb l4;

	set_run(LINKTYPE_RAW, "");
	/*
	 * TCP MD5 signature: tcpdump (with libcrypto) says "shared secret not supplied with
	 * -M, can't check - " before the digest; pidcap shows only the digest.
	 */
	l4 = tcp(0x02, "1312 000102030405060708090a0b0c0d0e0f 00 00", NULL);
	add_want("tcp4 md5 option (deliberate)", ip4(6, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
		 "options [md5 000102030405060708090a0b0c0d0e0f,eol], length 0");
	/* MPTCP options: pidcap stops at the subtype, tcpdump goes on with its fields. */
	l4 = tcp(0x02, "1e0c 0081 0102030405060708 0101 0101", NULL);
	add_want("tcp4 mptcp option (deliberate)", ip4(6, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
		 "options [mptcp 12 capable,nop,nop,nop,nop], length 0");
	/* SCTP is not decoded: tcpdump prints "IP 127.0.0.1.1 > 127.0.0.1.2: sctp ...". */
	l4 = hexpb("00010002 00000000 00000000");
	add_want("ip4 sctp not decoded (deliberate)", ip4(132, &l4),
		 "IP 127.0.0.1 > 127.0.0.1:  ip-proto-132 12");
	/*
	 * Application protocols other than DNS are not decoded: tcpdump shows NTP here
	 * ("NTPv4, Client, length 48"), DHCP, SNMP and others likewise.
	 */
	l4 = udpx(40000, 123, "#0123456789abcdef0123456789abcdef0123456789abcde", -1);
	add_want("udp4 ntp not decoded (deliberate)", ip4(17, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.123: UDP, length 48");
}

static void build_dns_cases(void)
{
	struct pb m, rd, l4, x;
	int i, j;

	set_run(LINKTYPE_RAW, "");
	m = dnsq(0x1234, "example.org", 1);
	add("dns query A", dns_udp(&m, false), true);
	l4 = udpb(40000, 53, &m);
	add("dns6 query A", ip6x("2001:db8::1", "2001:db8::53", 17, &l4, -1), false);

	/* A query for AAAA with an EDNS OPT record (DO, a cookie). */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 4242, 0x0120, 1, 0, 0, 1);
	dq(&m, "www.example.org", 28, 1);
	rd = hexpb("000a 0008 0102030405060708");
	drr(&m, "00", 41, 1232, 0x00008000, &rd);
	add("dns query AAAA with EDNS", dns_udp(&m, false), true);

	/* An answer whose owner points to the question. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0x1234, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	add("dns response A compressed", dns_udp(&m, true), true);

	/* CNAME, then A for the name the CNAME points to. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 7, 0x8180, 1, 2, 0, 0);
	dq(&m, "www.example.org", 1, 1);
	rd = hexpb("c010");
	drr(&m, "c00c", 5, 1, 60, &rd);
	rd = hexpb("c0000201");
	drr(&m, "c010", 1, 1, 60, &rd);
	add("dns response CNAME and A", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 8, 0x8580, 1, 1, 0, 0);
	dq(&m, "example.org", 28, 1);
	rd = hexpb("20010db8000000000000000000000001");
	drr(&m, "c00c", 28, 1, 60, &rd);
	add("dns response AAAA authoritative", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 9, 0x8180, 1, 1, 0, 0);
	dq(&m, "1.2.0.192.in-addr.arpa", 12, 1);
	rd = names("host.example.org", NULL);
	drr(&m, "c00c", 12, 1, 60, &rd);
	add("dns response PTR", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 10, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 15, 1);
	rd = hexpb("000a 046d61696c c00c");
	drr(&m, "c00c", 15, 1, 60, &rd);
	add("dns response MX", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 11, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 16, 1);
	rd = hexpb("05 68656c6c6f 07 776f72226c6401 03 41ff42 00");
	drr(&m, "c00c", 16, 1, 60, &rd);
	add("dns response TXT", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 12, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 2, 1);
	rd = hexpb("036e7331 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	rd = hexpb("036e7332 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	add("dns response NS", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 13, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 6, 1);
	rd = hexpb("036e7331 c00c 0a686f73746d6173746572 c00c 78a3b2c1 00000e10 00000384 00093a80 "
		   "00000e10");
	drr(&m, "c00c", 6, 1, 60, &rd);
	add("dns response SOA", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 14, 0x8180, 1, 1, 0, 0);
	dq(&m, "_sip._tcp.example.org", 33, 1);
	rd = hexpb("000a 003c 13c4 03736970 c016");
	drr(&m, "c00c", 33, 1, 60, &rd);
	add("dns response SRV", dns_udp(&m, true), true);

	/* NXDOMAIN with the zone's SOA in the authority section. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 15, 0x8183, 1, 0, 1, 0);
	dq(&m, "nope.example.org", 1, 1);
	rd = hexpb("036e7331 c011 0a686f73746d6173746572 c011 00000001 00000002 00000003 00000004 "
		   "00000005");
	drr(&m, "c011", 6, 1, 60, &rd);
	add("dns response NXDomain", dns_udp(&m, true), false);

	/* The extended rcode of an OPT record: 16, BADVERS. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 16, 0x8180, 1, 0, 0, 1);
	dq(&m, "example.org", 1, 1);
	rd = (struct pb){ .n = 0 };
	drr(&m, "00", 41, 4096, 0x01000000, &rd);
	add("dns response extended rcode", dns_udp(&m, true), false);

	/* Pointers: to themselves, forward, in a cycle; all refused. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 17, 0x0100, 1, 0, 0, 0);
	bhex(&m, "c00c 0001 0001");
	add("dns pointer to itself", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 18, 0x0100, 1, 0, 0, 0);
	bhex(&m, "01 61 c012 0001 0001 01 62 c00c");
	add("dns pointer loop", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 19, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c0ff", 1, 1, 60, &rd);
	add("dns answer pointer past the end", dns_udp(&m, true), false);

	/* Names: too long, bad label type, unknown and bit-string extended labels. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 20, 0x0100, 1, 0, 0, 0);
	for (i = 0; i < 5; i++) {
		b8(&m, 60);
		for (j = 0; j < 60; j++)
			b8(&m, 'a' + (unsigned int)i);
	}
	bhex(&m, "00 0001 0001");
	add("dns name too long", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 21, 0x0100, 1, 0, 0, 0);
	bhex(&m, "8161 00 0001 0001");
	add("dns bad label type", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 22, 0x0100, 1, 0, 0, 0);
	bhex(&m, "4261 00 0001 0001");
	add("dns unknown extended label", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 23, 0x0100, 1, 0, 0, 0);
	bhex(&m, "41 0c abcd 03636f6d 00 0001 0001");
	add("dns bit-string label", dns_udp(&m, false), true);

	/* Two questions, odd bits, a class, an unknown type, an inverse query. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 24, 0x0100, 2, 0, 0, 0);
	dq(&m, "a.example", 1, 1);
	dq(&m, "b.example", 28, 1);
	add("dns two questions", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 25, 0x0150, 1, 1, 1, 0);
	dq(&m, "version.bind", 16, 3);
	add("dns query odd bits class CHAOS", dns_udp(&m, false), false);
	m = dnsq(26, "example.org", 65);
	add("dns query unknown type", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 27, 0x0900, 0, 1, 0, 0);
	add("dns inverse query", dns_udp(&m, false), false);

	/* Answers missing, a message shorter than its header. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 28, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c00c", 1, 1, 60, &rd);
	add("dns response missing answer", dns_udp(&m, true), false);
	m = hexpb("00010100");
	add("dns shorter than header", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 29, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	add("dns response answer not there", dns_udp(&m, true), false);

	/* Over TCP, with the length prefix. */
	x = dnsq(0x4321, "example.org", 1);
	m = (struct pb){ .n = 0 };
	b16(&m, x.n);
	bpb(&m, &x);
	l4 = tcpb(40000, 53, 0x18, &m);
	add("dns over tcp query", ip4x("10.0.0.1", "10.0.0.53", 6, &l4, NULL, 0x4000, -1, -1),
	    true);
	m.d[1]++;
	l4 = tcpb(40000, 53, 0x18, &m);
	add("dns over tcp bad prefix", ip4x("10.0.0.1", "10.0.0.53", 6, &l4, NULL, 0x4000, -1, -1),
	    false);

	/* mDNS: a question wanting a unicast answer, an answer flushing caches. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0, 0x0000, 1, 0, 0, 0);
	dq(&m, "printer.local", 1, 0x8001);
	l4 = udpb(5353, 5353, &m);
	add("mdns query QU", ip4x("10.0.0.1", "224.0.0.251", 17, &l4, NULL, 0, -1, -1), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0, 0x8400, 0, 1, 0, 0);
	rd = hexpb("0a000001");
	drr(&m, "077072696e746572 056c6f63616c 00", 1, 0x8001, 120, &rd);
	l4 = udpb(5353, 5353, &m);
	add("mdns response cache flush", ip4x("10.0.0.1", "224.0.0.251", 17, &l4, NULL, 0, -1, -1),
	    true);

	/* URI and a type without data handling. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 30, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 256, 1);
	rd = hexpb("000a 0001 687474703a2f2f782f");
	drr(&m, "c00c", 256, 1, 60, &rd);
	rd = hexpb("0102");
	drr(&m, "c00c", 99, 1, 60, &rd);
	add("dns response URI SPF", dns_udp(&m, true), false);

	/* -v: the owner names, SOA details; -vv: every section and the EDNS options. */
	set_run(LINKTYPE_RAW, "-v");
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0x1234, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	add("dns -v response A", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 13, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 6, 1);
	rd = hexpb("036e7331 c00c 0a686f73746d6173746572 c00c 78a3b2c1 00000e10 00000384 00093a80 "
		   "00000e10");
	drr(&m, "c00c", 6, 1, 60, &rd);
	add("dns -v response SOA", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 19, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c01d", 1, 1, 60, &rd);
	add("dns -v answer pointer to itself", fix_cksums(dns_udp(&m, true)), false);

	set_run(LINKTYPE_RAW, "-vv");
	m = (struct pb){ .n = 0 };
	dhdr(&m, 4242, 0x0120, 1, 0, 0, 1);
	dq(&m, "www.example.org", 28, 1);
	rd = hexpb("0008 0007 0001 18 00 c00002"
		   " 000a 0018 0102030405060708 0102030405060708090a0b0c0d0e0f10"
		   " 000b 0002 0064 000c 0003 000000 0009 0004 00000e10 000e 0004 4f2a 1234"
		   " 0005 0002 080d 0003 0002 abcd 00ff 0001 01");
	drr(&m, "00", 41, 1232, 0x00008000, &rd);
	add("dns -vv query EDNS options", fix_cksums(dns_udp(&m, false)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 15, 0x8183, 1, 0, 1, 1);
	dq(&m, "nope.example.org", 1, 1);
	rd = hexpb("036e7331 c011 0a686f73746d6173746572 c011 00000001 00000002 00000003 00000004 "
		   "00000005");
	drr(&m, "c011", 6, 1, 60, &rd);
	rd = (struct pb){ .n = 0 };
	drr(&m, "00", 41, 1232, 0, &rd);
	add("dns -vv response NXDomain sections", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 31, 0x8180, 1, 1, 1, 1);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	rd = hexpb("036e7331 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	rd = hexpb("c0000235");
	drr(&m, "c039", 1, 1, 60, &rd);
	add("dns -vv response all sections", fix_cksums(dns_udp(&m, true)), true);
}

/* IPv6 header fields that ip6x() leaves at zero: traffic class and flow label. */
static struct pb with_flow(struct pb b, unsigned int class, uint32_t flow)
{
	uint32_t w = 0x60000000u | (uint32_t) class << 20 | (flow & 0xfffff);

	b.d[0] = (uint8_t)(w >> 24);
	b.d[1] = (uint8_t)(w >> 16);
	b.d[2] = (uint8_t)(w >> 8);
	b.d[3] = (uint8_t)w;
	return b;
}

static void build_verbose_cases(void)
{
	struct pb l4, q, x, y, p;

	set_run(LINKTYPE_RAW, "-v");
	l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	add("-v tcp4 syn cksum ok", fix_cksums(ip4(6, &l4)), true);
	add("-v tcp4 syn cksum bad", ip4(6, &l4), false);
	add("-v tcp6 syn", fix_cksums(ip6(6, &l4)), true);
	l4 = tcp(0x18, NULL, "hello");
	add("-v tcp4 data", fix_cksums(ip4x("10.1.2.3", "10.3.2.1", 6, &l4, NULL, 0x4000, -1, -1)),
	    false);
	l4 = tcp(0x14, NULL, "connection refused by policy, see the admin");
	add("-v tcp4 rst with text", fix_cksums(ip4(6, &l4)), false);
	l4 = udp("hello");
	add("-v udp4", fix_cksums(ip4(17, &l4)), true);
	p = fix_cksums(ip6(17, &l4));
	add("-v udp6 sum ok", p, true);
	p.d[p.n - 1] ^= 1;
	add("-v udp6 bad sum", p, false);
	p = with_flow(fix_cksums(ip6(17, &l4)), 0xb8, 0x12345);
	add("-v ip6 class flowlabel", p, false);
	add("-v ip4 options",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4,
			    "07 0b 08 0a000001 0a000002 01 9404 0000", 0x4000, -1, -1)),
	    true);
	add("-v ip4 timestamp option",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4, "440c 0501 0a000001 00000064 00000000",
			    0, -1, -1)),
	    false);
	add("-v ip4 lsrr option",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4, "83 0b 04 0a000005 0a000006 00", 0, -1,
			    -1)),
	    false);
	add("-v ip4 bad header cksum", ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x2000, -1, -1),
	    false);
	add("-v ip4 fragment", ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x2005, -1, -1), false);
	x = echo_body(56);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("-v icmp echo", fix_cksums(ip4(1, &l4)), true);
	add("-v icmp echo bad cksum", ip4(1, &l4), false);
	y = udp("query");
	q = fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &y, NULL, 0x4000, -1, -1));
	l4 = icmp(3, 3, 0, &q);
	add("-v icmp port unreachable quotes",
	    fix_cksums(ip4x("10.0.0.2", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	y = tcp(0x02, NULL, NULL);
	q = ip4x("10.0.0.1", "10.0.0.9", 6, &y, NULL, 0x4000, -1, -1);
	q.n = 28;
	l4 = icmp(11, 0, 0, &q);
	add("-v icmp time exceeded quotes",
	    fix_cksums(ip4x("10.0.0.254", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	/* RFC 4884: the quoted packet padded to 128 bytes, then an MPLS label stack object. */
	y = udpx(40000, 33434,
		 "0123456789012345678901234567890123456789012345678901234567890"
		 "123456789012345678901234567890123456789",
		 -1);
	q = ip4x("10.0.0.1", "10.0.0.9", 17, &y, NULL, 0x4000, -1, -1);
	y = hexpb("2000 0000 0008 0101 0006 41ff");
	x = y;
	x.d[2] = (uint8_t)(csum(x.d, x.n, 0) >> 8);
	x.d[3] = (uint8_t)csum(y.d, y.n, 0);
	bpb(&q, &x);
	l4 = icmp(11, 0, 0x00200000, &q);
	add("-v icmp time exceeded mpls extension",
	    fix_cksums(ip4x("10.0.0.254", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	x = echo_body(56);
	l4 = icmp(128, 0, 0x00070001, &x);
	add("-v icmp6 echo", fix_cksums(ip6(58, &l4)), false);
	y = hexpb("fe800000000000000000000000000001 0101 020000000001");
	l4 = icmp(135, 0, 0, &y);
	add("-v icmp6 neighbor solicitation",
	    fix_cksums(ip6x("fe80::2", "ff02::1:ff00:1", 58, &l4, -1)), true);
	y = hexpb("fe800000000000000000000000000001 0201 020000000001");
	l4 = icmp(136, 0, 0xe0000000, &y);
	add("-v icmp6 neighbor advertisement", fix_cksums(ip6x("fe80::1", "fe80::2", 58, &l4, -1)),
	    false);
	y = hexpb("00000000 00000000 0101 020000000001 0501 00000000000005dc"
		  " 0304 40c0 00278d00 00093a80 00000000 20010db8000000000000000000000000"
		  " 1903 0000 0e10 20010db8000000000000000000000053 0701 0000 000003e8");
	l4 = icmp(134, 0, 0x40c00708, &y);
	add("-v icmp6 router advertisement", fix_cksums(ip6x("fe80::1", "ff02::1", 58, &l4, -1)),
	    true);
	y = udp("hi");
	q = ip6x("2001:db8::1", "2001:db8::2", 17, &y, -1);
	l4 = icmp(1, 4, 0, &q);
	add("-v icmp6 port unreachable", fix_cksums(ip6(58, &l4)), false);
	y = hexpb("ff020000000000000000000000000016 027d0002 20010db8000000000000000000000001"
		  " 20010db8000000000000000000000002");
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("-v icmp6 mld v2 query", fix_cksums(ip6x("fe80::1", "ff02::1", 58, &l4, -1)), false);
	y = hexpb("04000001 ff0200000000000000000001ff000001 20010db8000000000000000000000001");
	l4 = icmp(143, 0, 1, &y);
	add("-v icmp6 mld v2 report", fix_cksums(ip6x("fe80::1", "ff02::16", 58, &l4, -1)), false);
	l4 = hexpb("22000000 00000002 04000000 e00000fb 01000001 e00000fc 0a000001");
	add("-v igmp v3 report", ip4x("10.0.0.1", "224.0.0.22", 2, &l4, "94040000", 0, -1, -1),
	    false);
	l4 = udp("hello");
	x = ext6(17, "0502 0000 0100", &l4);
	add("-v ip6 hbh options", fix_cksums(ip6(0, &x)), true);
	x = ext6(17, "0104 00000000", &l4);
	add("-v ip6 dstopts", fix_cksums(ip6(60, &x)), false);
	x = ext6(17, "c204 00011170", &l4);
	add("-v ip6 dstopts jumbo", ip6(60, &x), false);
	x = frag6(17, 0, true, 0x1234, &l4);
	add("-v ip6 fragment", ip6(44, &x), false);
	x = ext6(17, "00 01 00000000 20010db8000000000000000000000001", &l4);
	add("-v ip6 routing", fix_cksums(ip6(43, &x)), false);

	set_run(LINKTYPE_RAW, "-vv");
	l4 = tcp(0x10, NULL, NULL);
	add("-vv tcp4 ack", fix_cksums(ip4(6, &l4)), false);
	l4 = udp("hello");
	add("-vv udp4 sum ok", fix_cksums(ip4(17, &l4)), true);
	p = fix_cksums(ip4(17, &l4));
	p.d[p.n - 1] ^= 1;
	add("-vv udp4 bad sum", p, false);
	add("-vv udp4 no sum", ip4(17, &l4), false);
	l4 = hexpb("110a0000 e00000fb 02140002 0a000001 0a000002");
	add("-vv igmp v3 query sources", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1),
	    false);
}

static void build_quiet_cases(void)
{
	struct pb l4, m, x;

	set_run(LINKTYPE_RAW, "-q");
	l4 = tcp(0x18, NULL, "hello");
	add("-q tcp4 data", ip4(6, &l4), true);
	add("-q tcp6 data", ip6(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, "abcd", 15);
	add("-q tcp4 hdr too long", ip4(6, &l4), false);
	l4 = udp("hello");
	add("-q udp4", ip4(17, &l4), false);
	m = dnsq(0x1234, "example.org", 1);
	add("-q dns not decoded", dns_udp(&m, false), false);
	x = echo_body(8);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("-q icmp echo", ip4(1, &l4), false);
	l4 = hexpb("16000000 e00000fb");
	add("-q igmp", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1), false);

	set_run(LINKTYPE_RAW, "-e");
	l4 = udp("hello");
	add("-e raw udp4", ip4(17, &l4), false);
	add("-e raw udp6", ip6(17, &l4), true);
}

static void build_link_cases(void)
{
	static const char *const eflags[] = { "", "-e", "-q", "-e -q", "-v", "-e -v" };
	struct pb l4, ip, ip6p, a, x, f;
	unsigned int i;

	l4 = udp("hello");
	ip = ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x4000, -1, -1);
	x = echo_body(8);
	a = icmp(128, 0, 0x00070001, &x);
	ip6p = ip6x("2001:db8::1", "2001:db8::2", 58, &a, -1);

	for (i = 0; i < sizeof(eflags) / sizeof(eflags[0]); i++) {
		bool all = i < 2;

		set_run(LINKTYPE_ETHERNET, eflags[i]);
		a = arp(1, MAC_A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
		add("ether arp request", pad60(ether(MAC_BC, MAC_A, 0x0806, &a)), all);
		a = arp(2, MAC_B, "10.0.0.2", MAC_A, "10.0.0.1");
		add("ether arp reply", ether(MAC_A, MAC_B, 0x0806, &a), all);
		add("ether ipv4 udp", pad60(ether(MAC_B, MAC_A, 0x0800, &ip)), all);
		add("ether ipv6 icmp6", ether(MAC_B, MAC_A, 0x86dd, &ip6p), false);
		add("ether 802.1Q ipv4", vlan(MAC_B, MAC_A, 0x8100, 0xa00a, 0x0800, &ip), all);
		x = hexpb("0005 8100 3064 86dd");
		bpb(&x, &ip6p);
		add("ether QinQ ipv6", ether(MAC_B, MAC_A, 0x88a8, &x), false);
		x = hexpb("0102030405060708");
		add("ether unknown ethertype", pad60(ether(MAC_B, MAC_A, 0x1234, &x)), false);
		if (!all)
			continue;
		a = arp(1, MAC_A, "10.0.0.1", "02:00:00:00:00:0c", "10.0.0.2");
		add("ether arp request known target", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = arp(3, MAC_A, "0.0.0.0", MAC_A, "0.0.0.0");
		add("ether rarp request", ether(MAC_BC, MAC_A, 0x8035, &a), false);
		a = arp(4, MAC_B, "10.0.0.2", MAC_A, "10.0.0.9");
		add("ether rarp reply", ether(MAC_A, MAC_B, 0x8035, &a), false);
		a = arp(5, MAC_A, "10.0.0.1", MAC_B, "10.0.0.2");
		add("ether arp unknown op", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = hexpb("0001 86dd 06 10 0001 020000000001 20010db8000000000000000000000001"
			  " 000000000000 20010db8000000000000000000000002");
		add("ether arp for ipv6", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = hexpb("0006 0800 02 04 0002 abcd 0a000001 0000 0a000002");
		add("ether arp short hardware address", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		x = hexpb("0102030405");
		add("ether runt", x, false);
		f = vlan(MAC_B, MAC_A, 0x8100, 0x200a, 0x0806, NULL);
		add("ether 802.1Q truncated", f, true);
	}

	set_run(LINKTYPE_ETHERNET, "");
	/* 802.3 with LLC, and ethertypes tcpdump decodes but pidcap does not. */
	x = hexpb("f0f003 78787878787878787878");
	add_want("ether 802.3 llc not decoded (deliberate)", ether(MAC_A, MAC_B, x.n, &x),
		 "02:00:00:00:00:0b > 02:00:00:00:00:0a, 802.3, length 13: ");
	x = hexpb("0207 04 020000000001 0403 05 657468 0602 0078 0000");
	add_want("ether lldp not decoded (deliberate)", ether(MAC_BC, MAC_A, 0x88cc, &x),
		 "02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype LLDP (0x88cc), length 35: "
		 "\n\t0x0000:  0207 0402 0000 0000 0104 0305 6574 6806  ............eth."
		 "\n\t0x0010:  0200 7800 00                             ..x..");

	for (i = 0; i < 4; i++) {
		set_run(LINKTYPE_LINUX_SLL, eflags[i]);
		add("sll ipv4 out", sll(4, 0x0800, &ip), i < 2);
		add("sll ipv6 in", sll(0, 0x86dd, &ip6p), false);
		a = arp(1, MAC_A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
		add("sll arp broadcast", sll(1, 0x0806, &a), false);
		x = hexpb("000a 0800");
		bpb(&x, &ip);
		add("sll 802.1Q ipv4", sll(0, 0x8100, &x), i < 2);
		x = hexpb("0102030405060708");
		add("sll unknown ethertype", sll(3, 0x1234, &x), false);
		add("sll unknown protocol", sll(2, 0x0099, &x), false);

		set_run(LINKTYPE_LINUX_SLL2, eflags[i]);
		add("sll2 ipv4 out", sll2(0x0800, 1, 4, &ip), i < 2);
		add("sll2 ipv6 in", sll2(0x86dd, 1, 0, &ip6p), false);
		add("sll2 ipv4 unknown interface", sll2(0x0800, 999999, 0, &ip), false);
		x = hexpb("0064 86dd");
		bpb(&x, &ip6p);
		add("sll2 802.1Q ipv6", sll2(0x8100, 1, 0, &x), i < 2);
		x = hexpb("0102030405060708");
		add("sll2 unknown ethertype", sll2(0x1234, 1, 1, &x), false);

		set_run(LINKTYPE_NULL, eflags[i]);
		add("null ipv4", nullhdr(2, false, &ip), i < 2);
		add("null ipv6 bsd", nullhdr(24, false, &ip6p), false);
		add("null ipv6 freebsd", nullhdr(28, false, &ip6p), false);
		add("null ipv6 darwin", nullhdr(30, false, &ip6p), false);
		add("null ipv4 other byte order", nullhdr(2, true, &ip), false);
		x = hexpb("0102030405060708");
		add("null unknown family", nullhdr(99, false, &x), false);
		add("null ipv6 as ipv4", nullhdr(2, false, &ip6p), false);

		set_run(LINKTYPE_LOOP, eflags[i]);
		add("loop ipv4", nullhdr(2, true, &ip), i < 2);
		add("loop ipv6", nullhdr(24, true, &ip6p), false);
	}
}

static void build_dump_cases(void)
{
	static const char *const dflags[] = { "-x", "-X", "-A" };
	struct pb l4, x, ip, m;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		set_run(LINKTYPE_RAW, dflags[i]);
		l4 = tcp(0x18, NULL, "GET / HTTP/1.1\r\nHost: a\r\n\r\nx\ry\r");
		add("dump tcp4 text", ip4(6, &l4), false);
		x = echo_body(57);
		l4 = icmp(8, 0, 0x00070001, &x);
		add("dump icmp odd length", ip4(1, &l4), false);
		m = dnsq(0x1234, "example.org", 1);
		add("dump dns query", dns_udp(&m, false), false);
		l4 = udp("\t tab\x7f\x80\xff\n");
		add("dump udp6 controls", ip6(17, &l4), false);

		set_run(LINKTYPE_ETHERNET, dflags[i]);
		l4 = udp("hello world, padded");
		ip = ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x4000, -1, -1);
		add("dump ether ipv4", ether(MAC_B, MAC_A, 0x0800, &ip), false)->dump_off = 14;
	}
}

/* ICMPv6 node information (RFC 4620) and router renumbering (RFC 2894), at each -v. */
static void build_icmp6_info_cases(void)
{
	static const char *const vflags[] = { "", "-v", "-vv" };
	static const char nonce[] = "0102030405060708 ";
	char hex[256];
	struct pb x, l4;
	int i;

	for (i = 0; i < 3; i++) {
		set_run(LINKTYPE_RAW, vflags[i]);
		x = hexpb("00000000");
		l4 = icmp(139, 0, 0, &x);
		add("icmp6 ni who-are-you", ip6(58, &l4), false);
		x = hexpb(nonce);
		l4 = icmp(139, 0, 0, &x);
		add("icmp6 ni noop query", ip6(58, &l4), false);
		snprintf(hex, sizeof(hex), "%s 20010db8000000000000000000000001", nonce);
		x = hexpb(hex);
		l4 = icmp(139, 0, 3 << 16 | 0x3e, &x);
		add("icmp6 ni node addresses query", ip6(58, &l4), true);
		snprintf(hex, sizeof(hex), "%s c0000201", nonce);
		x = hexpb(hex);
		l4 = icmp(139, 2, 4 << 16, &x);
		add("icmp6 ni ipv4 subject", ip6(58, &l4), false);
		snprintf(hex, sizeof(hex), "%s 03777777 076578616d706c65 00", nonce);
		x = hexpb(hex);
		l4 = icmp(139, 1, 2 << 16, &x);
		add("icmp6 ni dns name subject", ip6(58, &l4), true);
		snprintf(
			hex, sizeof(hex),
			"%s 0000000a 20010db8000000000000000000000001 00000014 fe800000000000000000000000000001",
			nonce);
		x = hexpb(hex);
		l4 = icmp(140, 0, 3 << 16 | 0x3, &x);
		add("icmp6 ni node addresses reply", ip6(58, &l4), true);
		snprintf(hex, sizeof(hex), "%s 0000003c 076578616d706c65 03636f6d 00", nonce);
		x = hexpb(hex);
		l4 = icmp(140, 0, 2 << 16 | 1, &x);
		add("icmp6 ni dns name reply", ip6(58, &l4), true);
		x = hexpb(nonce);
		l4 = icmp(140, 1, 3 << 16, &x);
		add("icmp6 ni refused", ip6(58, &l4), false);
		/* seq 5; segment 0, flags R, max delay 16; match add, one use */
		x = hexpb("00400010 00000000 0107 0030 0080 0000 fec00000000000000000000000000000 "
			  "3010 0000 ffffffff 000003e8 80000000 3ffe0501fffe00000000000000000000");
		l4 = icmp(138, 0, 5, &x);
		add("icmp6 router renumbering command", ip6(58, &l4), true);
		x = hexpb("00000000 00000000");
		l4 = icmp(138, 1, 6, &x);
		add("icmp6 router renumbering result", ip6(58, &l4), false);
	}
}

/* RPL (ICMPv6 type 155): DIO, DAO and DAO-ACK with options, at each -v up to -vvv. */
static void build_rpl_cases(void)
{
	static const char *const vflags[] = { "", "-v", "-vv", "-vvv" };
	struct pb x, l4;
	int i;

	for (i = 0; i < 4; i++) {
		set_run(LINKTYPE_RAW, vflags[i]);
		l4 = icmp(155, 0, 0, NULL);
		add("icmp6 rpl dis", ip6(58, &l4), false);
		/* instance 1, version 2, rank 256, grounded storing prf 3, dtsn 7; options */
		x = hexpb("0102 0100 8b07 0000 20010db8000000000000000000000001 "
			  "00 0102 0000 0403 010203 07021234");
		l4 = icmp(155, 1, 0, &x);
		add("icmp6 rpl dio", ip6(58, &l4), true);
		/* instance 42, flags K and D, seq 10, DODAG id; a target option, pad1 */
		x = hexpb("2ac0 000a 54310000000000000000000000000000 0512 0080 "
			  "20010db8000100000216 3efffe113424 00");
		l4 = icmp(155, 2, 0, &x);
		add("icmp6 rpl dao", ip6(58, &l4), true);
		x = hexpb("2a00 0001 0000");
		l4 = icmp(155, 2, 0, &x);
		add("icmp6 rpl dao without dodag id", ip6(58, &l4), false);
		x = hexpb("2b80 0b00 74686973 69736d79 64696365 64616732 0100");
		l4 = icmp(155, 3, 0, &x);
		add("icmp6 rpl dao ack", ip6(58, &l4), true);
		l4 = icmp(155, 0x82, 0, NULL);
		add("icmp6 rpl secured", ip6(58, &l4), false);
	}
}

/* HTTP on ports 80 and 8080: a request, a status line, a body, text without line end. */
static void build_http_cases(void)
{
	static const char *const vflags[] = { "", "-v", "-vv" };
	struct pb l4;
	int i;

	for (i = 0; i < 3; i++) {
		set_run(LINKTYPE_RAW, vflags[i]);
		l4 = tcpx(40000, 80, 1, 1, 0x18, 512, NULL,
			  "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
			  -1);
		add("http request", ip4(6, &l4), true);
		l4 = tcpx(8080, 40000, 1, 1, 0x18, 512, NULL,
			  "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", -1);
		add("http status on 8080", ip4(6, &l4), true);
		l4 = tcpx(80, 40000, 1, 1, 0x18, 512, NULL, "<html><body>hello</body>", -1);
		add("http body", ip4(6, &l4), false);
		l4 = tcpx(40000, 80, 1, 1, 0x18, 512, NULL, "post /x HTTP/1.0\nbinary\x01\n", -1);
		add("http lower-case method, LF only, binary", ip4(6, &l4), false);
		l4 = tcpx(40000, 80, 1, 1, 0x18, 512, NULL, "HEAD / HTTP/1.1\rX", -1);
		add("http CR without LF", ip4(6, &l4), false);
	}
}

void build_cases(void)
{
	set_run(LINKTYPE_RAW, "");
	build_ip_cases();
	build_deliberate_ip();
	build_dns_cases();
	build_verbose_cases();
	build_quiet_cases();
	build_link_cases();
	build_dump_cases();
	build_icmp6_info_cases();
	build_rpl_cases();
	build_http_cases();
}
