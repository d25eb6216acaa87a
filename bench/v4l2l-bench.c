// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-bench - the C side of `make bench`: one producer and N consumers
 * (threads of this process) on a loopback device, plus the reference lines
 * (memcpy of a frame, a plain C producer). Runs in the sandbox guest; every
 * subcommand prints one JSON object on stdout.
 *
 *   v4l2l-bench mkdev CONSUMERS
 *	create a device for CONSUMERS consumers through the control device:
 *	a split device with that many capture nodes when the module offers
 *	them (V4L2LOOPBACK_CTL_ADD_CAPTURE), else a classic combined node
 *	that every consumer opens. {"output":N,"captures":[..],"split":bool}
 *   v4l2l-bench rmdev N
 *   v4l2l-bench memcpy BYTES SECONDS
 *	CPU time of one memcpy of BYTES (the floor for any copying design)
 *   v4l2l-bench movsb BYTES SECONDS
 *	the same copy done with "rep movsb", as the kernel's memcpy does it
 *   v4l2l-bench idle SECONDS
 *	whole-system busy ticks while nothing runs (the guest's background)
 *   v4l2l-bench run -o OUT -c CAP[,CAP..] -s WxH -f FOURCC -i mmap|write
 *		     -r FPS (0 = unpaced) -t SECONDS [-b CONSUMER_BUFFERS]
 *	the scenario: producer frames carry a counter and CLOCK_MONOTONIC
 *	time; consumers note the delay to their wake-up; whole-system CPU
 *	comes from /proc/stat around the scenario.
 *   v4l2l-bench produce -o OUT -s WxH -f FOURCC -i mmap|write -t SECONDS
 *		       [-F RGB3]
 *	reference producer: copies a prepared frame into each device buffer
 *	(or write()s it), unpaced; CPU from getrusage(RUSAGE_SELF) after a
 *	warm-up of SECONDS/4. With -t 0 it stays up instead, so that its
 *	windows can alternate with other producers': {"ok":true,"ready":true}
 *	once the device is set up, then one JSON object (no warm-up) for
 *	every stdin line "run SECONDS"; end of input ends it. With -F RGB3
 *	the prepared frame is RGB and
 *	every frame is converted into the device buffer (FOURCC YUYV or
 *	UYVY) by the addon's own BT.601 routine, linked in from
 *	addon/bt601.cc through bt601-ref.cc (a build of this file alone
 *	lacks it and refuses -F).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>
#include "../kmod/include/uapi/linux/v4l2loopback.h"

#define STAMP_MAGIC 0x48434e42u	/* "BNCH" */
#define WARMUP_COUNTER 0xffffffffu
#define MAX_CONSUMERS 16
#define MAX_BUFS 32
#define MAX_SAMPLES (1u << 20)

/* addon/bt601.cc's RGB -> YUV (bt601-ref.cc): weak, so this file still builds alone */
int v4l2l_bench_rgb_to_yuv(const uint8_t *rgb, uint8_t *dst, uint32_t fourcc,
			   uint32_t bytesperline, int width, int height) __attribute__((weak));

struct stamp {
	uint32_t magic;
	uint32_t counter;
	uint64_t t_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + ts->tv_nsec;
}

static void fail(const char *what, int err)
{
	printf("{\"ok\":false,\"error\":\"%s\",\"errno\":%d,\"message\":\"%s\"}\n",
	       what, err, strerror(err));
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

/* ---- control device ---------------------------------------------------- */

static int cmd_mkdev(int consumers)
{
	struct v4l2_loopback_config cfg;
	int fd, out, i, caps[MAX_CONSUMERS], ncaps = 0, split;

	if (consumers < 1 || consumers > MAX_CONSUMERS)
		fail("consumers", EINVAL);
	fd = open("/dev/v4l2loopback", O_RDWR);
	if (fd < 0)
		fail("open /dev/v4l2loopback", errno);
	memset(&cfg, 0, sizeof(cfg));
	cfg.output_nr = -1;
	cfg.capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
	snprintf(cfg.card_label, sizeof(cfg.card_label), "bench");
	cfg.max_width = 3840;
	cfg.max_height = 2160;
	cfg.announce_all_caps = -1;
	/* a split device; a classic module knows no ADD_SPLIT: combined */
	out = ioctl(fd, V4L2LOOPBACK_CTL_ADD_SPLIT, &cfg);
	if (out < 0 && errno != EEXIST && errno != ENOMEM)
		out = ioctl(fd, V4L2LOOPBACK_CTL_ADD, &cfg);
	if (out < 0)
		fail("CTL_ADD", errno);
	/* QUERY tells what we got */
	memset(&cfg, 0, sizeof(cfg));
	cfg.output_nr = out;
	cfg.capture_nr = -1;
	split = ioctl(fd, V4L2LOOPBACK_CTL_QUERY, &cfg) == 0 &&
		cfg.capture_nr >= 0 && cfg.capture_nr != out;
	caps[ncaps++] = split ? cfg.capture_nr : out;
	while (split && ncaps < consumers) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.output_nr = out;
		cfg.capture_nr = -1;
		i = ioctl(fd, V4L2LOOPBACK_CTL_ADD_CAPTURE, &cfg);
		if (i < 0)
			break;	/* no more nodes: consumers share the last ones */
		caps[ncaps++] = i;
	}
	printf("{\"ok\":true,\"output\":%d,\"split\":%s,\"captures\":[", out,
	       split ? "true" : "false");
	for (i = 0; i < ncaps; i++)
		printf("%s%d", i ? "," : "", caps[i]);
	printf("]}\n");
	close(fd);
	return 0;
}

static int cmd_rmdev(int nr)
{
	int fd = open("/dev/v4l2loopback", O_RDWR), tries;

	if (fd < 0)
		fail("open /dev/v4l2loopback", errno);
	/* the last close of a node may still be settling: retry EBUSY briefly */
	for (tries = 0; ioctl(fd, V4L2LOOPBACK_CTL_REMOVE, nr) < 0; tries++) {
		if (errno != EBUSY || tries > 50)
			fail("CTL_REMOVE", errno);
		usleep(20000);
	}
	close(fd);
	printf("{\"ok\":true}\n");
	return 0;
}

/* ---- memcpy reference -------------------------------------------------- */

/* the copy the kernel's memcpy does on CPUs with ERMS/FSRM (and TCG's -cpu max) */
static void copy_movsb(void *dst, const void *src, size_t n)
{
	__asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static int cmd_memcpy(size_t bytes, double seconds, int movsb)
{
	uint8_t *src = malloc(bytes), *dst = malloc(bytes);
	struct timespec c0, c1;
	uint64_t t0, t1, copies = 0;

	if (!src || !dst)
		fail("malloc", ENOMEM);
	memset(src, 0x5a, bytes);
	memset(dst, 0xa5, bytes);
	memcpy(dst, src, bytes);	/* warm both */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	t0 = now_ns();
	do {
		if (movsb)
			copy_movsb(dst, src, bytes);
		else
			memcpy(dst, src, bytes);
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		copies++;
		t1 = now_ns();
	} while (t1 - t0 < seconds * 1e9);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	printf("{\"ok\":true,\"bytes\":%zu,\"copies\":%llu,\"cpuNs\":%llu,\"wallNs\":%llu,\"nsPerCopy\":%.1f}\n",
	       bytes, (unsigned long long)copies,
	       (unsigned long long)(ts_ns(&c1) - ts_ns(&c0)),
	       (unsigned long long)(t1 - t0),
	       (double)(ts_ns(&c1) - ts_ns(&c0)) / copies);
	free(src);
	free(dst);
	return 0;
}

/* ---- /proc/stat -------------------------------------------------------- */

struct cpu_ticks {
	unsigned long long v[10]; /* user nice system idle iowait irq softirq steal guest guest_nice */
};

static void read_stat(struct cpu_ticks *t)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(t, 0, sizeof(*t));
	if (!f)
		fail("open /proc/stat", errno);
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &t->v[0], &t->v[1], &t->v[2], &t->v[3], &t->v[4], &t->v[5],
		   &t->v[6], &t->v[7], &t->v[8], &t->v[9]) < 8)
		fail("parse /proc/stat", EINVAL);
	fclose(f);
}

