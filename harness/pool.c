/* SPDX-License-Identifier: MIT */
/*
 * pool.c: the controller's side of the executor pipe protocol. Starts
 * mmspec-exec (optionally behind a wrapper command such as `env`,
 * `qemu-x86_64` or a VM launcher), reads its HELLO, sends programs and reads
 * their observations.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_proto.h"
#include "harness.h"

int exec_child_start(exec_child *c, const char *exec_path, const char *wrapper, char *err, size_t cap)
{
	int in[2], out[2];
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, cap, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (wrapper && *wrapper) {
			/* The wrapper is a shell command; the executor path is its last word. */
			setenv("MMSPEC_WRAPPER", wrapper, 1);
			execl("/bin/sh", "sh", "-c", "exec $MMSPEC_WRAPPER \"$0\"", exec_path, (char *)NULL);
		} else {
			execl(exec_path, exec_path, (char *)NULL);
		}
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->pid = pid;
	c->to = in[1];
	c->from = out[0];
	uint32_t type, len;
	int r = exec_proto_recv(c->from, &type, &c->info, sizeof(c->info), &len);
	if (r || (type != EXEC_MSG_HELLO && type != EXEC_MSG_ERROR)) {
		snprintf(err, cap, "%s%s%s: did not start (no HELLO on its output)", wrapper ? wrapper : "",
			 wrapper ? " " : "", exec_path);
		exec_child_stop(c);
		return -1;
	}
	if (type == EXEC_MSG_ERROR) {
		snprintf(err, cap, "%.*s", (int)(len < cap ? len : cap - 1), (const char *)&c->info);
		exec_child_stop(c);
		return -1;
	}
	if (len != sizeof(c->info)) {
		snprintf(err, cap, "%s: HELLO of %u bytes, expected %zu (a different mmspec-exec build?)",
			 exec_path, len, sizeof(c->info));
		exec_child_stop(c);
		return -1;
	}
	return 0;
}

int exec_child_send(exec_child *c, const exec_options *opt, const uint8_t *prog, size_t len)
{
	static uint8_t buf[EXEC_PROTO_MAX_REQUEST];
	if (sizeof(*opt) + len > sizeof(buf))
		return -1;
	memcpy(buf, opt, sizeof(*opt));
	memcpy(buf + sizeof(*opt), prog, len);
	return exec_proto_send(c->to, EXEC_MSG_RUN, buf, sizeof(*opt) + len);
}

int exec_child_recv(exec_child *c, exec_obs *obs, char *err, size_t cap)
{
	static uint8_t buf[sizeof(exec_obs) + 64];
	uint32_t type, len;
	int r = exec_proto_recv(c->from, &type, buf, sizeof(buf), &len);
	if (r) {
		snprintf(err, cap, "the executor stopped answering (%s)", r > 0 ? "end of output" : "bad message");
		return -1;
	}
	if (type == EXEC_MSG_ERROR) {
		snprintf(err, cap, "executor: %.*s", (int)(len < 200 ? len : 200), (const char *)buf);
		return -1;
	}
	if (type != EXEC_MSG_RESULT || exec_obs_unpack(buf, len, obs)) {
		snprintf(err, cap, "the executor sent a malformed result");
		return -1;
	}
	return 0;
}

void exec_child_stop(exec_child *c)
{
	if (c->pid <= 0)
		return;
	exec_proto_send(c->to, EXEC_MSG_QUIT, NULL, 0);
	close(c->to);
	close(c->from);
	int st;
	for (int i = 0; i < 100; i++) {
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			c->pid = -1;
			return;
		}
		usleep(10000);
	}
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &st, 0);
	c->pid = -1;
}
