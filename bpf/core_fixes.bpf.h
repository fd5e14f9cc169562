/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel-version differences, one place. Each entry cites the change.
 * CO-RE picks the right layout at load time via bpf_core_*_exists().
 */
#ifndef SOCKWARDEN_CORE_FIXES_BPF_H
#define SOCKWARDEN_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

#ifndef AF_UNIX
#define AF_UNIX 1
#endif
#ifndef TCP_LISTEN
#define TCP_LISTEN 10
#endif
#ifndef TCP_ESTABLISHED
#define TCP_ESTABLISHED 1
#endif
#define SW_S_IFMT 00170000
#define SW_S_IFSOCK 0140000

/*
 * struct unix_address: 'name' became a flexible array of struct sockaddr_un in
 * v5.x ("af_unix: Use flexible array for name"); older kernels had name[0].
 * Both keep the sockaddr_un at the same spot, so an offset is enough:
 * the path bytes start 2 bytes (sun_family) after 'name'.
 */
static __always_inline const char *unix_address_path(const struct unix_address *addr)
{
	return (const char *)addr + bpf_core_field_offset(struct unix_address, name) + 2;
}

#endif
