// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-probe - what consumers do to a capture node before any producer
 * exists, then close: PipeWire's and Chromium's probe sequences, or seeded
 * random consumer ioctl sequences. Afterwards a producer and a consumer
 * must work as if nothing had happened (test/guest/kmod/idle-probe.test.ts,
 * test/torture/idle-probe.test.ts).
 *
 * usage: v4l2l-probe pipewire DEV
 *        v4l2l-probe chromium DEV [FOURCC WxH]
 *        v4l2l-probe random DEV SEED ROUNDS
 * Prints one JSON line; exits 1 when a step that must work failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define CID_SUSTAIN_FRAMERATE 0x0098f901
#define CID_TIMEOUT 0x0098f902
#define CID_TIMEOUT_IMAGE_IO 0x0098f903
#define EVENT_PRI_CLIENT_USAGE (V4L2_EVENT_PRIVATE_START)
#define MAX_MAPS 64

static const char *step = "start";

static void fail(void)
{
	printf("{\"error\":\"%s\",\"errno\":%d}\n", step, errno);
	exit(1);
}

/* an ioctl of a fixed probe sequence: it must succeed */
static void must(int fd, unsigned long req, void *arg, const char *name)
{
	step = name;
	if (ioctl(fd, req, arg))
		fail();
}

static int open_node(const char *dev, int flags)
{
	int fd = open(dev, flags);

	step = "open";
	if (fd < 0)
		fail();
	return fd;
}

static void set_fmt(int fd, uint32_t fourcc, uint32_t w, uint32_t h)
{
	struct v4l2_format f = { .type = CAP };

	f.fmt.pix.pixelformat = fourcc;
	f.fmt.pix.width = w;
	f.fmt.pix.height = h;
	must(fd, VIDIOC_TRY_FMT, &f, "TRY_FMT");
	must(fd, VIDIOC_S_FMT, &f, "S_FMT");
}

static void reqbufs(int fd, unsigned int count, const char *name)
{
	struct v4l2_requestbuffers r = {
		.count = count, .type = CAP, .memory = V4L2_MEMORY_MMAP,
	};

	must(fd, VIDIOC_REQBUFS, &r, name);
}

/*
 * PipeWire's SPA v4l2 plugin: caps, formats, then per format it sets:
 * S_FMT, S_PARM, REQBUFS(32), EXPBUF of buffer 0, REQBUFS(0).
 */
static int probe_pipewire(const char *dev)
{
	int fd = open_node(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct v4l2_capability cap;
	struct v4l2_fmtdesc d = { .type = CAP };
	uint32_t fourccs[2];
	unsigned int n = 0, i;

	must(fd, VIDIOC_QUERYCAP, &cap, "QUERYCAP");
	for (d.index = 0; !ioctl(fd, VIDIOC_ENUM_FMT, &d); d.index++) {
		struct v4l2_frmsizeenum s = { .pixel_format = d.pixelformat };

		ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s);
		if (n < 2)
			fourccs[n++] = d.pixelformat;
	}
	step = "ENUM_FMT";
	if (!n)
		fail();
	for (i = 0; i < n; i++) {
		struct v4l2_streamparm p = { .type = CAP };
		struct v4l2_exportbuffer e = {
			.type = CAP, .index = 0, .flags = O_CLOEXEC | O_RDONLY,
		};

		set_fmt(fd, fourccs[i], 640, 480);
		p.parm.capture.timeperframe.numerator = 1;
		p.parm.capture.timeperframe.denominator = 30;
		must(fd, VIDIOC_S_PARM, &p, "S_PARM");
		reqbufs(fd, 32, "REQBUFS(32)");
		must(fd, VIDIOC_EXPBUF, &e, "EXPBUF");
		close(e.fd);
		reqbufs(fd, 0, "REQBUFS(0)");
	}
	close(fd);
	printf("{\"mode\":\"pipewire\",\"formats\":%u}\n", n);
	return 0;
}

/* maps every buffer of fd, queues them all and streams */
static unsigned int map_and_stream(int fd, void **maps, size_t *lens)
{
	struct v4l2_requestbuffers r = {
		.count = 4, .type = CAP, .memory = V4L2_MEMORY_MMAP,
	};
	int type = CAP;
	unsigned int i;

	must(fd, VIDIOC_REQBUFS, &r, "REQBUFS(4)");
	for (i = 0; i < r.count; i++) {
		struct v4l2_buffer b = {
			.type = CAP, .memory = V4L2_MEMORY_MMAP, .index = i,
		};

		must(fd, VIDIOC_QUERYBUF, &b, "QUERYBUF");
		maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, b.m.offset);
		step = "mmap";
		if (maps[i] == MAP_FAILED)
			fail();
		lens[i] = b.length;
		must(fd, VIDIOC_QBUF, &b, "QBUF");
	}
	must(fd, VIDIOC_STREAMON, &type, "STREAMON");
	return r.count;
}