static void print_ticks(const char *name, const struct cpu_ticks *a, const struct cpu_ticks *b);

/* busy ticks of the idle guest, the background every scenario includes */
static int cmd_idle(double seconds)
{
	struct cpu_ticks a, b;
	uint64_t t0 = now_ns();

	read_stat(&a);
	usleep((useconds_t)(seconds * 1e6));
	read_stat(&b);
	printf("{\"ok\":true,\"seconds\":%.6f,\"userHz\":%ld,\"ncpu\":%ld,",
	       (now_ns() - t0) / 1e9, sysconf(_SC_CLK_TCK), sysconf(_SC_NPROCESSORS_ONLN));
	print_ticks("ticks", &a, &b);
	printf("}\n");
	return 0;
}

/* ---- the scenario ------------------------------------------------------ */

struct opts {
	const char *out;
	const char *caps[MAX_CONSUMERS];
	int ncons;
	unsigned int w, h;
	uint32_t fourcc;
	int use_mmap;
	unsigned int fps;
	double seconds;
	unsigned int cbufs;
	uint32_t src_fourcc;	/* produce: format of the prepared frame (0: as the device's) */
};

struct consumer {
	pthread_t thread;
	const char *path;
	unsigned int nbufs;
	long frames, warmups, unstamped, first, last, skips, repeats;
	uint32_t *lat_us;
	size_t nlat;
	const char *error;
	int err;
	int ready;
};

