// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-share - checks how open files share one node, step by step:
 *
 *   -m share: several consumers on one capture node. The first fh to
 *             allocate capture buffers owns them (others get EBUSY) until
 *             it streams; then others may join, each with its own buffers,
 *             and each gets every frame. An idle holder blocks newcomers.
 *   -m poll:  on a combined node, a producer that polls (POLLIN asked for)
 *             must not become a consumer, and epoll must see a frame after
 *             EPOLL_CTL_MOD adds EPOLLIN to a registration that started
 *             with EPOLLPRI alone.
 *
 * usage: v4l2l-share -m share|poll -c /dev/videoC -o /dev/videoO
 * Prints one JSON object: step name -> {"errno":N,...}.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define W 320
#define H 240
#define SIZE (W * H * 2)
#define NBUF 2

static const char *capdev, *outdev;
static int first = 1;

static void step(const char *name, int err, const char *extra)
{
	printf("%s\"%s\":{\"errno\":%d%s%s}", first ? "{" : ",", name, err,
	       extra ? "," : "", extra ? extra : "");
	first = 0;
	fflush(stdout);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

static int xopen(const char *path)
{
	int fd = open(path, O_RDWR | O_NONBLOCK);

	if (fd < 0) {
		step("open", errno, NULL);
		printf("}\n");
		exit(1);
	}
	return fd;
}

/* streaming consumers of the loopback, from sysfs */
static int readers(void)
{
	char path[128];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/video4linux/%s/readers",
		 strrchr(capdev, '/') + 1);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void step_readers(const char *name)
{
	char extra[32];

	snprintf(extra, sizeof(extra), "\"value\":%d", readers());
	step(name, 0, extra);
}

static int set_out_fmt(int fd)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };

	f.fmt.pix.width = W;
	f.fmt.pix.height = H;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	return xioctl(fd, VIDIOC_S_FMT, &f);
}

static int write_frame(int fd, uint8_t value)
{
	static uint8_t buf[SIZE];
	ssize_t n;

	memset(buf, value, sizeof(buf));
	n = write(fd, buf, sizeof(buf));
	if (n < 0)
		return errno;
	return n == SIZE ? 0 : EIO;
}

struct consumer {
	int fd;
	void *maps[NBUF];
	size_t lens[NBUF];
	unsigned int count;
};

static int reqbufs(struct consumer *c, unsigned int count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int err = xioctl(c->fd, VIDIOC_REQBUFS, &req);

	if (!err)
		c->count = req.count;
	return err;
}

/* maps and queues every buffer, then STREAMON */
static int start(struct consumer *c)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int i;
	int err;

	for (i = 0; i < c->count && i < NBUF; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = type, .memory = V4L2_MEMORY_MMAP,
		};

		err = xioctl(c->fd, VIDIOC_QUERYBUF, &b);
		if (err)
			return err;
		c->lens[i] = b.length;
		c->maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED,
				  c->fd, b.m.offset);
		if (c->maps[i] == MAP_FAILED)
			return errno;
		err = xioctl(c->fd, VIDIOC_QBUF, &b);
		if (err)
			return err;
	}
	return xioctl(c->fd, VIDIOC_STREAMON, &type);
}

/* waits for one frame; reports whether every byte is `value` */
static void expect_frame(const char *name, struct consumer *c, uint8_t value)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP,
	};
	char extra[64];
	const uint8_t *d;
	size_t i, bad = 0;
	int err;

	if (poll(&p, 1, 3000) <= 0) {
		step(name, ETIMEDOUT, NULL);
		return;
	}
	err = xioctl(c->fd, VIDIOC_DQBUF, &b);
	if (err) {
		step(name, err, NULL);
		return;
	}
	d = c->maps[b.index];
	for (i = 0; i < b.bytesused; i++)
		bad += d[i] != value;
	snprintf(extra, sizeof(extra), "\"bytesused\":%u,\"wrong\":%zu",
		 b.bytesused, bad);
	step(name, 0, extra);
	xioctl(c->fd, VIDIOC_QBUF, &b);
}

static void close_consumer(struct consumer *c)
{
	unsigned int i;

	for (i = 0; i < c->count && i < NBUF; i++)
		if (c->maps[i] && c->maps[i] != MAP_FAILED)
			munmap(c->maps[i], c->lens[i]);
	close(c->fd);
	memset(c, 0, sizeof(*c));
}

