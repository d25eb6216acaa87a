// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-churn - add/remove torture for the control device: CYCLES times,
 * ADD a loopback with a random valid config (seeded PRNG: split or
 * combined, explicit or automatic node numbers, extra capture nodes, label,
 * size limits, max_buffers, max_openers, exclusive caps), check that QUERY
 * reports it back, stream a few frames through some of them (write() or
 * mmap producer, one or two mmap consumers, random controls, a timeout
 * image, random teardown order, buffers left mapped past close()), check
 * that REMOVE is refused (EBUSY) while anything is open or mapped, then
 * REMOVE it and check that its nodes are gone.
 *
 * Frames carry the stamp of v4l2l-producer (magic, frame number, page
 * index at the start of every 4 KiB page) and every other byte of a page
 * is (n * 7 + page) & 0xff; consumers check every byte.
 *
 * usage: v4l2l-churn [-c /dev/v4l2loopback] [-n CYCLES] [-s SEED]
 *                    [-p STREAM_PERCENT] [-P] [-S] [-v[v]]
 *   -P: another churn runs in parallel: skip the checks that node numbers
 *       stay free after REMOVE (another process may take them at once)
 *   -S: a child process reads every sysfs attribute of every video node
 *       (and sets frame rates through `format`) all the while, racing the
 *       creation and removal of the nodes
 * Prints one JSON line: {"cycles":N,"streamed":N,"frames":N,...,"errors":N,
 * "firstErrors":[...]}. Exits 1 if any check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

#define STAMP_MAGIC 0x4c4f4f50u /* "LOOP" */
#define TIMEOUT_STAMP 0x00ffffffu /* frame number of the timeout image */
#define PAGE 4096
#define MAX_BUFS 32
#define MAX_NODES 9

static uint64_t rng_state;
static long n_errors, n_streamed, n_frames, n_resends, n_ebusy_checks;
static long n_extra_nodes, n_orphans, n_timeout_images, n_two_consumers;
static long n_null_frames, n_repeats, n_mapped_after_close, n_timeout_frames;
static int parallel, verbose;
static char first_errors[5][200];
static long cycle_no;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return n ? (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % n : 0;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n_errors < 5)
		snprintf(first_errors[n_errors], sizeof(first_errors[0]),
			 "cycle %ld: %s", cycle_no, msg);
	if (verbose)
		fprintf(stderr, "cycle %ld: %s\n", cycle_no, msg);
	n_errors++;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
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

enum { F_BAD = -3, F_NULL = -2 };

/*
 * The stamp of a whole frame, F_NULL for a black null frame (only the
 * bytes 0x00, 0x10 and 0x80), F_BAD for anything else (torn, garbage).
 */
static long classify(const uint8_t *buf, size_t size)
{
	uint32_t head[3];
	long n = -1;
	size_t off, i;

	if (size >= sizeof(head)) {
		memcpy(head, buf, sizeof(head));
		if (head[0] == STAMP_MAGIC)
			n = head[1];
	}
	if (n < 0) {
		for (i = 0; i < size; i++)
			if (buf[i] != 0 && buf[i] != 0x10 && buf[i] != 0x80)
				return F_BAD;
		return F_NULL;
	}
	for (off = 0; off < size; off += PAGE) {
		size_t len = size - off < PAGE ? size - off : PAGE;
		uint8_t fill = (uint8_t)(n * 7 + off / PAGE);

		size_t hlen = len < sizeof(head) ? len : sizeof(head);

		head[0] = STAMP_MAGIC;
		head[1] = n;
		head[2] = off / PAGE;
		if (memcmp(buf + off, head, hlen))
			return F_BAD;
		for (i = hlen; i < len; i++)
			if (buf[off + i] != fill)
				return F_BAD;
	}
	return n;
}

static int ctl_add(int ctl, struct v4l2_loopback_config *c)
{
	int r = ioctl(ctl, c->capture_nr == -1 ? V4L2LOOPBACK_CTL_ADD :
			   V4L2LOOPBACK_CTL_ADD_SPLIT, c);

	return r < 0 ? -errno : r;
}

static int ctl_remove(int ctl, int nr)
{
	return ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr) < 0 ? errno : 0;
}

static int node_exists(int nr)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/video%d", nr);
	return stat(path, &st) == 0;
}

