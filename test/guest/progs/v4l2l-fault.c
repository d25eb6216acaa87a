// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-fault - consumers and helpers for the fault-injection tests:
 *
 *   watch -d DEV [-b BUFS] [-t SECONDS]
 *       mmap consumer that classifies every frame: a producer frame
 *       (v4l2l-producer's stamp: magic, frame number, page index at the
 *       start of every 4 KiB page, every other byte of the page
 *       (n * 7 + page) & 0xff, all checked), the timeout image written by
 *       `image`, a black null frame, or bad (torn, stale mix, garbage).
 *       Consecutive frames of one kind form segments; a producer segment
 *       ends when the stamp goes backwards (a new producer starts at 0).
 *       Segment times and gaps are the buffers' timestamps (delivery),
 *       in seconds since the watch started.
 *       Prints a progress line every 250 ms and a report at the end
 *       (SECONDS elapsed, or SIGTERM/SIGINT).
 *   hog -d DEV [-b BUFS] [-k HOLD] [-B] [-R]
 *       -k: streams, dequeues HOLD buffers and never gives them back,
 *           prints {"holding":HOLD} and sleeps until killed.
 *       -B: streams on a blocking fd and waits in DQBUF; -R: waits in a
 *           blocking read(); both print {"waiting":1} first.
 *   image -d DEV
 *       presses timeout_image_io and writes one frame stamped 0xffffff
 *       (in the device's current format) as the timeout image.
 *
 * Every line printed is one JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

#define STAMP_MAGIC 0x4c4f4f50u /* "LOOP" */
#define TIMEOUT_STAMP 0x00ffffffu
#define PAGE 4096
#define MAX_BUFS 32
#define MAX_SEGMENTS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	printf("{\"error\":\"%s\",\"errno\":%d}\n", what, errno);
	fflush(stdout);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

enum kind { K_PRODUCER, K_TIMEOUT, K_NULL, K_BAD };
static const char *const kind_names[] = { "producer", "timeout", "null", "bad" };

/* the kind of a whole frame; *n gets the stamp of a producer frame */
static enum kind classify(const uint8_t *buf, size_t size, long *n)
{
	uint32_t head[3];
	size_t off, i;

	*n = -1;
	if (size >= sizeof(head)) {
		memcpy(head, buf, sizeof(head));
		if (head[0] == STAMP_MAGIC)
			*n = head[1];
	}
	if (*n < 0) {
		for (i = 0; i < size; i++)
			if (buf[i] != 0 && buf[i] != 0x10 && buf[i] != 0x80)
				return K_BAD;
		return size ? K_NULL : K_BAD;
	}
	for (off = 0; off < size; off += PAGE) {
		size_t len = size - off < PAGE ? size - off : PAGE;
		size_t hlen = len < sizeof(head) ? len : sizeof(head);
		uint8_t fill = (uint8_t)(*n * 7 + off / PAGE);

		head[0] = STAMP_MAGIC;
		head[1] = *n;
		head[2] = off / PAGE;
		if (memcmp(buf + off, head, hlen))
			return K_BAD;
		for (i = hlen; i < len; i++)
			if (buf[off + i] != fill)
				return K_BAD;
	}
	return *n == TIMEOUT_STAMP ? K_TIMEOUT : K_PRODUCER;
}

struct segment {
	enum kind kind;
	long count, first, last, skips;
	double start, end;
};

static int open_dev(const char *dev, int flags)
{
	int fd = open(dev, O_RDWR | flags);

	if (fd < 0)
		die("open");
	return fd;
}

/* REQBUFS, mmap, QBUF all, STREAMON; returns the buffer count */
static unsigned int stream_on(int fd, unsigned int nbuf, void **maps,
			      size_t *lens)
{
	struct v4l2_requestbuffers req = {
		.count = nbuf, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int i;

	if (ioctl(fd, VIDIOC_REQBUFS, &req))
		die("REQBUFS");
	if (!req.count || req.count > MAX_BUFS)
		die("REQBUFS count");
	for (i = 0; i < req.count; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		if (ioctl(fd, VIDIOC_QUERYBUF, &b))
			die("QUERYBUF");
		lens[i] = b.length;
		maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd,
			       b.m.offset);
		if (maps[i] == MAP_FAILED)
			die("mmap");
		if (ioctl(fd, VIDIOC_QBUF, &b))
			die("QBUF");
	}
	if (ioctl(fd, VIDIOC_STREAMON, &type))
		die("STREAMON");
	return req.count;
}

static int watch(const char *dev, unsigned int nbuf, double seconds)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct segment seg[MAX_SEGMENTS];
	long counts[4] = { 0 }, frames = 0, seq_back = 0, ts_back = 0;
	long bytes_mismatch = 0, last_seq = -1, dropped_segments = 0;
	double t0 = now_s(), end = t0 + seconds, last_ts = -1, last_frame_t = 0;
	double max_gap = 0, next_progress = t0;
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	int fd, nseg = 0, i;

	fd = open_dev(dev, O_NONBLOCK);
	if (ioctl(fd, VIDIOC_G_FMT, &fmt))
		die("G_FMT");
	stream_on(fd, nbuf, maps, lens);
	printf("{\"streaming\":1,\"sizeimage\":%u}\n", fmt.fmt.pix.sizeimage);
	fflush(stdout);

	while (!stop && now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		struct segment *s;
		enum kind k;
		double t, ts;
		long n;

		if (now_s() >= next_progress) {
			printf("{\"progress\":1,\"frames\":%ld,\"producer\":%ld,"
			       "\"timeout\":%ld,\"null\":%ld,\"bad\":%ld}\n",
			       frames, counts[K_PRODUCER], counts[K_TIMEOUT],
			       counts[K_NULL], counts[K_BAD]);
			fflush(stdout);
			next_progress += 0.25;
		}
		if (poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN))
			continue;
		if (ioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			die("DQBUF");
		}
		if (b.index >= MAX_BUFS || b.bytesused > lens[b.index])
			die("DQBUF index");
		if (b.bytesused != fmt.fmt.pix.sizeimage)
			bytes_mismatch++;
		if (last_seq >= 0 && (long)b.sequence <= last_seq)
			seq_back++;
		last_seq = b.sequence;
		ts = b.timestamp.tv_sec + b.timestamp.tv_usec / 1e6;
		if (ts < last_ts)
			ts_back++;
		last_ts = ts;
		/* delivery time (CLOCK_MONOTONIC, like now_s()), not ours */
		t = ts - t0;
		k = classify(maps[b.index], b.bytesused, &n);
		if (ioctl(fd, VIDIOC_QBUF, &b))
			die("QBUF");
		if (frames && t - last_frame_t > max_gap)
			max_gap = t - last_frame_t;
		last_frame_t = t;
		frames++;
		counts[k]++;

		s = nseg ? &seg[nseg - 1] : NULL;
		if (!s || s->kind != k ||
		    (k == K_PRODUCER && n < s->last)) {
			if (nseg == MAX_SEGMENTS) {
				dropped_segments++;
				continue;
			}
			s = &seg[nseg++];
			memset(s, 0, sizeof(*s));
			s->kind = k;
			s->first = n;
			s->start = t;
		} else if (k == K_PRODUCER && n > s->last + 1) {
			s->skips += n - s->last - 1;
		}
		s->count++;
		s->last = n;
		s->end = t;
	}
	printf("{\"frames\":%ld,\"producer\":%ld,\"timeout\":%ld,\"null\":%ld,"
	       "\"bad\":%ld,\"seqBackwards\":%ld,\"tsBackwards\":%ld,"
	       "\"bytesMismatch\":%ld,\"maxGapMs\":%.0f,\"droppedSegments\":%ld,"
	       "\"segments\":[",
	       frames, counts[K_PRODUCER], counts[K_TIMEOUT], counts[K_NULL],
	       counts[K_BAD], seq_back, ts_back, bytes_mismatch,
	       max_gap * 1000, dropped_segments);
	for (i = 0; i < nseg; i++)
		printf("%s{\"kind\":\"%s\",\"count\":%ld,\"first\":%ld,"
		       "\"last\":%ld,\"skips\":%ld,\"start\":%.3f,\"end\":%.3f}",
		       i ? "," : "", kind_names[seg[i].kind], seg[i].count,
		       seg[i].first, seg[i].last, seg[i].skips, seg[i].start,
		       seg[i].end);
	printf("]}\n");
	fflush(stdout);
	close(fd);
	return 0;
}

