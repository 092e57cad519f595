/* SPDX-License-Identifier: MIT */
/*
 * exec_proto.h: framing of the executor pipe protocol (private to harness/,
 * and fuzz/fuzz_diff.c, whose in-process executor server speaks it over a
 * socket pair). A message is a 32-bit type, a 32-bit payload length, then
 * the payload, all little endian (docs/executor-protocol.md).
 */
#ifndef MMSPEC_EXEC_PROTO_H
#define MMSPEC_EXEC_PROTO_H

#include <stddef.h>
#include <stdint.h>

enum exec_msg {
	EXEC_MSG_HELLO = 1,   /* executor -> controller: exec_target_info */
	EXEC_MSG_RUN = 2,     /* controller -> executor: exec_options + encoded program */
	EXEC_MSG_RESULT = 3,  /* executor -> controller: packed exec_obs */
	EXEC_MSG_QUIT = 4,    /* controller -> executor: exit */
	EXEC_MSG_ERROR = 9    /* executor -> controller: a message, then it exits */
};

#define EXEC_PROTO_MAX_REQUEST (4u << 20)

/* Writes one message; 0 or -1. */
int exec_proto_send(int fd, uint32_t type, const void *payload, size_t len);
/* The same on a socket, with send(2)'s flags (MSG_NOSIGNAL: a peer that is
 * gone gives -1 instead of SIGPIPE); 0 or -1. */
int exec_proto_send_flags(int fd, uint32_t type, const void *payload, size_t len, int flags);
/* Reads one message into buf; 0, 1 at a clean end of input, -1 on error. */
int exec_proto_recv(int fd, uint32_t *type, void *buf, size_t cap, uint32_t *len);

#endif
