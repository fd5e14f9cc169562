/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arm64 vmtest capture check's two ends of a unix stream socket (built static with
 * aarch64-linux-gnu-gcc by vmtest/run.sh; the arm64 initramfs has no socat or curl):
 *
 *   unix_ping serve PATH N      listen on PATH, answer N requests "HTTP/1.1 200 OK", exit
 *   unix_ping send PATH SYSCALL BODY_BYTES
 *                               connect, send one Docker API request with a BODY_BYTES body
 *                               through SYSCALL (write, writev, sendto, sendmsg), read the reply
 *
 * A body of a few KiB puts the bytes in page frags (socket-tp then reads the caller's buffer
 * through its syscall registers: the arch-specific path); sendto/sendmsg/writev cover the
 * syscall-tp tier's per-arch syscall numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static int addr_of(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int serve(const char *path, int n)
{
	struct sockaddr_un a;
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || addr_of(path, &a) || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8)) {
		perror("serve");
		return 1;
	}
	static char buf[65536];
	for (int i = 0; i < n; i++) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			return 1;
		/* Read until the headers and the announced body are in (or the peer stops). */
		size_t got = 0;
		for (;;) {
			ssize_t r = read(c, buf + got, sizeof(buf) - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
			buf[got] = 0;
			char *end = strstr(buf, "\r\n\r\n");
			char *cl = strstr(buf, "Content-Length: ");
			if (end && (!cl || got >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10)))
				break;
		}
		const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]";
		if (write(c, reply, sizeof(reply) - 1) < 0)
			perror("reply");
		close(c);
	}
	return 0;
}

static int send_one(const char *path, const char *how, size_t body)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || addr_of(path, &a) || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	static const char prefix[] = "{\"Image\":\"x\",\"L\":\""; /* body: {"Image":"x","L":"aaa...a"} */
	const size_t pl = sizeof(prefix) - 1;
	char head[256];
	int hl = snprintf(head, sizeof(head),
			  "POST /v1.43/containers/create?name=arm64-%s-%zu HTTP/1.1\r\nHost: docker\r\n"
			  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			  how, body, pl + body + 2);
	size_t len = (size_t)hl + pl + body + 2;
	char *msg = malloc(len);
	if (!msg)
		return 1;
	memcpy(msg, head, (size_t)hl);
	memcpy(msg + hl, prefix, pl);
	memset(msg + hl + pl, 'a', body);
	msg[len - 2] = '"';
	msg[len - 1] = '}';
	ssize_t w;
	if (!strcmp(how, "write")) {
		w = write(s, msg, len);
	} else if (!strcmp(how, "sendto")) {
		w = sendto(s, msg, len, 0, NULL, 0);
	} else if (!strcmp(how, "writev") || !strcmp(how, "sendmsg")) {
		struct iovec iov[2] = {{msg, (size_t)hl}, {msg + hl, len - (size_t)hl}};
		if (!strcmp(how, "writev")) {
			w = writev(s, iov, 2);
		} else {
			struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
			w = sendmsg(s, &m, 0);
		}
	} else {
		fprintf(stderr, "unknown syscall %s\n", how);
		return 2;
	}
	if (w != (ssize_t)len) {
		fprintf(stderr, "%s sent %zd of %zu: %s\n", how, w, len, strerror(errno));
		return 1;
	}
	char r[256];
	ssize_t n = read(s, r, sizeof(r) - 1);
	r[n > 0 ? n : 0] = 0;
	printf("%s: sent %zu bytes, reply %.15s\n", how, len, r);
	return strncmp(r, "HTTP/1.1 200", 12) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_one(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: unix_ping serve PATH N | send PATH write|writev|sendto|sendmsg BODY_BYTES\n");
	return 2;
}