static __attribute__((noreturn)) void hog(const char *dev, unsigned int nbuf, unsigned int hold,
	       int blocking, int use_read)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	unsigned int held = 0;
	int fd;

	fd = open_dev(dev, blocking || use_read ? 0 : O_NONBLOCK);
	if (ioctl(fd, VIDIOC_G_FMT, &fmt))
		die("G_FMT");
	if (use_read) {
		uint8_t *buf = malloc(fmt.fmt.pix.sizeimage);

		if (!buf)
			die("malloc");
		printf("{\"waiting\":1}\n");
		fflush(stdout);
		for (;;)
			if (read(fd, buf, fmt.fmt.pix.sizeimage) < 0)
				die("read");
	}
	nbuf = stream_on(fd, nbuf, maps, lens);
	if (blocking) {
		printf("{\"waiting\":1}\n");
		fflush(stdout);
		for (;;) {
			struct v4l2_buffer b = {
				.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (ioctl(fd, VIDIOC_DQBUF, &b))
				die("DQBUF");
			if (ioctl(fd, VIDIOC_QBUF, &b))
				die("QBUF");
		}
	}
	if (hold > nbuf)
		hold = nbuf;
	while (held < hold) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		if (poll(&p, 1, 30000) <= 0)
			die("poll");
		if (ioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			die("DQBUF");
		}
		held++;
	}
	printf("{\"holding\":%u,\"buffers\":%u}\n", held, nbuf);
	fflush(stdout);
	for (;;)
		pause();
}

