/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers of the formats pidcap writes and reads, one copy each: pcap and
 * pcapng, the link types, the PKTAP and Linux "cooked" headers. The writer,
 * the reader, the printer and the filters all name them from here.
 */
#ifndef PIDCAP_FORMATS_H
#define PIDCAP_FORMATS_H

/* pcap (libpcap's savefile) */
#define PCAP_MAGIC_US 0xA1B2C3D4U
#define PCAP_MAGIC_NS 0xA1B23C4DU
#define PCAP_HDR_LEN 24
#define PCAP_REC_LEN 16

/* pcapng block types */
#define BT_SHB 0x0A0D0D0AU
#define BT_IDB 0x00000001U
#define BT_PB 0x00000002U /* obsolete packet block */
#define BT_SPB 0x00000003U
#define BT_EPB 0x00000006U
#define BT_JOURNAL 0x00000009U /* systemd Journal Export Block */
#define BT_DSB 0x0000000AU     /* Decryption Secrets Block */
#define BT_DARWIN_PROCESS 0x80000001U
#define BYTE_ORDER_MAGIC 0x1A2B3C4DU
/* DSB secrets types */
#define DSB_TLS_KEY_LOG 0x544C534BU /* "TLSK": NSS key log lines */

/* pcapng options (codes are per block type) */
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14
#define OPT_EPB_FLAGS 2 /* pack_flags in the obsolete PB: same layout */
#define OPT_EPB_DARWIN_PIB 0x8001
#define OPT_EPB_DARWIN_EFFECTIVE_PIB 0x8003 /* pidcap: the local receiver */
#define OPT_DARWIN_PROC_NAME 2
#define TSRESOL_POW2 0x80
#define TSRESOL_DEFAULT 6 /* microseconds */
#define TSRESOL_NS 9

/* Link types (LINKTYPE_ values, as files carry them) */
#define LINKTYPE_NULL 0
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_LOOP 108
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define LINKTYPE_WIRESHARK_UPPER_PDU 252 /* Wireshark's exported PDU: tags, then a payload */
#define LINKTYPE_PKTAP 258
#define LINKTYPE_LINUX_SLL2 276
/* Raw IP as BSDs number it: what libpcap makes of a first LINKTYPE_RAW */
#define DLT_RAW_BSD 12
#define DLT_RAW_OPENBSD 14

/* Ethernet */
#define ETH_HDR_ADDRS 12
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100

/* Linux "cooked" headers (tcpdump -i any) */
#define SLL_ADDR_LEN 8
#define SLL_PACKET_OUTGOING 4
#define SLL2_HDR_LEN 20
#define SLL2_ARPHRD_ETHER 1
#define SLL2_ARPHRD_LOOPBACK 772
#define SLL2_PACKET_HOST 0
#define SLL2_PACKET_OUTGOING 4

/* A packet's direction, as pcapng's epb_flags, PKTAP and SLL say it (and as
 * the kernel side's records do: record.h) */
enum packet_dir {
	DIR_UNKNOWN = 0,
	DIR_IN = 1,
	DIR_OUT = 2,
};

/* PKTAP (Apple's process-aware header, Wireshark's pktap dissector) */
#define PKTAP_HDR_LEN 108
#define PKTAP_IFNAME_LEN 24
#define PKTAP_COMM_LEN 20
#define PKTAP_REC_PACKET 1
#define PKTAP_FLAG_IN 1
#define PKTAP_FLAG_OUT 2

#endif
