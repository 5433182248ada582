/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PIDCAP_PIDCAP_H
#define PIDCAP_PIDCAP_H

#define PIDCAP_VERSION "0.1.0"

#endif
