/* SPDX-License-Identifier: GPL-2.0 */
/* pidcap top: live per-process network and system-call activity. */
#ifndef PIDCAP_TOP_H
#define PIDCAP_TOP_H

/* Runs "pidcap top" with its own arguments (argv[0] is "top"); returns the
 * exit status. */
int top__main(int argc, char **argv);

#endif
