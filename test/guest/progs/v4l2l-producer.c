// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-producer - test producer for the loopback: writes frames through
 * write() or mmap streaming, stamping the frame number into every 4 KiB
 * page so that a consumer can detect torn frames.
 *
 * usage: v4l2l-producer -d /dev/videoN [-m] [-s WxH] [-f FOURCC] [-r FPS]
 *                       [-n FRAMES] [-b BUFFERS]
 * Prints one JSON line with what it did, including the longest time one
 * write(), QBUF or DQBUF call took (maxBlockMs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define STAMP_MAGIC 0x4c4f4f50u /* "LOOP" */
#define PAGE 4096

static void die(const char *what)
{
	printf("{\"error\":\"%s\",\"errno\":%d}\n", what, errno);
	exit(1);
}

/* page p of frame n: magic, frame number, page index, then a pattern */
static void stamp(uint8_t *buf, size_t size, uint32_t n)
{
	size_t off;

	for (off = 0; off < size; off += PAGE) {
		size_t len = size - off < PAGE ? size - off : PAGE;
		uint32_t head[3] = { STAMP_MAGIC, n, (uint32_t)(off / PAGE) };

		memset(buf + off, (uint8_t)(n * 7 + off / PAGE), len);
		memcpy(buf + off, head, len < sizeof(head) ? len : sizeof(head));
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/video0", *fcc = "YUYV";
	unsigned int w = 640, h = 480, fps = 30, nbuf = 4;
	long frames = 100;
	int use_mmap = 0, opt, fd;
	struct v4l2_format fmt;
	struct v4l2_streamparm parm;
	uint8_t *frame = NULL;
	void *maps[32];
	double t0, next, call, max_block = 0;
	long i;

	while ((opt = getopt(argc, argv, "d:ms:f:r:n:b:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'm': use_mmap = 1; break;
		case 's': sscanf(optarg, "%ux%u", &w, &h); break;
		case 'f': fcc = optarg; break;
		case 'r': fps = atoi(optarg); break;
		case 'n': frames = atol(optarg); break;
		case 'b': nbuf = atoi(optarg); break;
		default: return 2;
		}
	}
	fd = open(dev, O_RDWR);
	if (fd < 0)
		die("open");
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = h;
	fmt.fmt.pix.pixelformat = v4l2_fourcc(fcc[0], fcc[1], fcc[2], fcc[3]);
	if (ioctl(fd, VIDIOC_S_FMT, &fmt))
		die("S_FMT");
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	parm.parm.output.timeperframe.numerator = 1;
	parm.parm.output.timeperframe.denominator = fps;
	if (ioctl(fd, VIDIOC_S_PARM, &parm))
		die("S_PARM");

	if (use_mmap) {
		struct v4l2_requestbuffers req = {
			.count = nbuf, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
			.memory = V4L2_MEMORY_MMAP,
		};

		if (ioctl(fd, VIDIOC_REQBUFS, &req))
			die("REQBUFS");
		nbuf = req.count;
		for (i = 0; i < (long)nbuf; i++) {
			struct v4l2_buffer b = {
				.index = i, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (ioctl(fd, VIDIOC_QUERYBUF, &b))
				die("QUERYBUF");
			maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, b.m.offset);
			if (maps[i] == MAP_FAILED)
				die("mmap");
		}
	} else {
		frame = malloc(fmt.fmt.pix.sizeimage);
		if (!frame)
			die("malloc");
	}

	t0 = now_s();
	next = t0;
	for (i = 0; frames <= 0 || i < frames; i++) {
		double t = now_s();

		if (next > t)
			usleep((useconds_t)((next - t) * 1e6));
		next += 1.0 / fps;
		if (use_mmap) {
			struct v4l2_buffer b = {
				.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
				.memory = V4L2_MEMORY_MMAP,
			};

			call = now_s();
			if (i < (long)nbuf) {
				b.index = i;
			} else if (ioctl(fd, VIDIOC_DQBUF, &b)) {
				die("DQBUF");
			}
			stamp(maps[b.index], fmt.fmt.pix.sizeimage, i);
			b.bytesused = fmt.fmt.pix.sizeimage;
			if (ioctl(fd, VIDIOC_QBUF, &b))
				die("QBUF");
			if (now_s() - call > max_block)
				max_block = now_s() - call;
			if (i == 0) {
				int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;

				if (ioctl(fd, VIDIOC_STREAMON, &type))
					die("STREAMON");
			}
		} else {
			ssize_t r;

			stamp(frame, fmt.fmt.pix.sizeimage, i);
			call = now_s();
			r = write(fd, frame, fmt.fmt.pix.sizeimage);
			if (now_s() - call > max_block)
				max_block = now_s() - call;
			if (r != (ssize_t)fmt.fmt.pix.sizeimage)
				die("write");
		}
	}
	printf("{\"frames\":%ld,\"seconds\":%.3f,\"width\":%u,\"height\":%u,\"sizeimage\":%u,\"bytesperline\":%u,\"fourcc\":\"%.4s\",\"maxBlockMs\":%.1f}\n",
	       i, now_s() - t0, fmt.fmt.pix.width, fmt.fmt.pix.height,
	       fmt.fmt.pix.sizeimage, fmt.fmt.pix.bytesperline,
	       (const char *)&fmt.fmt.pix.pixelformat, max_block * 1000);
	close(fd);
	return 0;
}