static void unmap_all(void **maps, size_t *lens, unsigned int n)
{
	while (n--)
		munmap(maps[n], lens[n]);
}

/*
 * Chromium's capture delegate: QUERYCAP, ENUM_FMT, S_FMT, G_PARM/S_PARM,
 * REQBUFS(4), mmap, QBUF, STREAMON, poll(1 s); after the timeout it
 * restarts (STREAMOFF, unmap, REQBUFS(0), again), then the page closes.
 */
static int probe_chromium(const char *dev, const char *fcc, const char *size)
{
	int fd = open_node(dev, O_RDWR);
	struct v4l2_capability cap;
	struct v4l2_fmtdesc d = { .type = CAP };
	struct v4l2_streamparm p = { .type = CAP };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint32_t w = 640, h = 480, fourcc = v4l2_fourcc('Y', 'U', 'Y', 'V');
	void *maps[MAX_MAPS];
	size_t lens[MAX_MAPS];
	unsigned int n, round;
	int type = CAP, polled = 0;

	if (fcc && size) {
		fourcc = v4l2_fourcc(fcc[0], fcc[1], fcc[2], fcc[3]);
		sscanf(size, "%ux%u", &w, &h);
	}
	must(fd, VIDIOC_QUERYCAP, &cap, "QUERYCAP");
	step = "capture caps";
	if (!(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
		fail();
	must(fd, VIDIOC_ENUM_FMT, &d, "ENUM_FMT");
	set_fmt(fd, fourcc, w, h);
	must(fd, VIDIOC_G_PARM, &p, "G_PARM");
	p.parm.capture.timeperframe.numerator = 1;
	p.parm.capture.timeperframe.denominator = 30;
	must(fd, VIDIOC_S_PARM, &p, "S_PARM");
	for (round = 0; round < 2; round++) {
		n = map_and_stream(fd, maps, lens);
		polled += poll(&pfd, 1, 1000);
		if (round)
			break;
		must(fd, VIDIOC_STREAMOFF, &type, "STREAMOFF");
		unmap_all(maps, lens, n);
		reqbufs(fd, 0, "REQBUFS(0)");
	}
	/* the tab closes: no STREAMOFF, the mappings go with the process */
	close(fd);
	unmap_all(maps, lens, n);
	printf("{\"mode\":\"chromium\",\"ready\":%d}\n", polled);
	return 0;
}

/* ---- random consumer sequences ---- */

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const uint32_t fourccs[] = {
	V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_NV12,
	V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR32,
	V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_GREY, 0x31323334,
};

struct fuzz_fd {
	int fd;
	bool nonblock;
};

static void *maps[MAX_MAPS];
static size_t map_lens[MAX_MAPS];
static unsigned int nmaps;
static long ops, errors;

static void random_fmt(struct v4l2_format *f)
{
	memset(f, 0, sizeof(*f));
	f->type = rnd(8) ? CAP : V4L2_BUF_TYPE_VIDEO_OUTPUT;
	f->fmt.pix.pixelformat = fourccs[rnd(sizeof(fourccs) / sizeof(fourccs[0]))];
	/* sizes a real consumer asks for; memory limits have their own tests */
	f->fmt.pix.width = 1 + rnd(1280);
	f->fmt.pix.height = 1 + rnd(720);
	f->fmt.pix.field = rnd(3);
}

static void random_ctrl(int fd)
{
	static const uint32_t ids[] = {
		CID_SUSTAIN_FRAMERATE, CID_TIMEOUT, CID_TIMEOUT_IMAGE_IO,
		V4L2_CID_BRIGHTNESS,
	};
	struct v4l2_control c = { .id = ids[rnd(4)] };

	c.value = c.id == CID_TIMEOUT ? (int)rnd(3000) : (int)rnd(2);
	if (ioctl(fd, VIDIOC_S_CTRL, &c))
		errors++;
}

static int random_op(struct fuzz_fd *f)
{
	int fd = f->fd, type = CAP;
	struct v4l2_format fmt;
	struct v4l2_buffer b = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };
	char buf[4096];

	ops++;
	switch (rnd(18)) {
	case 0: {
		struct v4l2_capability c;

		return ioctl(fd, VIDIOC_QUERYCAP, &c);
	}
	case 1: {
		struct v4l2_fmtdesc d = { .type = CAP, .index = rnd(40) };

		return ioctl(fd, VIDIOC_ENUM_FMT, &d);
	}
	case 2:
		random_fmt(&fmt);
		return ioctl(fd, rnd(2) ? VIDIOC_TRY_FMT : VIDIOC_G_FMT, &fmt);
	case 3:
		random_fmt(&fmt);
		return ioctl(fd, VIDIOC_S_FMT, &fmt);
	case 4: {
		struct v4l2_streamparm p = { .type = CAP };

		p.parm.capture.timeperframe.numerator = rnd(3);
		p.parm.capture.timeperframe.denominator = rnd(1001);
		return ioctl(fd, rnd(2) ? VIDIOC_S_PARM : VIDIOC_G_PARM, &p);
	}
	case 5: {
		static const uint32_t mem[] = {
			V4L2_MEMORY_MMAP, V4L2_MEMORY_USERPTR,
			V4L2_MEMORY_DMABUF,
		};
		struct v4l2_requestbuffers r = {
			.count = rnd(4) ? rnd(8) : rnd(40), .type = CAP,
			.memory = mem[rnd(3)],
		};

		return ioctl(fd, VIDIOC_REQBUFS, &r);
	}
	case 6: {
		struct v4l2_create_buffers c = {
			.count = rnd(4), .memory = V4L2_MEMORY_MMAP,
		};

		c.format.type = CAP;
		if (ioctl(fd, VIDIOC_G_FMT, &c.format))
			return -1;
		c.format.fmt.pix.sizeimage += rnd(3) * 10240;
		return ioctl(fd, VIDIOC_CREATE_BUFS, &c);
	}
	case 7:
		b.index = rnd(8);
		if (ioctl(fd, VIDIOC_QUERYBUF, &b))
			return -1;
		if (nmaps < MAX_MAPS && rnd(2)) {
			void *p = mmap(NULL, b.length, PROT_READ, MAP_SHARED,
				       fd, b.m.offset);

			if (p != MAP_FAILED) {
				maps[nmaps] = p;
				map_lens[nmaps++] = b.length;
			}
		}
		return 0;
	case 8:
		b.index = rnd(8);
		return ioctl(fd, VIDIOC_QBUF, &b);
	case 9:
		/* a blocking DQBUF on an idle node waits forever: poll first */
		if (!f->nonblock && poll(&pfd, 1, 0) <= 0)
			return -1;
		return ioctl(fd, VIDIOC_DQBUF, &b);
	case 10:
		return ioctl(fd, VIDIOC_STREAMON, &type);
	case 11:
		return ioctl(fd, VIDIOC_STREAMOFF, &type);
	case 12: {
		struct v4l2_exportbuffer e = { .type = CAP, .index = rnd(4) };

		if (ioctl(fd, VIDIOC_EXPBUF, &e))
			return -1;
		close(e.fd);
		return 0;
	}
	case 13:
		random_ctrl(fd);
		return 0;
	case 14: {
		static const uint32_t types[] = {
			V4L2_EVENT_SOURCE_CHANGE, V4L2_EVENT_CTRL,
			EVENT_PRI_CLIENT_USAGE,
		};
		struct v4l2_event_subscription s = { .type = types[rnd(3)] };

		return ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &s);
	}
	case 15:
		return poll(&pfd, 1, 0) < 0 ? -1 : 0;
	case 16:
		if (!f->nonblock && poll(&pfd, 1, 0) <= 0)
			return -1;
		return read(fd, buf, sizeof(buf)) < 0 ? -1 : 0;
	default: {
		struct v4l2_frmsizeenum s = {
			.pixel_format = fourccs[rnd(3)], .index = rnd(2),
		};
		unsigned int input = rnd(2);

		ioctl(fd, VIDIOC_S_INPUT, &input);
		return ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s);
	}
	}
}