static int open_node(int nr)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/video%d", nr);
	fd = open(path, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		fail("open %s: errno %d", path, errno);
	return fd;
}

/* ---- streaming ---- */

struct consumer {
	int fd;
	unsigned int nbuf;
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	long last;	/* last stamp seen */
};

struct producer {
	int fd;
	int use_mmap;
	unsigned int nbuf, queued;
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	uint8_t *frame;
	size_t size;
};

static int set_ctrl(int fd, uint32_t id, int32_t value)
{
	struct v4l2_control c = { .id = id, .value = value };

	return xioctl(fd, VIDIOC_S_CTRL, &c);
}

static int produce(struct producer *p, uint32_t n)
{
	if (!p->use_mmap) {
		ssize_t r;

		stamp(p->frame, p->size, n);
		r = write(p->fd, p->frame, p->size);
		if (r != (ssize_t)p->size) {
			fail("write frame %u: %zd, errno %d", n, r, errno);
			return -1;
		}
		return 0;
	}
	{
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
			.memory = V4L2_MEMORY_MMAP,
		};
		int err;

		if (p->queued < p->nbuf) {
			b.index = p->queued++;
		} else {
			struct pollfd pf = { .fd = p->fd, .events = POLLOUT };

			/* the hand-back runs from a work item: wait for it */
			if (poll(&pf, 1, 5000) <= 0) {
				fail("producer poll: no free buffer");
				return -1;
			}
			err = xioctl(p->fd, VIDIOC_DQBUF, &b);
			if (err) {
				fail("producer DQBUF: errno %d", err);
				return -1;
			}
		}
		stamp(p->maps[b.index], p->size, n);
		b.bytesused = p->size;
		err = xioctl(p->fd, VIDIOC_QBUF, &b);
		if (err) {
			fail("producer QBUF: errno %d", err);
			return -1;
		}
		return 0;
	}
}

static int producer_start(struct producer *p, int nr, uint32_t w, uint32_t h,
			  uint32_t fourcc)
{
	struct v4l2_format f;
	unsigned int i;
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = open_node(nr);
	if (p->fd < 0)
		return -1;
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	f.fmt.pix.width = w;
	f.fmt.pix.height = h;
	f.fmt.pix.pixelformat = fourcc;
	err = xioctl(p->fd, VIDIOC_S_FMT, &f);
	if (err) {
		fail("S_FMT output: errno %d", err);
		return -1;
	}
	p->size = f.fmt.pix.sizeimage;
	if (rnd(3) == 0) {
		struct v4l2_streamparm parm = {
			.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		};

		parm.parm.output.timeperframe.numerator = 1;
		parm.parm.output.timeperframe.denominator = 5 + rnd(100);
		err = xioctl(p->fd, VIDIOC_S_PARM, &parm);
		if (err)
			fail("S_PARM: errno %d", err);
	}
	p->use_mmap = rnd(2);
	if (p->use_mmap) {
		struct v4l2_requestbuffers req = {
			.count = 2 + rnd(4), .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
			.memory = V4L2_MEMORY_MMAP,
		};
		int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;

		err = xioctl(p->fd, VIDIOC_REQBUFS, &req);
		if (err || !req.count || req.count > MAX_BUFS) {
			fail("producer REQBUFS: errno %d, count %u", err, req.count);
			return -1;
		}
		p->nbuf = req.count;
		for (i = 0; i < p->nbuf; i++) {
			struct v4l2_buffer b = {
				.index = i, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
				.memory = V4L2_MEMORY_MMAP,
			};

			err = xioctl(p->fd, VIDIOC_QUERYBUF, &b);
			if (err) {
				fail("producer QUERYBUF: errno %d", err);
				return -1;
			}
			p->lens[i] = b.length;
			p->maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
					  MAP_SHARED, p->fd, b.m.offset);
			if (p->maps[i] == MAP_FAILED) {
				p->maps[i] = NULL;
				fail("producer mmap: errno %d", errno);
				return -1;
			}
		}
		/* frame 0 goes out at STREAMON, before any consumer streams */
		if (produce(p, 0))
			return -1;
		err = xioctl(p->fd, VIDIOC_STREAMON, &type);
		if (err) {
			fail("producer STREAMON: errno %d", err);
			return -1;
		}
	} else {
		p->frame = malloc(p->size);
		if (!p->frame) {
			fail("malloc");
			return -1;
		}
		if (produce(p, 0))
			return -1;
	}
	return 0;
}

