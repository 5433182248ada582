/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PIDCAP_FILTER_REFERENCE_H
#define PIDCAP_FILTER_REFERENCE_H

/* 1 if libpcap's interpreter accepts the raw IP packet, else 0. */
int filter_reference__verdict(const void *classic, const unsigned char *pkt, unsigned int len);

#endif
