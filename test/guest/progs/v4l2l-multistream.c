// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-multistream - streams to many loopback devices at once from one
 * process: for every combined node it is both the producer (mmap output,
 * paced at FPS) and one consumer (mmap capture). Frames are stamped with
 * their number on every 4 KiB page; the consumer side checks each frame is
 * whole and counts what arrives. Prints one JSON line with per-device counts.
 *
 * usage: v4l2l-multistream -s WxH -r FPS -t SECONDS /dev/videoA /dev/videoB ...
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define MAX_DEVICES 256
#define NBUF 4
#define PAGE 4096
#define STAMP_MAGIC 0x4d554c54u /* "MULT" */

struct queue {
	int fd;
	enum v4l2_buf_type type;
	void *mem[NBUF];
	size_t len[NBUF];
	int queued[NBUF];
	int streaming;
};

struct stream {
	const char *path;
	struct queue out, cap;
	uint32_t produced;	/* frames queued by the producer side */
	uint32_t skipped;	/* ticks with no free output buffer */
	uint32_t received;	/* whole, new frames the consumer got */
	uint32_t torn;		/* frames whose pages disagree */
	uint32_t repeated;	/* frame numbers seen again or going back */
	int64_t first_seen;	/* number of the first frame received, -1 none */
	int64_t last_seen;
};

static struct stream streams[MAX_DEVICES];
static int nstreams;
static unsigned int width = 320, height = 240;
static size_t frame_size;

static void die(const char *path, const char *what)
{
	printf("{\"error\":\"%s: %s\",\"errno\":%d}\n", path, what, errno);
	exit(1);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stamp(uint8_t *buf, uint32_t n)
{
	size_t off;

	for (off = 0; off < frame_size; off += PAGE) {
		uint32_t head[2] = { STAMP_MAGIC, n };

		memcpy(buf + off, head, sizeof(head));
	}
}

/* The frame number if every page carries the same stamp, else -1. */
static int64_t read_stamp(const uint8_t *buf, size_t used)
{
	uint32_t head[2], n = 0;
	size_t off;

	if (used != frame_size)
		return -1;
	for (off = 0; off < used; off += PAGE) {
		memcpy(head, buf + off, sizeof(head));
		if (head[0] != STAMP_MAGIC || (off && head[1] != n))
			return -1;
		n = head[1];
	}
	return n;
}

static void setup_queue(struct stream *s, struct queue *q, enum v4l2_buf_type type)
{
	struct v4l2_requestbuffers req = { .count = NBUF, .type = type, .memory = V4L2_MEMORY_MMAP };
	struct v4l2_format fmt = { .type = type };
	unsigned int i;

	q->type = type;
	q->fd = open(s->path, O_RDWR | O_NONBLOCK);
	if (q->fd < 0)
		die(s->path, "open");
	if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
		fmt.fmt.pix.width = width;
		fmt.fmt.pix.height = height;
		fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
		fmt.fmt.pix.field = V4L2_FIELD_NONE;
		if (xioctl(q->fd, VIDIOC_S_FMT, &fmt) < 0)
			die(s->path, "S_FMT");
	} else if (xioctl(q->fd, VIDIOC_G_FMT, &fmt) < 0) {
		die(s->path, "G_FMT");
	}
	if (fmt.fmt.pix.sizeimage != frame_size)
		die(s->path, "unexpected sizeimage");
	if (xioctl(q->fd, VIDIOC_REQBUFS, &req) < 0 || req.count != NBUF)
		die(s->path, "REQBUFS");
	for (i = 0; i < NBUF; i++) {
		struct v4l2_buffer b = { .index = i, .type = type, .memory = V4L2_MEMORY_MMAP };

		if (xioctl(q->fd, VIDIOC_QUERYBUF, &b) < 0)
			die(s->path, "QUERYBUF");
		q->len[i] = b.length;
		q->mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, q->fd, b.m.offset);
		if (q->mem[i] == MAP_FAILED)
			die(s->path, "mmap");
	}
}

static void qbuf(struct stream *s, struct queue *q, unsigned int i)
{
	struct v4l2_buffer b = { .index = i, .type = q->type, .memory = V4L2_MEMORY_MMAP };

	if (q->type == V4L2_BUF_TYPE_VIDEO_OUTPUT)
		b.bytesused = frame_size;
	if (xioctl(q->fd, VIDIOC_QBUF, &b) < 0)
		die(s->path, "QBUF");
	q->queued[i] = 1;
}

/* Dequeues one buffer without blocking: its index, or -1 when none is ready. */
static int dqbuf(struct stream *s, struct queue *q, uint32_t *bytesused)
{
	struct v4l2_buffer b = { .type = q->type, .memory = V4L2_MEMORY_MMAP };

	if (xioctl(q->fd, VIDIOC_DQBUF, &b) < 0) {
		if (errno == EAGAIN)
			return -1;
		die(s->path, "DQBUF");
	}
	q->queued[b.index] = 0;
	if (bytesused)
		*bytesused = b.bytesused;
	return b.index;
}