static void producer_close(struct producer *p)
{
	unsigned int i;

	if (p->fd >= 0)
		close(p->fd);
	for (i = 0; i < p->nbuf; i++)
		if (p->maps[i])
			munmap(p->maps[i], p->lens[i]);
	free(p->frame);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static int consumer_start(struct consumer *c, int nr)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers req = {
		.count = 2 + rnd(7), .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	unsigned int i;
	int err;

	memset(c, 0, sizeof(*c));
	/* frame 0 went out before: sustain_framerate may repeat it */
	c->last = 0;
	c->fd = open_node(nr);
	if (c->fd < 0)
		return -1;
	err = xioctl(c->fd, VIDIOC_G_FMT, &f);
	if (err) {
		fail("G_FMT capture: errno %d", err);
		return -1;
	}
	err = xioctl(c->fd, VIDIOC_REQBUFS, &req);
	if (err || !req.count || req.count > MAX_BUFS) {
		fail("consumer REQBUFS: errno %d, count %u", err, req.count);
		return -1;
	}
	c->nbuf = req.count;
	for (i = 0; i < c->nbuf; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		err = xioctl(c->fd, VIDIOC_QUERYBUF, &b);
		if (err) {
			fail("consumer QUERYBUF: errno %d", err);
			return -1;
		}
		c->lens[i] = b.length;
		c->maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, c->fd,
				  b.m.offset);
		if (c->maps[i] == MAP_FAILED) {
			c->maps[i] = NULL;
			fail("consumer mmap: errno %d", errno);
			return -1;
		}
		err = xioctl(c->fd, VIDIOC_QBUF, &b);
		if (err) {
			fail("consumer QBUF: errno %d", err);
			return -1;
		}
	}
	err = xioctl(c->fd, VIDIOC_STREAMON, &type);
	if (err) {
		fail("consumer STREAMON: errno %d", err);
		return -1;
	}
	return 0;
}

/*
 * Takes frames until one carries stamp n. Before it only repeats of the
 * previous frame, null frames (when a timeout is set) and the timeout
 * image are allowed. 1: got it, 0: nothing within the wait, -1: failed.
 */
static double now_s(void);

static int consumer_expect(struct consumer *c, long n, int null_ok)
{
	/*
	 * Timer frames (repeats, timeout frames) can fill every queued
	 * buffer just when frame n comes: then it is dropped and the caller
	 * sends it again. Give up on it after a while even if frames flow.
	 */
	double deadline = now_s() + 1.5;

	for (;;) {
		struct pollfd pf = { .fd = c->fd, .events = POLLIN };
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		long got;
		int err;

		if (now_s() > deadline || poll(&pf, 1, 1500) <= 0)
			return 0;
		err = xioctl(c->fd, VIDIOC_DQBUF, &b);
		if (err == EAGAIN)
			continue;
		if (err) {
			fail("consumer DQBUF: errno %d", err);
			return -1;
		}
		if (b.index >= c->nbuf || b.bytesused > c->lens[b.index]) {
			fail("consumer DQBUF: index %u, bytesused %u", b.index,
			     b.bytesused);
			return -1;
		}
		got = classify(c->maps[b.index], b.bytesused);
		err = xioctl(c->fd, VIDIOC_QBUF, &b);
		if (err) {
			fail("consumer QBUF: errno %d", err);
			return -1;
		}
		if (got == n) {
			c->last = n;
			return 1;
		}
		if (got == F_NULL && null_ok) {
			n_null_frames++;
			continue;
		}
		if (got == (long)TIMEOUT_STAMP && null_ok) {
			n_timeout_frames++;
			continue;
		}
		if (got >= 0 && got == c->last) {
			n_repeats++;
			continue;
		}
		fail("consumer: frame %ld expected, got %s %ld (%u bytes)", n,
		     got == F_BAD ? "a bad frame" : got == F_NULL ? "a null frame" : "stamp",
		     got, b.bytesused);
		return -1;
	}
}

static void consumer_unmap(struct consumer *c)
{
	unsigned int i;

	for (i = 0; i < c->nbuf; i++)
		if (c->maps[i])
			munmap(c->maps[i], c->lens[i]);
	c->nbuf = 0;
}

/* ---- one cycle ---- */

