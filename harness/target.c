/* SPDX-License-Identifier: MIT */
/*
 * target.c: what `--target` names and how the executor gets there.
 *
 *   host          mmspec-exec on this machine (the default)
 *   vm:IMAGE      mmspec-exec inside a VM booted from the kernel IMAGE by
 *                 mmspec-vm (harness/vm_main.c) under qemu-system-x86_64
 *   qemu-user     mmspec-exec under qemu-x86_64 (user-mode emulation)
 *   wrap:CMD      mmspec-exec under any wrapper command CMD
 *
 * Every target except host is a wrapper command for the executor
 * (harness/pool.c runs `exec CMD mmspec-exec`), so one code path serves
 * them all. A run records the target by name: "host", "vm:" and the kernel
 * release the executor reported, "qemu-user", or "wrap:CMD"; `xfail target`
 * lines in cases match against that name.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Whether an executable of that name is on PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char dir[PATH_MAX + 64];
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(dir, sizeof(dir), "%.*s/%s", (int)(n < PATH_MAX ? n : PATH_MAX), path, name);
		if (n && !access(dir, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

int harness_target_resolve(const char *spec, const char *exec_dir, char *wrapper, size_t wcap,
			   char *err, size_t ecap)
{
	wrapper[0] = 0;
	if (!strcmp(spec, "host"))
		return 0;
	if (!strcmp(spec, "qemu-user")) {
		if (!on_path("qemu-x86_64")) {
			snprintf(err, ecap, "--target qemu-user needs qemu-x86_64 on PATH (Debian: qemu-user)");
			return -1;
		}
		snprintf(wrapper, wcap, "qemu-x86_64");
		return 0;
	}
	if (!strncmp(spec, "wrap:", 5)) {
		if (!spec[5]) {
			snprintf(err, ecap, "--target wrap:CMD needs a command");
			return -1;
		}
		snprintf(wrapper, wcap, "%s", spec + 5);
		return 0;
	}
	if (!strncmp(spec, "vm:", 3)) {
		const char *image = spec + 3;
		if (!*image || strpbrk(image, " \t\n'\"\\$`")) {
			snprintf(err, ecap, "--target vm:IMAGE needs a kernel image path without spaces or quotes");
			return -1;
		}
		if (access(image, R_OK)) {
			snprintf(err, ecap, "--target %s: cannot read the kernel image (scripts/fetch-kernels.sh "
				 "puts Debian's in build/kernels/6.1/vmlinuz and build/kernels/6.12/vmlinuz)", spec);
			return -1;
		}
		if (!on_path("qemu-system-x86_64")) {
			snprintf(err, ecap, "--target vm: needs qemu-system-x86_64 on PATH (Debian: qemu-system-x86)");
			return -1;
		}
		char vm[PATH_MAX + 16];
		snprintf(vm, sizeof(vm), "%s/mmspec-vm", exec_dir);
		if (access(vm, X_OK)) {
			snprintf(err, ecap, "--target vm: cannot find %s (build the mmspec-vm target)", vm);
			return -1;
		}
		if ((size_t)snprintf(wrapper, wcap, "%s %s", vm, image) >= wcap) {
			snprintf(err, ecap, "--target %s: path too long", spec);
			return -1;
		}
		return 0;
	}
	snprintf(err, ecap, "--target takes host, vm:KERNEL_IMAGE, qemu-user or wrap:CMD, not `%s`", spec);
	return -1;
}

void harness_target_name(const char *spec, const char *wrapper, const exec_target_info *info,
			 char *out, size_t cap)
{
	if (spec && !strncmp(spec, "vm:", 3))
		snprintf(out, cap, "vm:%s", info ? info->release : "?");
	else if (spec && !strcmp(spec, "qemu-user"))
		snprintf(out, cap, "qemu-user");
	else if (wrapper && *wrapper)
		snprintf(out, cap, "wrap:%s", wrapper);
	else
		snprintf(out, cap, "host");
}

const prog_xfail *harness_xfail_match(const prog_case *c, const char *target)
{
	for (unsigned i = 0; i < c->nxfail && i < PROG_MAX_XFAILS; i++)
		if (!fnmatch(c->xfail[i].target, target, 0))
			return &c->xfail[i];
	return NULL;
}