static int probe_random(const char *dev, uint64_t seed, long rounds)
{
	long r;

	rng = seed * 2654435761u + 1;
	for (r = 0; r < rounds; r++) {
		struct fuzz_fd fds[2];
		unsigned int nfds = 1 + rnd(2), i, n = 1 + rnd(30);

		for (i = 0; i < nfds; i++) {
			fds[i].nonblock = rnd(2);
			fds[i].fd = open_node(dev, O_RDWR | (fds[i].nonblock ? O_NONBLOCK : 0));
		}
		while (n--)
			if (random_op(&fds[rnd(nfds)]))
				errors++;
		for (i = 0; i < nfds; i++)
			close(fds[i].fd);
		/* what a process exit would do to its mappings */
		while (nmaps) {
			nmaps--;
			munmap(maps[nmaps], map_lens[nmaps]);
		}
	}
	printf("{\"mode\":\"random\",\"seed\":%llu,\"rounds\":%ld,\"ops\":%ld,\"errors\":%ld}\n",
	       (unsigned long long)seed, rounds, ops, errors);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "pipewire"))
		return probe_pipewire(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "chromium"))
		return probe_chromium(argv[2], argc > 4 ? argv[3] : NULL,
				      argc > 4 ? argv[4] : NULL);
	if (argc == 5 && !strcmp(argv[1], "random"))
		return probe_random(argv[2], strtoull(argv[3], NULL, 0),
				    atol(argv[4]));
	fprintf(stderr, "usage: v4l2l-probe pipewire DEV | chromium DEV [FOURCC WxH] | random DEV SEED ROUNDS\n");
	return 2;
}