static struct opts o;
static atomic_int n_ready, go, stop;
static atomic_long last_counter = -1;
static unsigned int sizeimage;

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	int fd, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers req;
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	unsigned int i;
	uint64_t stop_at = 0;

	c->first = c->last = -1;
	fd = open(c->path, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		c->error = "open";
		c->err = errno;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.count = o.cbufs;
	req.type = type;
	req.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &req) || req.count == 0) {
		c->error = "REQBUFS";
		c->err = req.count ? errno : ENOMEM;
		goto out_close;
	}
	c->nbufs = req.count > MAX_BUFS ? MAX_BUFS : req.count;
	for (i = 0; i < c->nbufs; i++) {
		struct v4l2_buffer b = { .index = i, .type = type, .memory = V4L2_MEMORY_MMAP };

		if (xioctl(fd, VIDIOC_QUERYBUF, &b)) {
			c->error = "QUERYBUF";
			c->err = errno;
			goto out_close;
		}
		lens[i] = b.length;
		maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
		if (maps[i] == MAP_FAILED) {
			c->error = "mmap";
			c->err = errno;
			c->nbufs = i;
			goto out_close;
		}
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			c->error = "QBUF";
			c->err = errno;
			c->nbufs = i + 1;
			goto out_unmap;
		}
	}
	if (xioctl(fd, VIDIOC_STREAMON, &type)) {
		c->error = "STREAMON";
		c->err = errno;
		goto out_unmap;
	}
	c->ready = 1;
	atomic_fetch_add(&n_ready, 1);

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t wake;
		int r;

		if (atomic_load(&stop)) {
			long lastc = atomic_load(&last_counter);

			if (!stop_at)
				stop_at = now_ns() + 500000000ull;
			if (c->last >= lastc || now_ns() > stop_at)
				break;
		}
		r = poll(&p, 1, 50);
		if (r < 0 && errno != EINTR) {
			c->error = "poll";
			c->err = errno;
			break;
		}
		if (r <= 0)
			continue;
		wake = now_ns();
		for (;;) {
			struct v4l2_buffer b = { .type = type, .memory = V4L2_MEMORY_MMAP };
			struct stamp s;

			if (xioctl(fd, VIDIOC_DQBUF, &b)) {
				if (errno != EAGAIN) {
					c->error = "DQBUF";
					c->err = errno;
				}
				break;
			}
			if (b.index < c->nbufs && lens[b.index] >= sizeof(s)) {
				memcpy(&s, maps[b.index], sizeof(s));
				if (s.magic != STAMP_MAGIC) {
					c->unstamped++;
				} else if (s.counter == WARMUP_COUNTER) {
					c->warmups++;
				} else if (c->last >= 0 && (long)s.counter <= c->last) {
					/* a frame it had already (a module that hands out a buffer again) */
					c->repeats++;
				} else {
					if (c->last >= 0 && (long)s.counter != c->last + 1)
						c->skips++;
					if (c->first < 0)
						c->first = s.counter;
					c->last = s.counter;
					c->frames++;
					if (c->nlat < MAX_SAMPLES && wake >= s.t_ns)
						c->lat_us[c->nlat++] = (uint32_t)((wake - s.t_ns) / 1000);
				}
			}
			if (xioctl(fd, VIDIOC_QBUF, &b)) {
				c->error = "QBUF";
				c->err = errno;
				break;
			}
		}
		if (c->error)
			break;
	}
	xioctl(fd, VIDIOC_STREAMOFF, &type);
