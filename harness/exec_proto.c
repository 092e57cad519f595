/* SPDX-License-Identifier: MIT */
/*
 * exec_proto.c: reading and writing whole protocol messages over pipes, and
 * over the socket pair of the fuzz layer's in-process executor server
 * (fuzz/fuzz_diff.c), which sends with MSG_NOSIGNAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec_proto.h"

/* sock: send(2) with flags, else write(2). */
static int write_all(int fd, const void *buf, size_t n, bool sock, int flags)
{
	const char *p = buf;
	while (n) {
		ssize_t r = sock ? send(fd, p, n, flags) : write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* 0: read n bytes; 1: clean end of input before any byte; -1: error or short read. */
static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return got == 0 ? 1 : -1;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int send_message(int fd, uint32_t type, const void *payload, size_t len, bool sock, int flags)
{
	uint32_t head[2] = { type, (uint32_t)len };
	if (len > UINT32_MAX || write_all(fd, head, sizeof(head), sock, flags))
		return -1;
	return len ? write_all(fd, payload, len, sock, flags) : 0;
}

int exec_proto_send(int fd, uint32_t type, const void *payload, size_t len)
{
	return send_message(fd, type, payload, len, false, 0);
}

int exec_proto_send_flags(int fd, uint32_t type, const void *payload, size_t len, int flags)
{
	return send_message(fd, type, payload, len, true, flags);
}

int exec_proto_recv(int fd, uint32_t *type, void *buf, size_t cap, uint32_t *len)
{
	uint32_t head[2];
	int r = read_all(fd, head, sizeof(head));
	if (r)
		return r;
	if (head[1] > cap)
		return -1;
	*type = head[0];
	*len = head[1];
	return head[1] && read_all(fd, buf, head[1]) ? -1 : 0;
}