static void streamon(struct stream *s, struct queue *q)
{
	int type = q->type;

	if (xioctl(q->fd, VIDIOC_STREAMON, &type) < 0)
		die(s->path, "STREAMON");
	q->streaming = 1;
}

/* Producer side of one tick: reclaim done buffers, queue the next frame. */
static void produce(struct stream *s)
{
	struct queue *q = &s->out;
	unsigned int i;

	while (q->streaming && dqbuf(s, q, NULL) >= 0)
		;
	for (i = 0; i < NBUF; i++) {
		if (!q->queued[i])
			break;
	}
	if (i == NBUF) {
		s->skipped++;
		return;
	}
	stamp(q->mem[i], s->produced);
	qbuf(s, q, i);
	s->produced++;
}

/* Consumer side: take every ready frame, check it, give the buffer back. */
static void consume(struct stream *s)
{
	uint32_t used;
	int i;

	while ((i = dqbuf(s, &s->cap, &used)) >= 0) {
		int64_t n = read_stamp(s->cap.mem[i], used);

		if (n < 0) {
			s->torn++;
		} else if (s->first_seen >= 0 && n <= s->last_seen) {
			s->repeated++;
		} else {
			if (s->first_seen < 0)
				s->first_seen = n;
			s->last_seen = n;
			s->received++;
		}
		qbuf(s, &s->cap, i);
	}
}

static void serve(struct pollfd *pfd, int timeout_ms)
{
	int i;

	if (poll(pfd, nstreams, timeout_ms) <= 0)
		return;
	for (i = 0; i < nstreams; i++) {
		if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			die(streams[i].path, "poll error");
		if (pfd[i].revents & POLLIN)
			consume(&streams[i]);
	}
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_DEVICES];
	unsigned int fps = 30, seconds = 10, i;
	int64_t period, start, next, elapsed, late = 0;
	uint32_t ticks;
	int opt;

	while ((opt = getopt(argc, argv, "s:r:t:")) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%ux%u", &width, &height) != 2)
				return 2;
			break;
		case 'r':
			fps = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s -s WxH -r FPS -t SECONDS /dev/video...\n", argv[0]);
			return 2;
		}
	}
	if (!fps || optind >= argc || argc - optind > MAX_DEVICES) {
		fprintf(stderr, "usage: %s -s WxH -r FPS -t SECONDS /dev/video...\n", argv[0]);
		return 2;
	}
	frame_size = (size_t)width * height * 2;
	for (; optind < argc; optind++) {
		struct stream *s = &streams[nstreams++];

		s->path = argv[optind];
		s->first_seen = s->last_seen = -1;
		/* The producer streams first, so the node turns into a capture device. */
		setup_queue(s, &s->out, V4L2_BUF_TYPE_VIDEO_OUTPUT);
		produce(s);
		streamon(s, &s->out);
	}
	for (i = 0; i < (unsigned int)nstreams; i++) {
		struct stream *s = &streams[i];
		unsigned int b;

		setup_queue(s, &s->cap, V4L2_BUF_TYPE_VIDEO_CAPTURE);
		for (b = 0; b < NBUF; b++)
			qbuf(s, &s->cap, b);
		streamon(s, &s->cap);
		pfd[i].fd = s->cap.fd;
		pfd[i].events = POLLIN;
	}

	period = 1000000000LL / fps;
	start = now_ns();
	for (ticks = 0; ticks < seconds * fps; ticks++) {
		int64_t t;

		next = start + (int64_t)ticks * 1000000000 / fps;
		for (i = 0; i < (unsigned int)nstreams; i++)
			produce(&streams[i]);
		/*
		 * Serve consumers at least once, even when late (a guest that
		 * was descheduled catches up tick by tick, not in a burst that
		 * outruns the consumers' buffers), then until the next tick.
		 */
		serve(pfd, 0);
		while ((t = now_ns()) < next + period)
			serve(pfd, (int)((next + period - t + 999999) / 1000000));
		if (t - (next + period) > period)
			late++;
	}
	elapsed = now_ns() - start;
	/* Let the last frames arrive. */
	for (i = 0; i < 10; i++)
		serve(pfd, 20);

	printf("{\"devices\":%d,\"fps\":%u,\"seconds\":%u,\"ticks\":%u,\"late_ticks\":%lld,\"elapsed_ms\":%lld,\"streams\":[",
	       nstreams, fps, seconds, ticks, (long long)late, (long long)(elapsed / 1000000));
	for (i = 0; i < (unsigned int)nstreams; i++) {
		struct stream *s = &streams[i];

		printf("%s{\"path\":\"%s\",\"produced\":%u,\"skipped\":%u,\"received\":%u,\"torn\":%u,\"repeated\":%u,\"first\":%lld,\"last\":%lld}",
		       i ? "," : "", s->path, s->produced, s->skipped, s->received, s->torn, s->repeated,
		       (long long)s->first_seen, (long long)s->last_seen);
	}
	printf("]}\n");
	return 0;
}