out_unmap:
	for (i = 0; i < c->nbufs; i++)
		munmap(maps[i], lens[i]);
out_close:
	close(fd);
out:
	if (!c->ready)
		atomic_fetch_add(&n_ready, 1); /* never block the start */
	return NULL;
}

struct producer {
	int fd;
	void *maps[MAX_BUFS];
	size_t lens[MAX_BUFS];
	unsigned int nbufs, fresh;
	uint8_t *frame;
};

static void fill_pattern(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + (i >> 12));
}

static void producer_open(struct producer *p, const char *path, int use_mmap,
			  unsigned int nbufs, struct v4l2_format *fmt)
{
	struct v4l2_streamparm parm;

	memset(p, 0, sizeof(*p));
	p->fd = open(path, O_RDWR);
	if (p->fd < 0)
		fail("open output", errno);
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	fmt->fmt.pix.width = o.w;
	fmt->fmt.pix.height = o.h;
	fmt->fmt.pix.pixelformat = o.fourcc;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(p->fd, VIDIOC_S_FMT, fmt))
		fail("S_FMT", errno);
	if (fmt->fmt.pix.width != o.w || fmt->fmt.pix.height != o.h ||
	    fmt->fmt.pix.pixelformat != o.fourcc)
		fail("S_FMT changed the format", EINVAL);
	sizeimage = fmt->fmt.pix.sizeimage;
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	parm.parm.output.timeperframe.numerator = 1;
	parm.parm.output.timeperframe.denominator = o.fps ? o.fps : 60;
	xioctl(p->fd, VIDIOC_S_PARM, &parm); /* optional for a producer */
	if (use_mmap) {
		struct v4l2_requestbuffers req = {
			.count = nbufs, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
			.memory = V4L2_MEMORY_MMAP,
		};
		unsigned int i;

		if (xioctl(p->fd, VIDIOC_REQBUFS, &req) || !req.count)
			fail("REQBUFS output", req.count ? errno : ENOMEM);
		p->nbufs = req.count > MAX_BUFS ? MAX_BUFS : req.count;
		for (i = 0; i < p->nbufs; i++) {
			struct v4l2_buffer b = {
				.index = i, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (xioctl(p->fd, VIDIOC_QUERYBUF, &b))
				fail("QUERYBUF output", errno);
			p->lens[i] = b.length;
			p->maps[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
					  MAP_SHARED, p->fd, b.m.offset);
			if (p->maps[i] == MAP_FAILED)
				fail("mmap output", errno);
			fill_pattern(p->maps[i], b.length);
		}
	} else {
		p->frame = malloc(sizeimage);
		if (!p->frame)
			fail("malloc", ENOMEM);
		fill_pattern(p->frame, sizeimage);
	}
}

/* next buffer to fill: never-queued ones first, then DQBUF (blocking) */
static uint8_t *producer_buffer(struct producer *p, struct v4l2_buffer *b)
{
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	b->memory = V4L2_MEMORY_MMAP;
	if (p->fresh < p->nbufs)
		b->index = p->fresh++;
	else if (xioctl(p->fd, VIDIOC_DQBUF, b))
		fail("DQBUF output", errno);
	return p->maps[b->index];
}

/* queue (or write) the frame in buf; starts streaming on the first one */
static void producer_send(struct producer *p, struct v4l2_buffer *b, uint8_t *buf)
{
	if (p->nbufs) {
		b->bytesused = sizeimage;
		b->field = V4L2_FIELD_NONE;
		if (xioctl(p->fd, VIDIOC_QBUF, b))
			fail("QBUF output", errno);
		if (p->fresh == 1 && b->index == 0) {
			int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;

			if (xioctl(p->fd, VIDIOC_STREAMON, &type))
				fail("STREAMON output", errno);
		}
	} else {
		ssize_t r = write(p->fd, buf, sizeimage);

		if (r != (ssize_t)sizeimage)
			fail("write", r < 0 ? errno : EIO);
	}
}

