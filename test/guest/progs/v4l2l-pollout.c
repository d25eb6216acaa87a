// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-pollout - does an output buffer come back at once? Queues mmap
 * output buffers one at a time and polls with a zero timeout right after
 * each VIDIOC_QBUF, as GStreamer's v4l2sink does to recycle its buffers:
 * the loopback has delivered the frame inside QBUF, so the fd must be
 * writable and DQBUF must return that buffer without waiting.
 *
 * usage: v4l2l-pollout -d /dev/videoN [-s WxH] [-n ROUNDS] [-b BUFFERS]
 * Prints one JSON line: rounds, how many polls were not writable at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

static void die(const char *what)
{
	printf("{\"error\":\"%s\",\"errno\":%d}\n", what, errno);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/video0";
	unsigned int w = 640, h = 480, nbuf = 3, i;
	long rounds = 200, r, late = 0, wrong = 0;
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	struct v4l2_requestbuffers req;
	struct v4l2_format fmt;
	int opt, fd;

	while ((opt = getopt(argc, argv, "d:s:n:b:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 's':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2)
				die("size");
			break;
		case 'n': rounds = atol(optarg); break;
		case 'b': nbuf = (unsigned int)atoi(optarg); break;
		default: die("usage");
		}
	}
	fd = open(dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		die("open");
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = type;
	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = h;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(fd, VIDIOC_S_FMT, &fmt))
		die("S_FMT");
	memset(&req, 0, sizeof(req));
	req.count = nbuf;
	req.type = type;
	req.memory = V4L2_MEMORY_MMAP;
	if (ioctl(fd, VIDIOC_REQBUFS, &req) || req.count < 2)
		die("REQBUFS");
	for (i = 0; i < req.count; i++) {
		struct v4l2_buffer b = { .index = i, .type = type,
					 .memory = V4L2_MEMORY_MMAP };
		void *p;

		if (ioctl(fd, VIDIOC_QUERYBUF, &b))
			die("QUERYBUF");
		p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, b.m.offset);
		if (p == MAP_FAILED)
			die("mmap");
		memset(p, 0x80, b.length);
	}
	if (ioctl(fd, VIDIOC_STREAMON, &type))
		die("STREAMON");
	for (r = 0; r < rounds; r++) {
		struct v4l2_buffer b = { .index = (unsigned int)(r % req.count),
					 .type = type,
					 .memory = V4L2_MEMORY_MMAP,
					 .bytesused = fmt.fmt.pix.sizeimage,
					 .field = V4L2_FIELD_NONE };
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		unsigned int queued = b.index;

		if (ioctl(fd, VIDIOC_QBUF, &b))
			die("QBUF");
		if (poll(&pfd, 1, 0) < 0)
			die("poll");
		if (!(pfd.revents & POLLOUT)) {
			late++;
			/* wait for it, so that the next round starts clean */
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 5000) <= 0)
				die("poll-wait");
		}
		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_MMAP;
		if (ioctl(fd, VIDIOC_DQBUF, &b))
			die("DQBUF");
		if (b.index != queued)
			wrong++;
	}
	if (ioctl(fd, VIDIOC_STREAMOFF, &type))
		die("STREAMOFF");
	printf("{\"rounds\":%ld,\"notWritable\":%ld,\"otherBuffer\":%ld}\n",
	       rounds, late, wrong);
	return 0;
}
