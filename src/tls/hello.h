/* SPDX-License-Identifier: GPL-2.0 */
/* The first message of a TLS connection, as captured: its client random. */
#ifndef PIDCAP_TLS_HELLO_H
#define PIDCAP_TLS_HELLO_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/record.h"

/* If the IP packet (caplen bytes of it at ip) is a TCP segment whose payload
 * begins with a TLS ClientHello, copies its client random and returns true.
 * Every read is checked against caplen. */
bool tls_hello__client_random(const uint8_t *ip, uint32_t caplen,
			      uint8_t random[PIDCAP_TLS_RANDOM_LEN]);

#endif
