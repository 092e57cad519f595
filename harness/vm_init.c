/* SPDX-License-Identifier: MIT */
/*
 * vm_init.c: mmspec-init, PID 1 of the initramfs that the vm target boots
 * (harness/vm_main.c builds it). A small static program:
 *
 *   1. mounts /proc, /sys and /dev (devtmpfs), which the executor reads its
 *      target facts and layouts from;
 *   2. loads the kernel modules shipped in /modules, in file-name order (the
 *      launcher numbers them in dependency order): Debian's 6.1 cloud kernel
 *      builds virtio, virtio_pci and virtio_console as modules;
 *   3. waits for the virtio-serial port (/dev/vport*) the controller talks
 *      through: a plain byte stream with no tty line discipline, so the
 *      executor's binary protocol goes through unchanged;
 *   4. runs /mmspec-exec with that port as standard input and output, its
 *      standard error on the console, and reaps every orphan meanwhile;
 *   5. powers the machine off when the executor exits, which ends qemu
 *      (-no-reboot), so the controller sees end of output.
 *
 * Any failure is printed on the console (the serial log) and powers off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static void say(const char *fmt, const char *a, const char *b)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "mmspec-init: ");
	n += snprintf(line + n, sizeof(line) - (size_t)n, fmt, a, b);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0)
		return;
}

/* Copies a file to the console, for diagnostics. */
static void show(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write(2, buf, (size_t)n) < 0)
			break;
	if (fd >= 0)
		close(fd);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void mount_or_say(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		say("mount %s: %s", dir, strerror(errno));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_modules(void)
{
	struct dirent **ent;
	int n = scandir("/modules", &ent, NULL, by_name);
	for (int i = 0; i < n; i++) {
		const char *name = ent[i]->d_name;
		if (name[0] != '.') {
			char path[300];
			snprintf(path, sizeof(path), "/modules/%s", name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			int flags = strstr(name, ".ko.") ? MODULE_INIT_COMPRESSED_FILE : 0;
			if (fd < 0 || (syscall(SYS_finit_module, fd, "", flags) && errno != EEXIST))
				say("loading %s: %s", name, strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		free(ent[i]);
	}
	if (n >= 0)
		free(ent);
}

/* The first virtio-serial port, once the driver has probed it. */
static int open_port(void)
{
	for (int tries = 0; tries < 3000; tries++) {
		DIR *d = opendir("/dev");
		struct dirent *e;
		char path[300] = "";
		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "vport", 5))
				snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (d)
			closedir(d);
		if (path[0]) {
			int fd = open(path, O_RDWR);
			if (fd >= 0)
				return fd;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

int main(void)
{
	mount_or_say("devtmpfs", "/dev", "devtmpfs");
	int con = open("/dev/console", O_RDWR);
	if (con >= 0 && con != 2)
		dup2(con, 2);
	mount_or_say("proc", "/proc", "proc");
	mount_or_say("sysfs", "/sys", "sysfs");
	load_modules();
	int port = open_port();
	if (port < 0) {
		say("no virtio-serial port appeared in /dev (%s%s)", "is virtio_console loaded?", "");
		show("/proc/modules");
		power_off();
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(port, 0);
		dup2(port, 1);
		if (port > 2)
			close(port);
		if (con > 2)
			close(con);
		execl("/mmspec-exec", "mmspec-exec", (char *)NULL);
		say("exec /mmspec-exec: %s%s", strerror(errno), "");
		_exit(127);
	}
	if (pid < 0) {
		say("fork: %s%s", strerror(errno), "");
		power_off();
	}
	/* PID 1 inherits every orphan: reap them all until the executor ends. */
	int st = 0;
	for (;;) {
		pid_t w = wait(&st);
		if (w == pid || (w < 0 && errno == ECHILD))
			break;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		say("the executor ended abnormally (%s%s)", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "non-zero exit", "");
	power_off();
}