static int image(const char *dev)
{
	struct v4l2_control ctrl = { .id = V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };
	uint8_t *buf;
	ssize_t r;
	int fd, writer;

	fd = open_dev(dev, 0);
	if (ioctl(fd, VIDIOC_S_CTRL, &ctrl))
		die("S_CTRL timeout_image_io");
	/* the next open of the output node writes the timeout image */
	writer = open_dev(dev, 0);
	if (ioctl(writer, VIDIOC_G_FMT, &fmt))
		die("G_FMT");
	buf = malloc(fmt.fmt.pix.sizeimage);
	if (!buf)
		die("malloc");
	stamp(buf, fmt.fmt.pix.sizeimage, TIMEOUT_STAMP);
	r = write(writer, buf, fmt.fmt.pix.sizeimage);
	if (r != (ssize_t)fmt.fmt.pix.sizeimage)
		die("write");
	close(writer);
	close(fd);
	printf("{\"errno\":0,\"bytes\":%zd}\n", r);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *mode;
	unsigned int nbuf = 4, hold = 0;
	int blocking = 0, use_read = 0, opt;
	double seconds = 60;
	struct sigaction sa;

	if (argc < 2)
		return 2;
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "d:b:t:k:BR")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'b': nbuf = atoi(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'k': hold = atoi(optarg); break;
		case 'B': blocking = 1; break;
		case 'R': use_read = 1; break;
		default: return 2;
		}
	}
	if (!dev)
		return 2;
	if (!strcmp(mode, "watch")) {
		/* SIGTERM ends the watch with a report */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		/* an ioctl the signal interrupts restarts; poll() returns */
		sa.sa_flags = SA_RESTART;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		return watch(dev, nbuf, seconds);
	}
	if (!strcmp(mode, "hog"))
		hog(dev, nbuf, hold, blocking, use_read);
	if (!strcmp(mode, "image"))
		return image(dev);
	return 2;
}