static void stamp_frame(uint8_t *buf, uint32_t counter)
{
	struct stamp s = { STAMP_MAGIC, counter, 0 };

	s.t_ns = now_ns();
	memcpy(buf, &s, sizeof(s));
}

static void producer_close(struct producer *p)
{
	unsigned int i;

	if (p->nbufs) {
		int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;

		xioctl(p->fd, VIDIOC_STREAMOFF, &type);
	}
	for (i = 0; i < p->nbufs; i++)
		munmap(p->maps[i], p->lens[i]);
	free(p->frame);
	close(p->fd);
}

static void print_ticks(const char *name, const struct cpu_ticks *a, const struct cpu_ticks *b)
{
	static const char *const names[] = { "user", "nice", "system", "idle", "iowait",
					     "irq", "softirq", "steal" };
	unsigned int i;

	printf("\"%s\":{", name);
	for (i = 0; i < 8; i++)
		printf("%s\"%s\":%llu", i ? "," : "", names[i], b->v[i] - a->v[i]);
	printf("}");
}

static int cmd_run(void)
{
	static struct consumer cons[MAX_CONSUMERS];
	struct producer p;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	struct cpu_ticks s0, s1;
	uint64_t t0, t1, t_end, period, next;
	long frames = 0, late = 0;
	uint8_t *buf;
	int i;

	producer_open(&p, o.out, o.use_mmap, 4, &fmt);
	/* one warm-up frame: a classic module offers capture only after it */
	buf = o.use_mmap ? producer_buffer(&p, &b) : p.frame;
	stamp_frame(buf, WARMUP_COUNTER);
	producer_send(&p, &b, buf);

	for (i = 0; i < o.ncons; i++) {
		cons[i].path = o.caps[i];
		cons[i].lat_us = malloc(MAX_SAMPLES * sizeof(uint32_t));
		if (!cons[i].lat_us)
			fail("malloc", ENOMEM);
		if (pthread_create(&cons[i].thread, NULL, consumer_main, &cons[i]))
			fail("pthread_create", errno);
	}
	t0 = now_ns();
	while (atomic_load(&n_ready) < o.ncons) {
		if (now_ns() - t0 > 20000000000ull)
			fail("consumers did not start", ETIMEDOUT);
		usleep(1000);
	}
	atomic_store(&go, 1);

	read_stat(&s0);
	t0 = now_ns();
	t_end = t0 + (uint64_t)(o.seconds * 1e9);
	period = o.fps ? 1000000000ull / o.fps : 0;
	next = t0;
	for (;;) {
		uint64_t t = now_ns();

		if (t >= t_end)
			break;
		if (period) {
			if (next > t) {
				struct timespec ts = { next / 1000000000ull, next % 1000000000ull };

				while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
					;
			} else if (t - next > period) {
				late++;	/* cannot keep the pace: no catch-up bursts */
				next = t;
			}
			next += period;
		}
		buf = o.use_mmap ? producer_buffer(&p, &b) : p.frame;
		stamp_frame(buf, (uint32_t)frames);
		producer_send(&p, &b, buf);
		frames++;
	}
	t1 = now_ns();
	atomic_store(&last_counter, frames - 1);
	atomic_store(&stop, 1);
	for (i = 0; i < o.ncons; i++)
		pthread_join(cons[i].thread, NULL);
	read_stat(&s1);
	t_end = now_ns();
	producer_close(&p);

	printf("{\"ok\":true,\"width\":%u,\"height\":%u,\"fourcc\":\"%.4s\",\"sizeimage\":%u,"
	       "\"bytesperline\":%u,\"io\":\"%s\",\"fps\":%u,\"userHz\":%ld,\"ncpu\":%ld,",
	       fmt.fmt.pix.width, fmt.fmt.pix.height, (char *)&fmt.fmt.pix.pixelformat,
	       sizeimage, fmt.fmt.pix.bytesperline, o.use_mmap ? "mmap" : "write", o.fps,
	       sysconf(_SC_CLK_TCK), sysconf(_SC_NPROCESSORS_ONLN));
	printf("\"producer\":{\"frames\":%ld,\"seconds\":%.6f,\"late\":%ld,\"buffers\":%u},",
	       frames, (t1 - t0) / 1e9, late, p.nbufs);
	printf("\"windowSeconds\":%.6f,", (t_end - t0) / 1e9);
	print_ticks("ticks", &s0, &s1);
	printf(",\"consumers\":[");
	for (i = 0; i < o.ncons; i++) {
		struct consumer *c = &cons[i];
		size_t k;

		printf("%s{\"path\":\"%s\",\"buffers\":%u,\"frames\":%ld,\"warmups\":%ld,"
		       "\"unstamped\":%ld,\"first\":%ld,\"last\":%ld,\"skips\":%ld,\"repeats\":%ld",
		       i ? "," : "", c->path, c->nbufs, c->frames, c->warmups,
		       c->unstamped, c->first, c->last, c->skips, c->repeats);
		if (c->error)
			printf(",\"error\":\"%s\",\"errno\":%d", c->error, c->err);
		printf(",\"latencyUs\":[");
		for (k = 0; k < c->nlat; k++)
			printf("%s%u", k ? "," : "", c->lat_us[k]);
		printf("]}");
		free(c->lat_us);
	}
	printf("]}\n");
	return 0;
}

