/* SPDX-License-Identifier: MIT */
/*
 * exec_main.c: mmspec-exec, the executor as a small static program.
 *
 * It reads requests on standard input and writes replies on standard output
 * (docs/executor-protocol.md), so the controller can run it where it cannot
 * run itself: under qemu-user, in a VM, behind any wrapper command.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "exec_proto.h"

static uint8_t request[EXEC_PROTO_MAX_REQUEST];
static uint8_t reply[sizeof(exec_obs) + 64];

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	static exec_target_info info;
	char err[256];
	if (exec_init(&info, err, sizeof(err))) {
		exec_proto_send(1, EXEC_MSG_ERROR, err, strlen(err));
		return 3;
	}
	if (exec_proto_send(1, EXEC_MSG_HELLO, &info, sizeof(info)))
		return 3;
	for (;;) {
		uint32_t type, len;
		int r = exec_proto_recv(0, &type, request, sizeof(request), &len);
		if (r == 1)
			return 0; /* end of input: the controller is done */
		if (r < 0) {
			const char *m = "mmspec-exec: malformed request";
			exec_proto_send(1, EXEC_MSG_ERROR, m, strlen(m));
			return 2;
		}
		if (type == EXEC_MSG_QUIT)
			return 0;
		if (type != EXEC_MSG_RUN || len < sizeof(exec_options)) {
			const char *m = "mmspec-exec: unknown request";
			exec_proto_send(1, EXEC_MSG_ERROR, m, strlen(m));
			return 2;
		}
		exec_options opt;
		memcpy(&opt, request, sizeof(opt));
		const exec_obs *o = exec_run(request + sizeof(opt), len - sizeof(opt), &opt);
		size_t n = exec_obs_pack(o, reply, sizeof(reply));
		if (exec_proto_send(1, EXEC_MSG_RESULT, reply, n))
			return 3;
	}
}
