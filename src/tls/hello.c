// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "tls/hello.h"

#define IPPROTO_TCP_NR 6
#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1
/* record header (5), handshake header (4), client version (2), random */
#define RANDOM_AT 11

bool tls_hello__client_random(const uint8_t *ip, uint32_t caplen,
			      uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	uint32_t ip_hlen, tcp_hlen;
	const uint8_t *tls;

	if (caplen < 20)
		return false;
	if (ip[0] >> 4 == 4) {
		ip_hlen = (ip[0] & 15) * 4u;
		/* (not TCP, or a fragment after the first) */
		if (ip_hlen < 20 || ip[9] != IPPROTO_TCP_NR || ((ip[6] & 0x1f) | ip[7]))
			return false;
	} else if (ip[0] >> 4 == 6) {
		ip_hlen = 40; /* (TCP straight after the IPv6 header only) */
		if (caplen < 40 || ip[6] != IPPROTO_TCP_NR)
			return false;
	} else {
		return false;
	}
	if (caplen < ip_hlen + 20)
		return false;
	tcp_hlen = (ip[ip_hlen + 12] >> 4) * 4u;
	if (tcp_hlen < 20 || caplen - ip_hlen < tcp_hlen ||
	    caplen - ip_hlen - tcp_hlen < RANDOM_AT + PIDCAP_TLS_RANDOM_LEN)
		return false;
	tls = ip + ip_hlen + tcp_hlen;
	if (tls[0] != TLS_HANDSHAKE || tls[1] != 3 || tls[5] != TLS_CLIENT_HELLO)
		return false;
	memcpy(random, tls + RANDOM_AT, PIDCAP_TLS_RANDOM_LEN);
	return true;
}