/* the reference producer's per-frame work: the prepared frame into buf */
static void produce_fill(uint8_t *buf, const uint8_t *src, const struct v4l2_format *fmt)
{
	if (o.src_fourcc)
		v4l2l_bench_rgb_to_yuv(src, buf, o.fourcc, fmt->fmt.pix.bytesperline, (int)o.w,
				       (int)o.h);
	else
		memcpy(buf, src, sizeimage);
}

/* one frame: fill a device buffer (mmap), or fill the staging frame and write() it */
static void produce_one(struct producer *p, const uint8_t *src, const struct v4l2_format *fmt,
			uint32_t counter)
{
	struct v4l2_buffer b;
	uint8_t *buf;

	if (o.use_mmap) {
		buf = producer_buffer(p, &b);
		produce_fill(buf, src, fmt);
	} else if (o.src_fourcc) {
		buf = p->frame;
		produce_fill(buf, src, fmt);
	} else {
		buf = (uint8_t *)src;	/* write() it as it is */
	}
	stamp_frame(buf, counter);
	producer_send(p, &b, buf);
}

/* frames for `seconds` (at least one); prints {"ok":true,"frames","seconds","userUs","systemUs"} */
static void produce_window(struct producer *p, const uint8_t *src, const struct v4l2_format *fmt,
			   double seconds, uint32_t *counter)
{
	struct rusage r0, r1;
	uint64_t t0, t1;
	long frames = 0;

	getrusage(RUSAGE_SELF, &r0);
	t0 = now_ns();
	do {
		produce_one(p, src, fmt, (*counter)++);
		frames++;
		t1 = now_ns();
	} while (t1 - t0 < seconds * 1e9);
	getrusage(RUSAGE_SELF, &r1);
	printf("{\"ok\":true,\"frames\":%ld,\"seconds\":%.6f,\"userUs\":%lld,\"systemUs\":%lld,"
	       "\"voluntarySwitches\":%ld,\"involuntarySwitches\":%ld}\n",
	       frames, (t1 - t0) / 1e9,
	       (long long)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000 +
		       (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec),
	       (long long)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000 +
		       (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec),
	       r1.ru_nvcsw - r0.ru_nvcsw, r1.ru_nivcsw - r0.ru_nivcsw);
	fflush(stdout);
}