struct dev {
	int nodes[MAX_NODES];	/* [0] output or combined, then capture */
	int num_nodes;
	struct v4l2_loopback_config cfg;
};

static const uint32_t fourccs[] = {
	V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_BGR32, V4L2_PIX_FMT_GREY,
	V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_RGB24,
};

static uint32_t pick(uint32_t lo, uint32_t hi)
{
	return hi <= lo ? lo : lo + rnd(hi - lo + 1);
}

/*
 * Streams a few frames from a producer to one or two consumers, then
 * tears it all down in a random order, checking that REMOVE is refused
 * while anything is still open or mapped. Returns -1 if a REMOVE that
 * should have been refused removed the device.
 */
static int stream(int ctl, struct dev *d)
{
	const struct v4l2_loopback_config *cfg = &d->cfg;
	uint32_t minw = cfg->min_width ? cfg->min_width : 2;
	uint32_t maxw = cfg->max_width ? cfg->max_width : 8192;
	uint32_t minh = cfg->min_height ? cfg->min_height : 1;
	uint32_t maxh = cfg->max_height ? cfg->max_height : 8192;
	uint32_t w, h, fourcc = fourccs[rnd(sizeof(fourccs) / sizeof(fourccs[0]))];
	struct producer p;
	struct consumer c[2];
	int nc = 1, i, null_ok = 0, err, cap_nr, gone = 0, timers = 0;
	unsigned int pause_ms;
	long frames = 2 + rnd(4), n;

	memset(c, 0, sizeof(c));
	c[0].fd = c[1].fd = -1;
	/* frames need room for the first page's stamp */
	if (maxw < 16 || maxh < 16)
		return 0;
	/* small frames within the device's limits */
	w = pick(minw > 16 ? minw : 16, maxw < 320 ? maxw : 320);
	h = pick(minh > 16 ? minh : 16, maxh < 240 ? maxh : 240);
	n_streamed++;

	if (producer_start(&p, d->nodes[0], w, h, fourcc))
		goto out;
	if (rnd(4) == 0) {
		err = set_ctrl(p.fd, V4L2LOOPBACK_CID_TIMEOUT, 5 + rnd(60));
		if (err)
			fail("S_CTRL timeout: errno %d", err);
		null_ok = 1;
	}
	if (rnd(4) == 0) {
		err = set_ctrl(p.fd, V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE, 1);
		if (err)
			fail("S_CTRL sustain_framerate: errno %d", err);
		timers = 1;
	}
	/* pauses between frames let the repeat and timeout work run */
	pause_ms = (null_ok || timers) && rnd(2) ? 30 + rnd(70) : 0;
	if (rnd(6) == 0) {
		/* the next open of the output node loads the timeout image */
		int tfd;
		uint8_t *img = malloc(p.size);

		err = set_ctrl(p.fd, V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO, 1);
		if (err)
			fail("S_CTRL timeout_image_io: errno %d", err);
		tfd = open_node(d->nodes[0]);
		if (tfd >= 0 && img) {
			stamp(img, p.size, TIMEOUT_STAMP);
			if (write(tfd, img, p.size) != (ssize_t)p.size)
				fail("timeout image write: errno %d", errno);
			n_timeout_images++;
		}
		if (tfd >= 0)
			close(tfd);
		free(img);
	}

	cap_nr = d->nodes[d->num_nodes > 1 ? 1 + rnd(d->num_nodes - 1) : 0];
	if (consumer_start(&c[0], cap_nr))
		goto out;
	if (rnd(4) == 0) {
		/* a second consumer joins once the first streams */
		n_two_consumers++;
		nc = 2;
		if (consumer_start(&c[1],
				   d->nodes[d->num_nodes > 1 ? 1 + rnd(d->num_nodes - 1) : 0]))
			goto out;
	}

	for (n = 1; n <= frames; n++) {
		int got[2] = { 0, 0 }, tries;

		if (pause_ms)
			usleep((pause_ms / 2 + rnd(pause_ms / 2)) * 1000);
		for (tries = 0; tries < 3; tries++) {
			if (tries)
				n_resends++;
			if (produce(&p, n))
				goto out;
			for (i = 0; i < nc; i++) {
				if (got[i])
					continue;
				got[i] = consumer_expect(&c[i], n, null_ok);
				if (got[i] < 0)
					goto out;
			}
			if (got[0] && (nc < 2 || got[1]))
				break;
		}
		if (tries == 3) {
			fail("frame %ld never arrived (%d, %d)", n, got[0], got[1]);
			goto out;
		}
		n_frames++;
	}
out:
	/* teardown in a random order; REMOVE must fail while anything is held */
	for (;;) {
		int open_fds = (p.fd >= 0) + (c[0].fd >= 0) + (c[1].fd >= 0);
		int mapped = c[0].nbuf || c[1].nbuf || p.nbuf;
		int k;

		if (!open_fds && !mapped)
			break;
		if (!gone && rnd(3) == 0) {
			n_ebusy_checks++;
			err = ctl_remove(ctl, d->nodes[rnd(d->num_nodes)]);
			if (err != EBUSY) {
				fail("REMOVE while %d fds open / buffers mapped: errno %d (EBUSY expected)",
				     open_fds, err);
				if (!err)
					gone = 1;
			}
		}
		k = rnd(3);
		if (k == 2) {
			if (p.fd < 0 && !p.nbuf)
				continue;
			if (p.use_mmap && rnd(2)) {
				int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;

				xioctl(p.fd, VIDIOC_STREAMOFF, &type);
			}
			producer_close(&p);
			continue;
		}
		if (c[k].fd >= 0) {
			int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

			switch (rnd(4)) {
			case 0:
				xioctl(c[k].fd, VIDIOC_STREAMOFF, &type);
				break;
			case 1: {
				/* free the buffers while still mapped (orphans) */
				struct v4l2_requestbuffers req = {
					.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					.memory = V4L2_MEMORY_MMAP,
				};

				xioctl(c[k].fd, VIDIOC_STREAMOFF, &type);
				err = xioctl(c[k].fd, VIDIOC_REQBUFS, &req);
				if (err)
					fail("REQBUFS(0) while mapped: errno %d", err);
				n_orphans++;
				break;
			}
			default:
				break;
			}
			if (rnd(2))
				consumer_unmap(&c[k]);
			else if (c[k].nbuf)
				n_mapped_after_close++;
			close(c[k].fd);
			c[k].fd = -1;
		} else if (c[k].nbuf) {
			/* mappings keep the file (and the device) busy */
			consumer_unmap(&c[k]);
		}
	}
	return gone ? -1 : 0;
}