static void share(void)
{
	struct consumer a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int p = xopen(outdev);

	step("p_fmt", set_out_fmt(p), NULL);
	step("p_write", write_frame(p, 0x11), NULL);
	a.fd = xopen(capdev);
	b.fd = xopen(capdev);
	c.fd = xopen(capdev);
	d.fd = xopen(capdev);

	step("a_reqbufs", reqbufs(&a, NBUF), NULL);
	/* the V4L2 rule: a holder that does not stream owns the queue */
	step("b_while_a_idle", reqbufs(&b, NBUF), NULL);
	step("a_start", start(&a), NULL);
	step("b_joins", reqbufs(&b, NBUF), NULL);
	step("c_while_b_idle", reqbufs(&c, NBUF), NULL);
	step("b_start", start(&b), NULL);
	step("c_joins", reqbufs(&c, NBUF), NULL);
	step("c_start", start(&c), NULL);
	step_readers("readers_3");

	step("p_write_frame", write_frame(p, 0x5a), NULL);
	expect_frame("a_frame", &a, 0x5a);
	expect_frame("b_frame", &b, 0x5a);
	expect_frame("c_frame", &c, 0x5a);

	step("a_streamoff", xioctl(a.fd, VIDIOC_STREAMOFF, &type), NULL);
	step("d_while_a_idle", reqbufs(&d, NBUF), NULL);
	/* the others still get frames */
	step("p_write_frame2", write_frame(p, 0x33), NULL);
	expect_frame("b_frame2", &b, 0x33);
	expect_frame("c_frame2", &c, 0x33);
	close_consumer(&a);
	step("d_joins", reqbufs(&d, NBUF), NULL);
	close_consumer(&b);
	close_consumer(&c);
	close_consumer(&d);
	step_readers("readers_end");
	close(p);
}

static void polling(void)
{
	struct consumer c = { 0 };
	struct epoll_event ev = { .events = EPOLLPRI }, got;
	struct pollfd pf;
	char extra[64];
	int p, q, ep, n;

	/* a producer that set the format and polls for POLLIN */
	p = xopen(outdev);
	step("p_fmt", set_out_fmt(p), NULL);
	pf = (struct pollfd){ .fd = p, .events = POLLIN | POLLPRI };
	n = poll(&pf, 1, 100);
	snprintf(extra, sizeof(extra), "\"revents\":%d", n > 0 ? pf.revents : 0);
	step("p_poll_in", n < 0 ? errno : 0, extra);
	step_readers("readers_after_producer_poll");
	/* an fh that has done nothing yet, polling for both */
	q = xopen(outdev);
	pf = (struct pollfd){ .fd = q, .events = POLLIN | POLLOUT };
	n = poll(&pf, 1, 100);
	snprintf(extra, sizeof(extra), "\"revents\":%d", n > 0 ? pf.revents : 0);
	step("q_poll_inout", n < 0 ? errno : 0, extra);
	step_readers("readers_after_inout_poll");
	step("p_write", write_frame(p, 0x22), NULL);
	close(q);

	/* a real consumer is not refused because of them */
	c.fd = xopen(capdev);
	step("c_reqbufs", reqbufs(&c, NBUF), NULL);
	step("c_start", start(&c), NULL);
	step_readers("readers_consumer");

	/* epoll: registered with EPOLLPRI only, then EPOLLIN added */
	ep = epoll_create1(0);
	ev.data.fd = c.fd;
	step("epoll_add_pri", epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) ? errno : 0, NULL);
	ev.events = EPOLLIN;
	step("epoll_mod_in", epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) ? errno : 0, NULL);
	usleep(100000);
	step("p_write_frame", write_frame(p, 0x44), NULL);
	n = epoll_wait(ep, &got, 1, 3000);
	snprintf(extra, sizeof(extra), "\"ready\":%d,\"events\":%u", n,
		 n > 0 ? got.events : 0);
	step("epoll_wait", n < 0 ? errno : 0, extra);
	expect_frame("c_frame", &c, 0x44);
	close(ep);
	close_consumer(&c);
	close(p);
}

int main(int argc, char **argv)
{
	const char *mode = "share";
	int opt;

	while ((opt = getopt(argc, argv, "m:c:o:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'c': capdev = optarg; break;
		case 'o': outdev = optarg; break;
		default: return 2;
		}
	}
	if (!capdev || !outdev)
		return 2;
	if (!strcmp(mode, "share"))
		share();
	else if (!strcmp(mode, "poll"))
		polling();
	else
		return 2;
	printf("}\n");
	return 0;
}