/* reference producer: fills every frame by memcpy or conversion (or write()s it) */
static int cmd_produce(void)
{
	struct producer p;
	struct v4l2_format fmt;
	uint8_t *src;
	size_t src_size;
	uint32_t counter = 0;
	char line[64];
	double secs;

	if (o.src_fourcc && o.src_fourcc != V4L2_PIX_FMT_RGB24)
		fail("-F: only RGB3 frames are converted", EINVAL);
	if (o.src_fourcc && !v4l2l_bench_rgb_to_yuv)
		fail("-F: built without addon/bt601.cc (make -C bench)", ENOSYS);
	if (o.src_fourcc && o.fourcc != V4L2_PIX_FMT_YUYV && o.fourcc != V4L2_PIX_FMT_UYVY)
		fail("-F RGB3 converts to YUYV or UYVY only", EINVAL);
	producer_open(&p, o.out, o.use_mmap, 4, &fmt);
	src_size = o.src_fourcc ? (size_t)o.w * o.h * 3 : sizeimage;
	src = malloc(src_size);
	if (!src)
		fail("malloc", ENOMEM);
	fill_pattern(src, src_size);
	if (o.seconds > 0) {
		/* warm up for a quarter of the time, as the Node producer does */
		uint64_t t0 = now_ns();

		do
			produce_one(&p, src, &fmt, counter++);
		while (now_ns() - t0 < o.seconds * 0.25e9);
		produce_window(&p, src, &fmt, o.seconds, &counter);
	} else {
		printf("{\"ok\":true,\"ready\":true}\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin)) {
			if (sscanf(line, "run %lf", &secs) == 1 && secs > 0 && secs <= 600) {
				produce_window(&p, src, &fmt, secs, &counter);
			} else {
				printf("{\"ok\":false,\"error\":\"bad command\",\"errno\":%d,\"message\":\"expected run SECONDS\"}\n",
				       EINVAL);
				fflush(stdout);
			}
		}
	}
	producer_close(&p);
	free(src);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: v4l2l-bench mkdev N | rmdev N | memcpy|movsb BYTES SECONDS | idle SECONDS |\n"
		"       run -o OUT -c CAP[,CAP..] -s WxH -f FOURCC -i mmap|write -r FPS -t SEC [-b BUFS] |\n"
		"       produce -o OUT -s WxH -f FOURCC -i mmap|write -t SEC [-F RGB3]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv)
{
	char *list, *tok, *save;
	int opt;

	o.w = 640;
	o.h = 480;
	o.fourcc = V4L2_PIX_FMT_YUYV;
	o.use_mmap = 1;
	o.fps = 30;
	o.seconds = 2;
	o.cbufs = 4;
	while ((opt = getopt(argc, argv, "o:c:s:f:F:i:r:t:b:")) != -1) {
		switch (opt) {
		case 'o':
			o.out = optarg;
			break;
		case 'c':
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok && o.ncons < MAX_CONSUMERS;
			     tok = strtok_r(NULL, ",", &save))
				o.caps[o.ncons++] = tok;
			break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o.w, &o.h) != 2)
				usage();
			break;
		case 'f':
			if (strlen(optarg) != 4)
				usage();
			o.fourcc = v4l2_fourcc(optarg[0], optarg[1], optarg[2], optarg[3]);
			break;
		case 'F':
			if (strlen(optarg) != 4)
				usage();
			o.src_fourcc = v4l2_fourcc(optarg[0], optarg[1], optarg[2], optarg[3]);
			break;
		case 'i':
			o.use_mmap = !strcmp(optarg, "mmap");
			break;
		case 'r':
			o.fps = atoi(optarg);
			break;
		case 't':
			o.seconds = atof(optarg);
			break;
		case 'b':
			o.cbufs = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o.out)
		usage();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "mkdev") && argc == 3)
		return cmd_mkdev(atoi(argv[2]));
	if (!strcmp(argv[1], "rmdev") && argc == 3)
		return cmd_rmdev(atoi(argv[2]));
	if (!strcmp(argv[1], "memcpy") && argc == 4)
		return cmd_memcpy(strtoull(argv[2], NULL, 0), atof(argv[3]), 0);
	if (!strcmp(argv[1], "movsb") && argc == 4)
		return cmd_memcpy(strtoull(argv[2], NULL, 0), atof(argv[3]), 1);
	if (!strcmp(argv[1], "idle") && argc == 3)
		return cmd_idle(atof(argv[2]));
	if (!strcmp(argv[1], "run")) {
		parse_opts(argc - 1, argv + 1);
		if (o.ncons < 1)
			usage();
		return cmd_run();
	}
	if (!strcmp(argv[1], "produce")) {
		parse_opts(argc - 1, argv + 1);
		return cmd_produce();
	}
	usage();
	return 2;
}