static void random_config(struct v4l2_loopback_config *c)
{
	size_t i, len;

	memset(c, 0, sizeof(*c));
	c->output_nr = rnd(4) == 0 ? (int)pick(20, 63) : -1;
	switch (rnd(3)) {
	case 0:
		c->capture_nr = -1;
		break;
	case 1:
		c->capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
		break;
	default:
		c->capture_nr = rnd(2) ? (int)pick(64, 99) : V4L2LOOPBACK_SPLIT_AUTO_NR;
		break;
	}
	/* labels of 0-40 bytes: longer ones lose their NUL and get cut */
	len = rnd(41);
	for (i = 0; i < len && i < sizeof(c->card_label); i++)
		c->card_label[i] = (char)(' ' + 1 + rnd(94));
	if (rnd(2)) {
		c->min_width = pick(2, 64);
		c->max_width = rnd(8) ? pick(c->min_width, 8192) : c->min_width;
	}
	if (rnd(2)) {
		c->min_height = pick(1, 64);
		c->max_height = rnd(8) ? pick(c->min_height, 8192) : c->min_height;
	}
	c->max_buffers = rnd(2) ? 0 : (int)pick(2, 32);
	c->max_openers = rnd(2) ? 0 : (int)pick(4, 300);
	c->announce_all_caps = (int)rnd(3) - 1;
}

static void check_query(int ctl, struct dev *d)
{
	const struct v4l2_loopback_config *c = &d->cfg;
	struct v4l2_loopback_config q;
	char want[32];

	memset(&q, 0, sizeof(q));
	q.output_nr = d->nodes[0];
	q.capture_nr = -1;
	if (xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &q)) {
		fail("QUERY %d: errno %d", d->nodes[0], errno);
		return;
	}
	memcpy(want, c->card_label, sizeof(want));
	want[31] = '\0';
	if (want[0] && strncmp(want, q.card_label, sizeof(want)))
		fail("QUERY label '%.32s', wanted '%s'", q.card_label, want);
	if (!want[0] && strncmp(q.card_label, "Dummy video device", 18))
		fail("QUERY default label '%.32s'", q.card_label);
	if (q.output_nr != d->nodes[0] || q.capture_nr != d->nodes[d->num_nodes > 1])
		fail("QUERY nodes %d/%d, wanted %d/%d", q.output_nr, q.capture_nr,
		     d->nodes[0], d->nodes[d->num_nodes > 1]);
	if ((c->min_width && q.min_width != c->min_width) ||
	    (c->max_width && q.max_width != c->max_width) ||
	    (c->min_height && q.min_height != c->min_height) ||
	    (c->max_height && q.max_height != c->max_height))
		fail("QUERY sizes %u-%u x %u-%u", q.min_width, q.max_width,
		     q.min_height, q.max_height);
	if ((c->max_buffers && q.max_buffers != c->max_buffers) ||
	    (c->max_openers && q.max_openers != c->max_openers))
		fail("QUERY max_buffers %d, max_openers %d", q.max_buffers,
		     q.max_openers);
	if (q.announce_all_caps != (d->num_nodes > 1 || c->announce_all_caps != 0))
		fail("QUERY announce_all_caps %d (asked %d)", q.announce_all_caps,
		     c->announce_all_caps);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cycle(int ctl, int stream_pct)
{
	struct dev d;
	int nr, i, err;

	memset(&d, 0, sizeof(d));
	random_config(&d.cfg);
	nr = ctl_add(ctl, &d.cfg);
	if (nr == -EEXIST && (d.cfg.output_nr >= 0 || d.cfg.capture_nr >= 0)) {
		/* an explicit number is taken (parallel churn): any number */
		d.cfg.output_nr = -1;
		if (d.cfg.capture_nr >= 0)
			d.cfg.capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
		nr = ctl_add(ctl, &d.cfg);
	}
	if (nr < 0) {
		fail("ADD: errno %d", -nr);
		return;
	}
	if (d.cfg.output_nr >= 0 && nr != d.cfg.output_nr)
		fail("ADD gave /dev/video%d, asked for %d", nr, d.cfg.output_nr);
	d.nodes[d.num_nodes++] = nr;
	if (d.cfg.capture_nr != -1) {
		struct v4l2_loopback_config q = { .output_nr = nr, .capture_nr = -1 };

		if (xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &q))
			fail("QUERY split %d: errno %d", nr, errno);
		d.nodes[d.num_nodes++] = q.capture_nr;
		if (d.cfg.capture_nr >= 0 && q.capture_nr != d.cfg.capture_nr)
			fail("capture node %d, asked for %d", q.capture_nr,
			     d.cfg.capture_nr);
		if (rnd(4) == 0) {
			int extra = 1 + rnd(2);

			for (i = 0; i < extra; i++) {
				struct v4l2_loopback_config a = {
					.output_nr = nr, .capture_nr = -1,
				};
				int cnr = ioctl(ctl, V4L2LOOPBACK_CTL_ADD_CAPTURE, &a);

				if (cnr < 0) {
					fail("ADD_CAPTURE: errno %d", errno);
					break;
				}
				d.nodes[d.num_nodes++] = cnr;
				n_extra_nodes++;
			}
		}
	}
	for (i = 0; i < d.num_nodes; i++)
		if (!node_exists(d.nodes[i]))
			fail("/dev/video%d missing after ADD", d.nodes[i]);
	check_query(ctl, &d);

	if ((int)rnd(100) < stream_pct) {
		if (stream(ctl, &d))
			return;
	} else if (rnd(4) == 0) {
		/* an idle open file is enough to refuse REMOVE */
		int fd = open_node(d.nodes[rnd(d.num_nodes)]);

		if (fd >= 0) {
			n_ebusy_checks++;
			err = ctl_remove(ctl, d.nodes[rnd(d.num_nodes)]);
			if (err != EBUSY)
				fail("REMOVE with an open fd: errno %d", err);
			close(fd);
			if (!err)
				return;
		}
	}

	err = ctl_remove(ctl, d.nodes[rnd(d.num_nodes)]);
	if (err) {
		fail("REMOVE: errno %d", err);
		return;
	}
	if (parallel)
		return;
	err = ctl_remove(ctl, d.nodes[0]);
	if (err != ENODEV)
		fail("second REMOVE: errno %d (ENODEV expected)", err);
	for (i = 0; i < d.num_nodes; i++)
		if (node_exists(d.nodes[i]))
			fail("/dev/video%d still there after REMOVE", d.nodes[i]);
}

/*
 * Reads the attributes of every node in /sys/class/video4linux, over and
 * over: freshly registered nodes first catch it, and nodes going away.
 * Counts reads in *reads (shared with the parent).
 */
static void sysfs_reader(volatile long *reads)
{
	static const char *const attrs[] = {
		"buffers", "format", "state", "readers", "frames",
		"max_openers", "name", "index", "dev",
	};
	char path[300], buf[256];
	unsigned long k = 0;

	for (;;) {
		DIR *d = opendir("/sys/class/video4linux");
		struct dirent *e;
		size_t a;

		if (!d)
			_exit(1);
		while ((e = readdir(d))) {
			if (strncmp(e->d_name, "video", 5))
				continue;
			for (a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
				int fd;

				snprintf(path, sizeof(path),
					 "/sys/class/video4linux/%s/%s",
					 e->d_name, attrs[a]);
				fd = open(path, (a == 1 && ++k % 8 == 0) ?
					  O_WRONLY : O_RDONLY);
				if (fd < 0)
					continue;
				if (a == 1 && k % 8 == 0) {
					/* a frame rate through sysfs */
					if (write(fd, "@30\n", 4) < 0)
						(void)0;
				} else if (read(fd, buf, sizeof(buf)) >= 0) {
					(*reads)++;
				}
				close(fd);
			}
		}
		closedir(d);
	}
}

int main(int argc, char **argv)
{
	volatile long *sysfs_reads = NULL;
	pid_t reader = 0;
	const char *ctlpath = "/dev/v4l2loopback";
	long cycles = 100, i;
	unsigned long seed = 0x5eed;
	int stream_pct = 20, opt, ctl;
	double t0;

	while ((opt = getopt(argc, argv, "c:n:s:p:PSv")) != -1) {
		switch (opt) {
		case 'c': ctlpath = optarg; break;
		case 'n': cycles = atol(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'p': stream_pct = atoi(optarg); break;
		case 'P': parallel = 1; break;
		case 'S':
			sysfs_reads = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (sysfs_reads == MAP_FAILED)
				return 1;
			break;
		case 'v': verbose++; break;
		default: return 2;
		}
	}
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	ctl = open(ctlpath, O_RDWR);
	if (ctl < 0) {
		printf("{\"error\":\"open %s\",\"errno\":%d}\n", ctlpath, errno);
		return 1;
	}
	if (sysfs_reads) {
		reader = fork();
		if (reader == 0)
			sysfs_reader(sysfs_reads);
	}
	t0 = now_s();
	for (i = 0; i < cycles; i++) {
		cycle_no = i;
		if (verbose > 1)
			fprintf(stderr, "cycle %ld\n", i);
		cycle(ctl, stream_pct);
	}
	if (reader > 0) {
		kill(reader, SIGKILL);
		waitpid(reader, NULL, 0);
	}
	printf("{\"cycles\":%ld,\"seed\":%lu,\"streamed\":%ld,\"frames\":%ld,"
	       "\"resends\":%ld,\"repeats\":%ld,\"nullFrames\":%ld,"
	       "\"timeoutFrames\":%ld,"
	       "\"ebusyChecks\":%ld,\"extraNodes\":%ld,\"orphans\":%ld,"
	       "\"mappedAfterClose\":%ld,\"timeoutImages\":%ld,"
	       "\"twoConsumers\":%ld,\"sysfsReads\":%ld,\"seconds\":%.2f,"
	       "\"errors\":%ld,"
	       "\"firstErrors\":[",
	       cycles, seed, n_streamed, n_frames, n_resends, n_repeats,
	       n_null_frames, n_timeout_frames, n_ebusy_checks, n_extra_nodes, n_orphans,
	       n_mapped_after_close, n_timeout_images, n_two_consumers,
	       sysfs_reads ? *sysfs_reads : 0, now_s() - t0, n_errors);
	for (i = 0; i < n_errors && i < 5; i++) {
		const char *s;

		printf("%s\"", i ? "," : "");
		for (s = first_errors[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				putchar('\\');
			putchar(*s);
		}
		putchar('"');
	}
	printf("]}\n");
	close(ctl);
	return n_errors ? 1 : 0;
}
