// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-fuzz - seeded ioctl fuzzer for the loopback module (torture suite,
 * test/torture/fuzz.test.ts). Several threads, each with its own PRNG
 * derived from the seed and its own file descriptors, hammer the control
 * device and the video nodes until the deadline:
 *
 *  - random ioctl numbers (type 'V', the control device's '~', anything)
 *    with random argument bytes, real V4L2 numbers with random bytes, and
 *    bad argument pointers (NULL, 1, a PROT_NONE page, a struct that runs
 *    into it, a kernel address) to exercise copy_from_user faults;
 *  - valid V4L2 and control device ioctls with properly shaped structs whose
 *    fields are randomly mutated (types, memory, indexes, counts, sizes,
 *    fourccs, bytesused, control ids and values...);
 *  - whole streaming sequences (S_FMT, REQBUFS, mmap, QBUF, STREAMON,
 *    write, DQBUF) so the deep paths run, then open/close, mmap/munmap,
 *    touching mapped pages, read/write/poll/epoll, EXPBUF and DMABUF import;
 *  - sysfs reads and writes of the nodes' attributes, and one more thread
 *    reading every attribute in a loop while devices come and go.
 *
 * Devices the fuzzer adds through the control device are tracked (at most
 * 8 live); only those are removed (REMOVE never gets another number below
 * 256), and all of them are removed at the end. Every fd is O_NONBLOCK and
 * every thread checks the deadline, so nothing waits forever; a watchdog
 * reports threads stuck in a call. A run is reproducible given the seed,
 * modulo thread interleaving.
 *
 * usage: v4l2l-fuzz [-s SEED] [-t SECONDS] [-j THREADS] [-c CTLDEV]
 *                   /dev/videoN...
 * Prints the seed on stderr first, then one JSON line with counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

#define MAX_THREADS 16
#define MAX_PATHS 32
#define MAX_FDS 8
#define MAX_DMABUFS 8
#define MAX_MAPS 32
#define MAX_OFFS 16
#define MAX_ADDED 8
#define MAX_ERRNO 1024
/* errnos above this are kernel-internal and must never reach userspace */
#define MAX_USER_ERRNO 133
#define MAX_ODD 32
#define ARENA_SIZE (4u << 20)
#define SCRATCH_SIZE (16u << 10)
#define MAP_BUDGET (96u << 20)
#define PAGE 4096u

#define OPS(X)                                                              \
	X(RAW_V) X(RAW_CTL) X(RAW_ANY) X(REAL_CMD_RANDOM) X(QUERYCAP)        \
	X(ENUM_FMT) X(G_FMT) X(S_FMT) X(TRY_FMT) X(REQBUFS) X(CREATE_BUFS)   \
	X(QUERYBUF) X(QBUF) X(DQBUF) X(PREPARE_BUF) X(STREAMON)              \
	X(STREAMOFF) X(EXPBUF) X(G_PARM) X(S_PARM) X(G_CTRL) X(S_CTRL)       \
	X(QUERYCTRL) X(QUERY_EXT_CTRL) X(QUERYMENU) X(G_EXT_CTRLS)           \
	X(S_EXT_CTRLS) X(TRY_EXT_CTRLS) X(ENUM_FRAMESIZES)                   \
	X(ENUM_FRAMEINTERVALS) X(ENUMINPUT) X(G_INPUT) X(S_INPUT)            \
	X(ENUMOUTPUT) X(G_OUTPUT) X(S_OUTPUT) X(SUBSCRIBE_EVENT)             \
	X(UNSUBSCRIBE_EVENT) X(DQEVENT) X(G_SELECTION) X(S_SELECTION)        \
	X(G_PRIORITY) X(S_PRIORITY) X(LOG_STATUS) X(CTL_VERSION) X(CTL_ADD)  \
	X(CTL_REMOVE) X(CTL_QUERY) X(CTL_ADD_CAPTURE) X(OPEN) X(CLOSE)       \
	X(MMAP) X(MUNMAP) X(READ) X(WRITE) X(POLL) X(EPOLL) X(DMABUF_MMAP) \
	X(SYSFS_READ) X(SYSFS_WRITE)

#define OP_ENUM(n) OP_##n,
#define OP_NAME(n) #n,
enum op { OPS(OP_ENUM) NUM_OPS };
static const char *const op_names[] = { OPS(OP_NAME) };

/* ---- shared state ---- */

static uint64_t seed = 0x5eed;
static double duration = 20, deadline;
static int nthreads = 4;
static const char *ctl_path = "/dev/v4l2loopback";
static const char *paths[MAX_PATHS];
static int npaths;

static long calls, errnos[MAX_ERRNO], op_ok[NUM_OPS], op_err[NUM_OPS];
static long touches, stream_cycles, frames_written, frames_dqbuf;
static long stop_flag;

static pthread_mutex_t added_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int out, cap; /* cap = out for a combined device */
} added[MAX_ADDED];
static int nadded;
static long n_added, n_removed, n_remove_busy, n_untracked_add;

#define inc(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- per-thread state ---- */

struct map {
	uint8_t *p;
	size_t len;
	int prot;
};

struct thr {
	int id;
	pthread_t tid;
	uint64_t rng;
	int fds[MAX_FDS];
	int fd_node[MAX_FDS]; /* index in paths[], -1 = control, -2 = added */
	int dmabufs[MAX_DMABUFS];
	struct map maps[MAX_MAPS];
	struct v4l2_ext_control ext_ctrls[V4L2_CID_MAX_CTRLS];
	size_t mapped;
	struct {
		int fd;
		uint32_t off, len;
	} offs[MAX_OFFS];
	uint8_t *arena;   /* ARENA_SIZE bytes, then a PROT_NONE page */
	uint8_t *scratch; /* SCRATCH_SIZE bytes, then a PROT_NONE page */
	uint8_t *guard;   /* the PROT_NONE page after scratch */
	uint32_t sizeimage;
	/* what the thread is doing now, for the watchdog */
	volatile int op;
	volatile unsigned long cmd;
	volatile int done;
};

static struct thr threads[MAX_THREADS];

/* splitmix64, to derive the thread seeds */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xorshift64* */
static uint64_t rnd64(struct thr *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd(struct thr *t, uint32_t n)
{
	return n ? (uint32_t)((rnd64(t) >> 32) % n) : 0;
}

static int chance(struct thr *t, unsigned int pct)
{
	return rnd(t, 100) < pct;
}

static void rnd_bytes(struct thr *t, void *p, size_t n)
{
	uint8_t *b = p;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			v = rnd64(t);
		b[i] = v;
		v >>= 8;
	}
}

/* an "interesting" 32-bit value, or sane most of the time */
static uint32_t mut32(struct thr *t, uint32_t sane)
{
	static const uint32_t odd[] = {
		0, 1, 2, 3, 7, 8, 31, 32, 33, 64, 255, 256, 4095, 4096,
		65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
		8191, 8192, 8193, 100000, 1u << 24,
	};

	if (chance(t, 80))
		return sane;
	switch (rnd(t, 4)) {
	case 0:
		return odd[rnd(t, sizeof(odd) / sizeof(odd[0]))];
	case 1:
		return sane + rnd(t, 5) - 2;
	case 2:
		return rnd(t, 64);
	default:
		return (uint32_t)rnd64(t);
	}
}

static uint32_t rnd_type(struct thr *t)
{
	switch (rnd(t, 20)) {
	case 0:
		return rnd(t, 16);
	case 1:
		return (uint32_t)rnd64(t);
	case 2:
		return V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	case 3:
		return V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	default:
		return chance(t, 50) ? V4L2_BUF_TYPE_VIDEO_CAPTURE :
				       V4L2_BUF_TYPE_VIDEO_OUTPUT;
	}
}

static uint32_t rnd_memory(struct thr *t)
{
	switch (rnd(t, 10)) {
	case 0:
		return mut32(t, rnd(t, 6));
	case 1:
	case 2:
		return V4L2_MEMORY_USERPTR;
	case 3:
		return V4L2_MEMORY_DMABUF;
	default:
		return V4L2_MEMORY_MMAP;
	}
}

static const uint32_t fourccs[] = {
	V4L2_PIX_FMT_BGR32, V4L2_PIX_FMT_RGB32, V4L2_PIX_FMT_BGR24,
	V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY,
	V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_YVU420,
	V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_H264,
	V4L2_PIX_FMT_Y41P, V4L2_PIX_FMT_YUV422P, V4L2_PIX_FMT_Y16,
	V4L2_PIX_FMT_SBGGR8, V4L2_PIX_FMT_YVU410, V4L2_PIX_FMT_RGB332,
	v4l2_fourcc('Z', 'Z', 'Z', 'Z'), 0,
};

static uint32_t rnd_fourcc(struct thr *t)
{
	if (chance(t, 5))
		return (uint32_t)rnd64(t);
	return fourccs[rnd(t, sizeof(fourccs) / sizeof(fourccs[0]))];
}

static uint32_t rnd_dim(struct thr *t, uint32_t max)
{
	return mut32(t, 16 + rnd(t, max));
}

static const uint32_t ctrl_ids[] = {
	V4L2LOOPBACK_CID_KEEP_FORMAT, V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE,
	V4L2LOOPBACK_CID_TIMEOUT, V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO,
	V4L2_CID_BRIGHTNESS, V4L2_CID_USER_CLASS, V4L2_CID_PRIVATE_BASE,
	V4L2LOOPBACK_CID_BASE + 4,
};

static uint32_t rnd_ctrl_id(struct thr *t)
{
	uint32_t id = ctrl_ids[rnd(t, sizeof(ctrl_ids) / sizeof(ctrl_ids[0]))];

	if (chance(t, 10))
		id = (uint32_t)rnd64(t);
	if (chance(t, 10))
		id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	if (chance(t, 5))
		id |= V4L2_CTRL_FLAG_NEXT_COMPOUND;
	return id;
}

/* ---- calls ---- */

static void count(struct thr *t, int ok, int err);

/* counts a call: the result first, then errno (argument order is unspecified) */
#define check(t, expr)                          \
	do {                                    \
		int ok_ = (expr);               \
		count(t, ok_, errno);           \
	} while (0)

static pthread_mutex_t odd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int op, err;
	unsigned long cmd;
	long n;
} odd[MAX_ODD];
static int nodd;

/* an errno no syscall should return (ENOIOCTLCMD, ERESTARTSYS...): where */
static void odd_errno(struct thr *t, int err)
{
	int i;

	pthread_mutex_lock(&odd_lock);
	for (i = 0; i < nodd; i++)
		if (odd[i].op == t->op && odd[i].err == err &&
		    odd[i].cmd == t->cmd)
			break;
	if (i == nodd && nodd < MAX_ODD) {
		odd[i].op = t->op;
		odd[i].err = err;
		odd[i].cmd = t->cmd;
		nodd++;
	}
	if (i < nodd)
		odd[i].n++;
	pthread_mutex_unlock(&odd_lock);
}

static void count(struct thr *t, int ok, int err)
{
	inc(&calls);
	if (!ok && (err <= 0 || err > MAX_USER_ERRNO))
		odd_errno(t, err);
	inc(&errnos[ok ? 0 : (err > 0 && err < MAX_ERRNO ? err : MAX_ERRNO - 1)]);
	inc(ok ? &op_ok[t->op] : &op_err[t->op]);
}

/*
 * ioctl with the argument at arg (len bytes), or now and then a bad
 * pointer: NULL, 1, the guard page, the struct running into the guard
 * page, a kernel address. Returns -1/errno like ioctl(); the result is
 * copied back to arg when the call got a valid pointer.
 */
static int xioctl(struct thr *t, int fd, unsigned long cmd, void *arg,
		  size_t len)
{
	void *p = arg;
	int r, err, copied = 0;

	t->cmd = cmd;
	if (arg && chance(t, 4)) {
		switch (rnd(t, 6)) {
		case 0:
			p = NULL;
			break;
		case 1:
			p = (void *)1;
			break;
		case 2:
			p = t->guard;
			break;
		case 3:
			p = (void *)0xffffffff81000000ull;
			break;
		default:
			if (len > 1 && len <= SCRATCH_SIZE) {
				/* the last bytes fall into the guard page */
				p = t->guard - len + 1 + rnd(t, len - 1);
				memcpy(p, arg, t->guard - (uint8_t *)p);
			}
			break;
		}
	} else if (arg && len && len <= SCRATCH_SIZE && chance(t, 20)) {
		/* exactly at the end of the mapping */
		p = t->guard - len;
		memcpy(p, arg, len);
		copied = 1;
	}
	r = ioctl(fd, cmd, p);
	err = r < 0 ? errno : 0;
	if (copied)
		memcpy(arg, p, len);
	count(t, r >= 0, err);
	errno = err;
	return r;
}

static int video_fd(struct thr *t);

/* ---- file descriptors ---- */

static int open_fd(struct thr *t)
{
	int slot, flags, fd, node, i;
	char buf[32];
	const char *path;

	for (slot = 0; slot < MAX_FDS; slot++)
		if (t->fds[slot] < 0)
			break;
	if (slot == MAX_FDS)
		return -1;
	t->op = OP_OPEN;
	i = rnd(t, npaths + 3);
	if (i < npaths) {
		path = paths[i];
		node = i;
	} else if (i == npaths) {
		path = ctl_path;
		node = -1;
	} else {
		pthread_mutex_lock(&added_lock);
		if (!nadded) {
			pthread_mutex_unlock(&added_lock);
			path = paths[rnd(t, npaths)];
			node = 0;
		} else {
			int k = rnd(t, nadded);

			snprintf(buf, sizeof(buf), "/dev/video%d",
				 chance(t, 50) ? added[k].out : added[k].cap);
			pthread_mutex_unlock(&added_lock);
			path = buf;
			node = -2;
		}
	}
	flags = O_NONBLOCK | O_CLOEXEC;
	switch (rnd(t, 8)) {
	case 0:
		flags |= O_RDONLY;
		break;
	case 1:
		flags |= O_WRONLY;
		break;
	default:
		flags |= O_RDWR;
		break;
	}
	fd = open(path, flags);
	check(t, fd >= 0);
	if (fd < 0)
		return -1;
	t->fds[slot] = fd;
	t->fd_node[slot] = node;
	return fd;
}

static void close_slot(struct thr *t, int slot)
{
	t->op = OP_CLOSE;
	check(t, close(t->fds[slot]) == 0);
	t->fds[slot] = -1;
}

static void close_dmabufs(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_DMABUFS; i++) {
		if (t->dmabufs[i] >= 0)
			close(t->dmabufs[i]);
		t->dmabufs[i] = -1;
	}
}

/* a random open video (or, rarely, control) fd; opens one if needed */
static int video_fd(struct thr *t)
{
	int i, n = 0, cand[MAX_FDS];

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i] >= 0 && (t->fd_node[i] != -1 || chance(t, 3)))
			cand[n++] = t->fds[i];
	if (!n || chance(t, 2)) {
		int fd = open_fd(t);

		if (fd >= 0)
			return fd;
		if (!n)
			return -1;
	}
	return cand[rnd(t, n)];
}

static int ctl_fd(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i] >= 0 && t->fd_node[i] == -1)
			return t->fds[i];
	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i] < 0)
			break;
	if (i == MAX_FDS)
		close_slot(t, rnd(t, MAX_FDS));
	for (i = 0; i < MAX_FDS; i++) {
		if (t->fds[i] < 0) {
			t->op = OP_OPEN;
			t->fds[i] = open(ctl_path, O_RDWR | O_CLOEXEC);
			check(t, t->fds[i] >= 0);
			t->fd_node[i] = -1;
			return t->fds[i];
		}
	}
	return -1;
}

/* ---- mappings ---- */

static void add_map(struct thr *t, void *p, size_t len, int prot)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (!t->maps[i].p) {
			t->maps[i].p = p;
			t->maps[i].len = len;
			t->maps[i].prot = prot;
			t->mapped += len;
			return;
		}
	}
	munmap(p, len);
}

static void drop_map(struct thr *t, int i)
{
	t->op = OP_MUNMAP;
	check(t, munmap(t->maps[i].p, t->maps[i].len) == 0);
	t->mapped -= t->maps[i].len;
	t->maps[i].p = NULL;
}

static void try_mmap(struct thr *t, int fd, uint32_t off, size_t len)
{
	int prot, flags = MAP_SHARED;
	void *p;

	if (t->mapped + len > MAP_BUDGET) {
		int i;

		for (i = 0; i < MAX_MAPS; i++)
			if (t->maps[i].p)
				drop_map(t, i);
	}
	t->op = OP_MMAP;
	switch (rnd(t, 6)) {
	case 0:
		prot = PROT_READ;
		break;
	case 1:
		prot = PROT_WRITE;
		break;
	case 2:
		prot = PROT_NONE;
		break;
	default:
		prot = PROT_READ | PROT_WRITE;
		break;
	}
	if (chance(t, 5))
		flags = MAP_PRIVATE;
	if (chance(t, 10))
		len = mut32(t, len + PAGE);
	if (!len || len > (256u << 20))
		len = PAGE;
	p = mmap(NULL, len, prot, flags, fd, off);
	check(t, p != MAP_FAILED);
	if (p != MAP_FAILED)
		add_map(t, p, len, prot);
}

static void remember_offset(struct thr *t, int fd, uint32_t off, uint32_t len)
{
	int i = rnd(t, MAX_OFFS);

	t->offs[i].fd = fd;
	t->offs[i].off = off;
	t->offs[i].len = len;
}

/* touch a random page of a mapping: faults it in (and races the copies) */
static void touch(struct thr *t)
{
	int i = rnd(t, MAX_MAPS);
	volatile uint8_t *p;
	size_t at;

	if (!t->maps[i].p || t->maps[i].prot == PROT_NONE)
		return;
	at = rnd(t, t->maps[i].len);
	p = t->maps[i].p + at;
	if (t->maps[i].prot & PROT_READ)
		(void)*p;
	if (t->maps[i].prot & PROT_WRITE)
		*p = (uint8_t)at;
	inc(&touches);
}

/* ---- V4L2 ioctls with mutated structs ---- */

static void fill_pix(struct thr *t, struct v4l2_pix_format *pix)
{
	pix->width = rnd_dim(t, 640);
	pix->height = rnd_dim(t, 480);
	pix->pixelformat = rnd_fourcc(t);
	pix->field = mut32(t, chance(t, 80) ? V4L2_FIELD_NONE : rnd(t, 12));
	pix->bytesperline = mut32(t, 0);
	pix->sizeimage = mut32(t, 0);
	pix->colorspace = mut32(t, 0);
	pix->priv = mut32(t, 0);
	pix->flags = mut32(t, 0);
	pix->ycbcr_enc = mut32(t, 0);
	pix->quantization = mut32(t, 0);
	pix->xfer_func = mut32(t, 0);
}

static void do_fmt(struct thr *t, int fd, enum op op)
{
	static const unsigned long cmds[] = {
		[OP_G_FMT] = VIDIOC_G_FMT,
		[OP_S_FMT] = VIDIOC_S_FMT,
		[OP_TRY_FMT] = VIDIOC_TRY_FMT,
	};
	struct v4l2_format f;

	memset(&f, 0, sizeof(f));
	f.type = rnd_type(t);
	if (f.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ||
	    f.type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE) {
		rnd_bytes(t, &f.fmt, sizeof(f.fmt));
		f.fmt.pix_mp.num_planes = rnd(t, 12);
	} else {
		fill_pix(t, &f.fmt.pix);
	}
	t->op = op;
	if (xioctl(t, fd, cmds[op], &f, sizeof(f)) == 0 &&
	    f.type <= V4L2_BUF_TYPE_VIDEO_OUTPUT)
		t->sizeimage = f.fmt.pix.sizeimage;
}

static void do_reqbufs(struct thr *t, int fd)
{
	struct v4l2_requestbuffers rb;

	memset(&rb, 0, sizeof(rb));
	rb.count = mut32(t, rnd(t, 6));
	rb.type = rnd_type(t);
	rb.memory = rnd_memory(t);
	if (chance(t, 10))
		rb.flags = rnd(t, 256);
	if (chance(t, 5))
		rnd_bytes(t, rb.reserved, sizeof(rb.reserved));
	t->op = OP_REQBUFS;
	xioctl(t, fd, VIDIOC_REQBUFS, &rb, sizeof(rb));
}

static void do_create_bufs(struct thr *t, int fd)
{
	struct v4l2_create_buffers cb;

	memset(&cb, 0, sizeof(cb));
	cb.count = mut32(t, rnd(t, 4));
	cb.memory = rnd_memory(t);
	cb.format.type = rnd_type(t);
	cb.index = mut32(t, 0);
	t->op = OP_G_FMT;
	if (chance(t, 70))
		xioctl(t, fd, VIDIOC_G_FMT, &cb.format, sizeof(cb.format));
	if (chance(t, 40))
		cb.format.fmt.pix.sizeimage = mut32(t, cb.format.fmt.pix.sizeimage * 2);
	if (chance(t, 20))
		fill_pix(t, &cb.format.fmt.pix);
	cb.flags = chance(t, 10) ? rnd(t, 4) : 0;
	t->op = OP_CREATE_BUFS;
	xioctl(t, fd, VIDIOC_CREATE_BUFS, &cb, sizeof(cb));
}

static int dmabuf_fd(struct thr *t)
{
	int i = rnd(t, MAX_DMABUFS);

	if (t->dmabufs[i] >= 0 && chance(t, 85))
		return t->dmabufs[i];
	return chance(t, 50) ? (int)rnd(t, 64) - 1 : (int)rnd64(t);
}

static void fill_buf(struct thr *t, struct v4l2_buffer *b,
		     struct v4l2_plane *planes)
{
	memset(b, 0, sizeof(*b));
	b->index = mut32(t, rnd(t, 6));
	b->type = rnd_type(t);
	b->memory = rnd_memory(t);
	b->bytesused = mut32(t, chance(t, 50) ? t->sizeimage : rnd(t, 1 << 20));
	b->field = mut32(t, V4L2_FIELD_NONE);
	b->flags = chance(t, 80) ? 0 : (uint32_t)rnd64(t);
	b->sequence = mut32(t, 0);
	b->timestamp.tv_sec = chance(t, 80) ? 0 : (long)rnd64(t);
	b->timestamp.tv_usec = chance(t, 80) ? 0 : (long)rnd64(t);
	b->length = mut32(t, t->sizeimage);
	if (b->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ||
	    b->type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE) {
		rnd_bytes(t, planes, sizeof(*planes) * VIDEO_MAX_PLANES);
		b->m.planes = chance(t, 80) ? planes : (void *)rnd64(t);
		b->length = rnd(t, VIDEO_MAX_PLANES + 2);
		return;
	}
	switch (b->memory) {
	case V4L2_MEMORY_USERPTR: {
		uint32_t off = chance(t, 70) ? rnd(t, 16) * PAGE :
					       rnd(t, ARENA_SIZE);

		b->m.userptr = (unsigned long)(t->arena + off);
		if (chance(t, 50))
			b->length = ARENA_SIZE - off;
		if (chance(t, 10)) {
			int i = rnd(t, MAX_MAPS);

			/* a userptr buffer inside an mmap of a vb2 buffer */
			if (t->maps[i].p) {
				b->m.userptr = (unsigned long)t->maps[i].p;
				b->length = t->maps[i].len;
			}
		}
		if (chance(t, 5))
			b->m.userptr = rnd64(t);
		break;
	}
	case V4L2_MEMORY_DMABUF:
		b->m.fd = dmabuf_fd(t);
		break;
	default:
		b->m.offset = mut32(t, 0);
		break;
	}
	if (chance(t, 5)) {
		b->flags |= V4L2_BUF_FLAG_REQUEST_FD;
		b->request_fd = rnd(t, 64) - 1;
	}
}

static void do_buf(struct thr *t, int fd, enum op op)
{
	static const unsigned long cmds[] = {
		[OP_QUERYBUF] = VIDIOC_QUERYBUF,
		[OP_QBUF] = VIDIOC_QBUF,
		[OP_DQBUF] = VIDIOC_DQBUF,
		[OP_PREPARE_BUF] = VIDIOC_PREPARE_BUF,
	};
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;

	fill_buf(t, &b, planes);
	t->op = op;
	if (xioctl(t, fd, cmds[op], &b, sizeof(b)) < 0)
		return;
	if (op == OP_DQBUF)
		inc(&frames_dqbuf);
	if (op == OP_QUERYBUF && b.memory == V4L2_MEMORY_MMAP &&
	    (b.type == V4L2_BUF_TYPE_VIDEO_CAPTURE ||
	     b.type == V4L2_BUF_TYPE_VIDEO_OUTPUT)) {
		remember_offset(t, fd, b.m.offset, b.length);
		if (chance(t, 50))
			try_mmap(t, fd, b.m.offset, b.length);
	}
}

static void do_stream(struct thr *t, int fd, enum op op)
{
	int type = rnd_type(t);

	t->op = op;
	xioctl(t, fd, op == OP_STREAMON ? VIDIOC_STREAMON : VIDIOC_STREAMOFF,
	       &type, sizeof(type));
}

static void do_expbuf(struct thr *t, int fd)
{
	struct v4l2_exportbuffer e;
	int i;

	memset(&e, 0, sizeof(e));
	e.type = rnd_type(t);
	e.index = mut32(t, rnd(t, 6));
	e.plane = mut32(t, 0);
	e.flags = chance(t, 90) ? (O_RDWR | O_CLOEXEC) : (uint32_t)rnd64(t);
	t->op = OP_EXPBUF;
	if (xioctl(t, fd, VIDIOC_EXPBUF, &e, sizeof(e)) < 0)
		return;
	i = rnd(t, MAX_DMABUFS);
	if (t->dmabufs[i] >= 0)
		close(t->dmabufs[i]);
	t->dmabufs[i] = e.fd;
}

/* mmap/touch/munmap of an exported dmabuf */
static void do_dmabuf_mmap(struct thr *t)
{
	int i = rnd(t, MAX_DMABUFS);
	volatile uint8_t *p;
	size_t len = PAGE * (1 + rnd(t, 4));

	if (t->dmabufs[i] < 0)
		return;
	t->op = OP_DMABUF_MMAP;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 t->dmabufs[i], 0);
	check(t, p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	p[0] = p[len - 1];
	munmap((void *)p, len);
}

static void do_parm(struct thr *t, int fd, enum op op)
{
	struct v4l2_streamparm p;

	memset(&p, 0, sizeof(p));
	p.type = rnd_type(t);
	if (chance(t, 20)) {
		rnd_bytes(t, &p.parm, sizeof(p.parm));
	} else {
		p.parm.output.timeperframe.numerator = mut32(t, 1);
		p.parm.output.timeperframe.denominator = mut32(t, 1 + rnd(t, 60));
		p.parm.output.capability = mut32(t, 0);
		p.parm.output.outputmode = mut32(t, 0);
		p.parm.output.writebuffers = mut32(t, 0);
	}
	t->op = op;
	xioctl(t, fd, op == OP_G_PARM ? VIDIOC_G_PARM : VIDIOC_S_PARM, &p,
	       sizeof(p));
}

static void do_ctrl(struct thr *t, int fd, enum op op)
{
	struct v4l2_control c;

	c.id = rnd_ctrl_id(t) & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
				 V4L2_CTRL_FLAG_NEXT_COMPOUND);
	/* keep the timeout control sane mostly: it paces the timers */
	c.value = (int32_t)mut32(t, rnd(t, 2) ? rnd(t, 2) : rnd(t, 3000));
	t->op = op;
	xioctl(t, fd, op == OP_G_CTRL ? VIDIOC_G_CTRL : VIDIOC_S_CTRL, &c,
	       sizeof(c));
}

static void do_queryctrl(struct thr *t, int fd, enum op op)
{
	union {
		struct v4l2_queryctrl q;
		struct v4l2_query_ext_ctrl qe;
		struct v4l2_querymenu m;
	} u;

	rnd_bytes(t, &u, sizeof(u));
	t->op = op;
	switch (op) {
	case OP_QUERYCTRL:
		u.q.id = rnd_ctrl_id(t);
		xioctl(t, fd, VIDIOC_QUERYCTRL, &u.q, sizeof(u.q));
		break;
	case OP_QUERY_EXT_CTRL:
		u.qe.id = rnd_ctrl_id(t);
		xioctl(t, fd, VIDIOC_QUERY_EXT_CTRL, &u.qe, sizeof(u.qe));
		break;
	default:
		u.m.id = rnd_ctrl_id(t);
		u.m.index = mut32(t, rnd(t, 4));
		xioctl(t, fd, VIDIOC_QUERYMENU, &u.m, sizeof(u.m));
		break;
	}
}

static void do_ext_ctrls(struct thr *t, int fd, enum op op)
{
	static const unsigned long cmds[] = {
		[OP_G_EXT_CTRLS] = VIDIOC_G_EXT_CTRLS,
		[OP_S_EXT_CTRLS] = VIDIOC_S_EXT_CTRLS,
		[OP_TRY_EXT_CTRLS] = VIDIOC_TRY_EXT_CTRLS,
	};
	/*
	 * The kernel copies count entries in and back out (even on errors):
	 * the array must hold as many as it accepts, or a mutated count
	 * has it write over whatever follows.
	 */
	struct v4l2_ext_control *ctrls = t->ext_ctrls;
	struct v4l2_ext_controls cs;
	unsigned int i, n;

	memset(&cs, 0, sizeof(cs));
	switch (rnd(t, 6)) {
	case 0:
		cs.which = V4L2_CTRL_WHICH_DEF_VAL;
		break;
	case 1:
		cs.which = V4L2_CTRL_WHICH_REQUEST_VAL;
		cs.request_fd = rnd(t, 64) - 1;
		break;
	case 2:
		cs.which = mut32(t, 0);
		break;
	case 3:
		cs.which = 0;
		break;
	default:
		cs.which = V4L2_CTRL_CLASS_USER;
		break;
	}
	cs.count = mut32(t, rnd(t, 7));
	n = cs.count < V4L2_CID_MAX_CTRLS ? cs.count : V4L2_CID_MAX_CTRLS;
	memset(ctrls, 0, n * sizeof(ctrls[0]));
	for (i = 0; i < n; i++) {
		ctrls[i].id = rnd_ctrl_id(t) & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
						 V4L2_CTRL_FLAG_NEXT_COMPOUND);
		ctrls[i].size = chance(t, 90) ? 0 : mut32(t, 4);
		ctrls[i].value = (int32_t)mut32(t, rnd(t, 2) ? rnd(t, 2) :
							   rnd(t, 3000));
		if (ctrls[i].size)
			ctrls[i].ptr = chance(t, 50) ? t->scratch :
					  (void *)rnd64(t);
	}
	cs.controls = chance(t, 90) ? ctrls : (void *)rnd64(t);
	if (chance(t, 5))
		cs.controls = (void *)(t->guard - sizeof(ctrls[0]));
	t->op = op;
	xioctl(t, fd, cmds[op], &cs, sizeof(cs));
}

static void do_enum(struct thr *t, int fd, enum op op)
{
	union {
		struct v4l2_fmtdesc fd;
		struct v4l2_frmsizeenum fs;
		struct v4l2_frmivalenum fi;
		struct v4l2_input in;
		struct v4l2_output out;
	} u;
	unsigned int v;

	rnd_bytes(t, &u, sizeof(u));
	t->op = op;
	switch (op) {
	case OP_ENUM_FMT:
		u.fd.index = mut32(t, rnd(t, 60));
		u.fd.type = rnd_type(t);
		u.fd.mbus_code = mut32(t, 0);
		xioctl(t, fd, VIDIOC_ENUM_FMT, &u.fd, sizeof(u.fd));
		break;
	case OP_ENUM_FRAMESIZES:
		u.fs.index = mut32(t, rnd(t, 2));
		u.fs.pixel_format = rnd_fourcc(t);
		xioctl(t, fd, VIDIOC_ENUM_FRAMESIZES, &u.fs, sizeof(u.fs));
		break;
	case OP_ENUM_FRAMEINTERVALS:
		u.fi.index = mut32(t, rnd(t, 2));
		u.fi.pixel_format = rnd_fourcc(t);
		u.fi.width = rnd_dim(t, 640);
		u.fi.height = rnd_dim(t, 480);
		xioctl(t, fd, VIDIOC_ENUM_FRAMEINTERVALS, &u.fi, sizeof(u.fi));
		break;
	case OP_ENUMINPUT:
		u.in.index = mut32(t, rnd(t, 2));
		xioctl(t, fd, VIDIOC_ENUMINPUT, &u.in, sizeof(u.in));
		break;
	case OP_ENUMOUTPUT:
		u.out.index = mut32(t, rnd(t, 2));
		xioctl(t, fd, VIDIOC_ENUMOUTPUT, &u.out, sizeof(u.out));
		break;
	case OP_G_INPUT:
		xioctl(t, fd, VIDIOC_G_INPUT, &v, sizeof(v));
		break;
	case OP_S_INPUT:
		v = mut32(t, 0);
		xioctl(t, fd, VIDIOC_S_INPUT, &v, sizeof(v));
		break;
	case OP_G_OUTPUT:
		xioctl(t, fd, VIDIOC_G_OUTPUT, &v, sizeof(v));
		break;
	case OP_S_OUTPUT:
		v = mut32(t, 0);
		xioctl(t, fd, VIDIOC_S_OUTPUT, &v, sizeof(v));
		break;
	case OP_G_PRIORITY:
		xioctl(t, fd, VIDIOC_G_PRIORITY, &v, sizeof(v));
		break;
	case OP_S_PRIORITY:
		/* RECORD rarely: it makes the node's other fhs read-only */
		v = chance(t, 90) ? V4L2_PRIORITY_DEFAULT : mut32(t, rnd(t, 4));
		xioctl(t, fd, VIDIOC_S_PRIORITY, &v, sizeof(v));
		break;
	default:
		break;
	}
}

static void do_event(struct thr *t, int fd, enum op op)
{
	static const uint32_t types[] = {
		V4L2_EVENT_ALL, V4L2_EVENT_CTRL, V4L2_EVENT_SOURCE_CHANGE,
		V4L2_EVENT_PRI_CLIENT_USAGE, V4L2_EVENT_EOS,
		V4L2_EVENT_FRAME_SYNC, V4L2_EVENT_PRIVATE_START,
	};
	struct v4l2_event_subscription s;
	struct v4l2_event ev;

	t->op = op;
	if (op == OP_DQEVENT) {
		rnd_bytes(t, &ev, sizeof(ev));
		xioctl(t, fd, VIDIOC_DQEVENT, &ev, sizeof(ev));
		return;
	}
	memset(&s, 0, sizeof(s));
	s.type = chance(t, 90) ? types[rnd(t, sizeof(types) / sizeof(types[0]))] :
				 (uint32_t)rnd64(t);
	s.id = s.type == V4L2_EVENT_CTRL ? rnd_ctrl_id(t) & 0x0fffffff :
					   mut32(t, 0);
	s.flags = chance(t, 80) ? rnd(t, 4) : (uint32_t)rnd64(t);
	xioctl(t, fd, op == OP_SUBSCRIBE_EVENT ? VIDIOC_SUBSCRIBE_EVENT :
						 VIDIOC_UNSUBSCRIBE_EVENT,
	       &s, sizeof(s));
}

static void do_selection(struct thr *t, int fd, enum op op)
{
	struct v4l2_selection s;

	memset(&s, 0, sizeof(s));
	s.type = rnd_type(t);
	s.target = mut32(t, rnd(t, 0x104));
	s.flags = mut32(t, 0);
	s.r.left = (int32_t)mut32(t, 0);
	s.r.top = (int32_t)mut32(t, 0);
	s.r.width = rnd_dim(t, 640);
	s.r.height = rnd_dim(t, 480);
	t->op = op;
	xioctl(t, fd, op == OP_G_SELECTION ? VIDIOC_G_SELECTION :
					     VIDIOC_S_SELECTION,
	       &s, sizeof(s));
}

/*
 * A whole streaming session on one fd: format, buffers, mmap, queue,
 * stream, then frames in or out. Mostly well-formed, so the deep paths
 * (frame delivery to consumers, vb2 done/dequeue) run; left streaming or
 * stopped at random.
 */
static void stream_cycle(struct thr *t, int fd)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_format f;
	struct v4l2_buffer b;
	uint32_t type = chance(t, 50) ? V4L2_BUF_TYPE_VIDEO_OUTPUT :
					V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int use_write = type == V4L2_BUF_TYPE_VIDEO_OUTPUT && chance(t, 30);
	unsigned int i, n;

	inc(&stream_cycles);
	memset(&f, 0, sizeof(f));
	f.type = type;
	t->op = OP_G_FMT;
	if (xioctl(t, fd, VIDIOC_G_FMT, &f, sizeof(f)) < 0)
		return;
	if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT && chance(t, 50)) {
		f.fmt.pix.width = 16 * (1 + rnd(t, 20));
		f.fmt.pix.height = 16 * (1 + rnd(t, 15));
		f.fmt.pix.pixelformat = fourccs[rnd(t, 12)];
		t->op = OP_S_FMT;
		if (xioctl(t, fd, VIDIOC_S_FMT, &f, sizeof(f)) < 0)
			return;
	}
	t->sizeimage = f.fmt.pix.sizeimage;
	if (use_write) {
		for (i = 0; i < 1 + rnd(t, 4); i++) {
			t->op = OP_WRITE;
			if (f.fmt.pix.sizeimage > ARENA_SIZE)
				break;
			check(t, write(fd, t->arena,
				       f.fmt.pix.sizeimage) >= 0);
			inc(&frames_written);
		}
		return;
	}
	memset(&rb, 0, sizeof(rb));
	rb.count = 2 + rnd(t, 3);
	rb.type = type;
	rb.memory = V4L2_MEMORY_MMAP;
	t->op = OP_REQBUFS;
	if (xioctl(t, fd, VIDIOC_REQBUFS, &rb, sizeof(rb)) < 0)
		return;
	n = rb.count;
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = type;
		b.memory = V4L2_MEMORY_MMAP;
		t->op = OP_QUERYBUF;
		if (xioctl(t, fd, VIDIOC_QUERYBUF, &b, sizeof(b)) < 0)
			continue;
		remember_offset(t, fd, b.m.offset, b.length);
		if (chance(t, 60))
			try_mmap(t, fd, b.m.offset, b.length);
		if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT)
			b.bytesused = chance(t, 80) ? b.length : rnd(t, b.length + 1);
		t->op = OP_QBUF;
		xioctl(t, fd, VIDIOC_QBUF, &b, sizeof(b));
	}
	t->op = OP_STREAMON;
	if (xioctl(t, fd, VIDIOC_STREAMON, &type, sizeof(type)) < 0)
		return;
	for (i = 0; i < 2 + rnd(t, 6) && now() < deadline; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

		t->op = OP_POLL;
		check(t, poll(&pfd, 1, 5) >= 0);
		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_MMAP;
		t->op = OP_DQBUF;
		if (xioctl(t, fd, VIDIOC_DQBUF, &b, sizeof(b)) < 0)
			continue;
		inc(&frames_dqbuf);
		if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT)
			b.bytesused = b.length;
		t->op = OP_QBUF;
		xioctl(t, fd, VIDIOC_QBUF, &b, sizeof(b));
	}
	if (chance(t, 40)) {
		t->op = OP_STREAMOFF;
		xioctl(t, fd, VIDIOC_STREAMOFF, &type, sizeof(type));
	}
	if (chance(t, 20)) {
		rb.count = 0;
		t->op = OP_REQBUFS;
		xioctl(t, fd, VIDIOC_REQBUFS, &rb, sizeof(rb));
	}
}

/* ---- raw ioctls ---- */

static const unsigned long real_cmds[] = {
	VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_G_FMT, VIDIOC_S_FMT,
	VIDIOC_REQBUFS, VIDIOC_QUERYBUF, VIDIOC_G_FBUF, VIDIOC_S_FBUF,
	VIDIOC_OVERLAY, VIDIOC_QBUF, VIDIOC_EXPBUF, VIDIOC_DQBUF,
	VIDIOC_STREAMON, VIDIOC_STREAMOFF, VIDIOC_G_PARM, VIDIOC_S_PARM,
	VIDIOC_G_STD, VIDIOC_S_STD, VIDIOC_ENUMSTD, VIDIOC_ENUMINPUT,
	VIDIOC_G_CTRL, VIDIOC_S_CTRL, VIDIOC_G_TUNER, VIDIOC_S_TUNER,
	VIDIOC_G_AUDIO, VIDIOC_S_AUDIO, VIDIOC_QUERYCTRL, VIDIOC_QUERYMENU,
	VIDIOC_G_INPUT, VIDIOC_S_INPUT, VIDIOC_G_EDID, VIDIOC_S_EDID,
	VIDIOC_G_OUTPUT, VIDIOC_S_OUTPUT, VIDIOC_ENUMOUTPUT, VIDIOC_G_AUDOUT,
	VIDIOC_S_AUDOUT, VIDIOC_G_MODULATOR, VIDIOC_S_MODULATOR,
	VIDIOC_G_FREQUENCY, VIDIOC_S_FREQUENCY, VIDIOC_CROPCAP, VIDIOC_G_CROP,
	VIDIOC_S_CROP, VIDIOC_G_JPEGCOMP, VIDIOC_S_JPEGCOMP, VIDIOC_QUERYSTD,
	VIDIOC_TRY_FMT, VIDIOC_ENUMAUDIO, VIDIOC_ENUMAUDOUT, VIDIOC_G_PRIORITY,
	VIDIOC_S_PRIORITY, VIDIOC_G_SLICED_VBI_CAP, VIDIOC_LOG_STATUS,
	VIDIOC_G_EXT_CTRLS, VIDIOC_S_EXT_CTRLS, VIDIOC_TRY_EXT_CTRLS,
	VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS,
	VIDIOC_G_ENC_INDEX, VIDIOC_ENCODER_CMD, VIDIOC_TRY_ENCODER_CMD,
	VIDIOC_S_HW_FREQ_SEEK, VIDIOC_CREATE_BUFS, VIDIOC_PREPARE_BUF,
	VIDIOC_G_SELECTION, VIDIOC_S_SELECTION, VIDIOC_DECODER_CMD,
	VIDIOC_TRY_DECODER_CMD, VIDIOC_ENUM_DV_TIMINGS,
	VIDIOC_QUERY_DV_TIMINGS, VIDIOC_DV_TIMINGS_CAP,
	VIDIOC_ENUM_FREQ_BANDS, VIDIOC_DBG_G_CHIP_INFO, VIDIOC_QUERY_EXT_CTRL,
	VIDIOC_SUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT, VIDIOC_DQEVENT,
	VIDIOC_S_DV_TIMINGS, VIDIOC_G_DV_TIMINGS,
	V4L2LOOPBACK_CTL_VERSION, V4L2LOOPBACK_CTL_ADD, V4L2LOOPBACK_CTL_QUERY,
	V4L2LOOPBACK_CTL_ADD_SPLIT,
	V4L2LOOPBACK_CTL_ADD_CAPTURE, V4L2LOOPBACK_CTL_QUERY_LEGACY,
};

/*
 * Generic VFS ioctls answered before the driver: changing O_NONBLOCK
 * (FIONBIO) would let later calls block, FIFREEZE would freeze /dev.
 * Their types are never generated at random.
 */
static int vfs_type(unsigned int type)
{
	return type == 0 || type == 0x15 || type == 'T' || type == 'X' ||
	       type == 'f' || type == 0x94;
}

static void track_add(int nr);

static void raw_ioctl(struct thr *t, int fd, enum op op)
{
	unsigned int dir = rnd(t, 4), type, nr, size;
	unsigned long cmd;
	void *arg;
	int r;

	switch (op) {
	case OP_RAW_V:
		type = 'V';
		nr = chance(t, 80) ? rnd(t, 110) : rnd(t, 256);
		break;
	case OP_RAW_CTL:
		type = V4L2LOOPBACK_CTL_IOCTLMAGIC;
		nr = rnd(t, 8);
		break;
	case OP_REAL_CMD_RANDOM:
		type = nr = 0;
		break;
	default:
		do
			type = rnd(t, 256);
		while (vfs_type(type));
		nr = rnd(t, 256);
		break;
	}
	switch (rnd(t, 4)) {
	case 0:
		size = rnd(t, 1u << 14);
		break;
	case 1:
		size = 4 * rnd(t, 64);
		break;
	default:
		size = rnd(t, 256);
		break;
	}
	cmd = _IOC(dir, type, nr, size);
	if (op == OP_REAL_CMD_RANDOM)
		cmd = real_cmds[rnd(t, sizeof(real_cmds) / sizeof(real_cmds[0]))];
	if (chance(t, 2))
		cmd = V4L2LOOPBACK_CTL_ADD_LEGACY + rnd(t, 4);
	if (chance(t, 1))
		cmd = (uint32_t)rnd64(t);
	/*
	 * REMOVE takes a node number by value: only remove_own() may use it,
	 * so the devices of the test survive.
	 */
	if (cmd == V4L2LOOPBACK_CTL_REMOVE ||
	    cmd == V4L2LOOPBACK_CTL_REMOVE_LEGACY ||
	    vfs_type(_IOC_TYPE(cmd)))
		return;
	size = _IOC_SIZE(cmd);
	if (size > SCRATCH_SIZE)
		size = SCRATCH_SIZE;
	arg = t->guard - size;
	rnd_bytes(t, arg, size);
	if (cmd == V4L2LOOPBACK_CTL_ADD || cmd == V4L2LOOPBACK_CTL_ADD_LEGACY ||
	    cmd == V4L2LOOPBACK_CTL_ADD_SPLIT) {
		/* bounded: see track_add() */
		pthread_mutex_lock(&added_lock);
		r = nadded >= MAX_ADDED;
		pthread_mutex_unlock(&added_lock);
		if (r)
			return;
	}
	t->op = op;
	t->cmd = cmd;
	switch (rnd(t, 20)) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = (void *)1;
		break;
	case 2:
		arg = t->guard;
		break;
	case 3:
		if (size > 1)
			arg = t->guard - size + 1 + rnd(t, size - 1);
		break;
	case 4:
		arg = (void *)(unsigned long)rnd64(t);
		break;
	default:
		break;
	}
	r = ioctl(fd, cmd, arg);
	check(t, r >= 0);
	if (r >= 0 && (cmd == V4L2LOOPBACK_CTL_ADD ||
		       cmd == V4L2LOOPBACK_CTL_ADD_LEGACY ||
		       cmd == V4L2LOOPBACK_CTL_ADD_SPLIT)) {
		inc(&n_untracked_add);
		track_add(r);
	}
}

/* ---- control device ---- */

/* remembers a device this program added (output nr); removes it when full */
static void track_add(int nr)
{
	struct v4l2_loopback_config c;
	int fd, cap = nr;

	fd = open(ctl_path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		c.output_nr = nr;
		c.capture_nr = -1;
		if (ioctl(fd, V4L2LOOPBACK_CTL_QUERY, &c) == 0)
			cap = c.capture_nr;
	}
	pthread_mutex_lock(&added_lock);
	if (nadded < MAX_ADDED) {
		added[nadded].out = nr;
		added[nadded].cap = cap;
		nadded++;
		nr = -1;
	}
	pthread_mutex_unlock(&added_lock);
	inc(&n_added);
	/* more than MAX_ADDED at once (racing adds): remove it again */
	if (nr >= 0 && fd >= 0 &&
	    ioctl(fd, V4L2LOOPBACK_CTL_REMOVE, (unsigned long)nr) == 0)
		inc(&n_removed);
	if (fd >= 0)
		close(fd);
}

static void fill_config(struct thr *t, struct v4l2_loopback_config *c)
{
	memset(c, 0, sizeof(*c));
	c->output_nr = chance(t, 80) ? -1 : (int32_t)mut32(t, 64 + rnd(t, 64));
	switch (rnd(t, 5)) {
	case 0:
		c->capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
		break;
	case 1:
		c->capture_nr = (int32_t)mut32(t, 64 + rnd(t, 64));
		break;
	default:
		c->capture_nr = -1;
		break;
	}
	if (chance(t, 70))
		snprintf(c->card_label, sizeof(c->card_label), "fuzz %d",
			 t->id);
	else
		rnd_bytes(t, c->card_label, sizeof(c->card_label));
	c->min_width = chance(t, 70) ? 0 : mut32(t, rnd(t, 64));
	c->max_width = chance(t, 70) ? 0 : mut32(t, 64 + rnd(t, 2000));
	c->min_height = chance(t, 70) ? 0 : mut32(t, rnd(t, 64));
	c->max_height = chance(t, 70) ? 0 : mut32(t, 64 + rnd(t, 2000));
	c->max_buffers = chance(t, 70) ? 0 : (int32_t)mut32(t, rnd(t, 33));
	c->max_openers = chance(t, 70) ? 0 : (int32_t)mut32(t, rnd(t, 20));
	c->debug = (int32_t)mut32(t, 0);
	c->announce_all_caps = chance(t, 70) ? -1 : (int32_t)mut32(t, rnd(t, 2));
}

static void ctl_add(struct thr *t, int fd)
{
	struct v4l2_loopback_config c;
	int full, r;

	pthread_mutex_lock(&added_lock);
	full = nadded >= MAX_ADDED;
	pthread_mutex_unlock(&added_lock);
	if (full)
		return;
	fill_config(t, &c);
	t->op = OP_CTL_ADD;
	if (chance(t, 10)) {
		t->cmd = V4L2LOOPBACK_CTL_ADD;
		r = ioctl(fd, V4L2LOOPBACK_CTL_ADD, NULL);
		check(t, r >= 0);
	} else {
		/* a capture_nr asks for a split device: ADD ignores it */
		t->cmd = c.capture_nr != -1 && chance(t, 80) ?
			 V4L2LOOPBACK_CTL_ADD_SPLIT :
			 chance(t, 90) ? V4L2LOOPBACK_CTL_ADD :
			 V4L2LOOPBACK_CTL_ADD_LEGACY;
		r = xioctl(t, fd, t->cmd, &c, sizeof(c));
	}
	if (r >= 0)
		track_add(r);
}

/* removes one of our devices (any of its numbers), or a number no loopback has */
static void ctl_remove(struct thr *t, int fd)
{
	unsigned long nr;
	int k = -1, r, err;

	pthread_mutex_lock(&added_lock);
	if (nadded && chance(t, 90)) {
		k = rnd(t, nadded);
		nr = chance(t, 50) ? added[k].out : added[k].cap;
		/* hold the lock: nobody else removes it meanwhile */
		t->op = OP_CTL_REMOVE;
		t->cmd = V4L2LOOPBACK_CTL_REMOVE;
		r = ioctl(fd, chance(t, 80) ? V4L2LOOPBACK_CTL_REMOVE :
					      V4L2LOOPBACK_CTL_REMOVE_LEGACY,
			  nr);
		err = errno;
		count(t, r >= 0, err);
		if (r == 0) {
			added[k] = added[--nadded];
			inc(&n_removed);
		} else if (err == EBUSY) {
			inc(&n_remove_busy);
		}
		pthread_mutex_unlock(&added_lock);
		return;
	}
	pthread_mutex_unlock(&added_lock);
	/* V4L2L_MAX_NR is 256: nothing has these numbers */
	nr = chance(t, 50) ? 256 + rnd(t, 1 << 20) : (unsigned long)rnd64(t) | (1ul << 63);
	t->op = OP_CTL_REMOVE;
	t->cmd = V4L2LOOPBACK_CTL_REMOVE;
	r = ioctl(fd, V4L2LOOPBACK_CTL_REMOVE, nr);
	check(t, r >= 0);
}

static void ctl_op(struct thr *t)
{
	struct v4l2_loopback_config c;
	int fd = ctl_fd(t), k;
	uint32_t v;

	if (fd < 0)
		return;
	switch (rnd(t, 10)) {
	case 0:
		t->op = OP_CTL_VERSION;
		xioctl(t, fd, V4L2LOOPBACK_CTL_VERSION, &v, sizeof(v));
		break;
	case 1:
	case 2:
		ctl_add(t, fd);
		break;
	case 3:
	case 4:
		ctl_remove(t, fd);
		break;
	case 5:
	case 6:
		fill_config(t, &c);
		c.output_nr = chance(t, 70) ? (int32_t)rnd(t, 16) :
					      (int32_t)mut32(t, rnd(t, 300));
		c.capture_nr = chance(t, 70) ? -1 : (int32_t)mut32(t, rnd(t, 16));
		t->op = OP_CTL_QUERY;
		xioctl(t, fd, chance(t, 90) ? V4L2LOOPBACK_CTL_QUERY :
					      V4L2LOOPBACK_CTL_QUERY_LEGACY,
		       &c, sizeof(c));
		break;
	default:
		fill_config(t, &c);
		pthread_mutex_lock(&added_lock);
		k = nadded ? (int)rnd(t, nadded) : -1;
		c.output_nr = k >= 0 && chance(t, 90) ? added[k].out :
			      (int32_t)mut32(t, 200 + rnd(t, 56));
		pthread_mutex_unlock(&added_lock);
		c.capture_nr = chance(t, 80) ? -1 - (int)rnd(t, 2) :
					       (int32_t)mut32(t, rnd(t, 256));
		t->op = OP_CTL_ADD_CAPTURE;
		xioctl(t, fd, V4L2LOOPBACK_CTL_ADD_CAPTURE, &c, sizeof(c));
		break;
	}
}

/* ---- sysfs ---- */

static const char *const attrs[] = {
	"format", "buffers", "max_openers", "state", "readers", "frames",
	"name", "dev", "index",
};

#define SYSFS_NODES 32

static int read_attr(int nr, const char *attr)
{
	char path[80], buf[256];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/class/video4linux/video%d/%s", nr,
		 attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

/*
 * Reads a random attribute of a random node (also of nodes that are being
 * added or removed right now), or writes the frame rate or max_openers:
 * valid and invalid values, but never a max_openers below the default.
 */
static void sysfs_op(struct thr *t)
{
	static const char *const rates[] = {
		"@30", "@0", "@1000000", "@30/1001", "@1/0", "@", "30",
		"@4294967295/4294967295", "@-1", "garbage", "@15\n", "",
	};
	char path[80];
	const char *val;
	char num[24];
	int fd, nr = rnd(t, SYSFS_NODES);

	if (chance(t, 85)) {
		t->op = OP_SYSFS_READ;
		check(t, read_attr(nr, attrs[rnd(t, 9)]) >= 0);
		return;
	}
	t->op = OP_SYSFS_WRITE;
	if (chance(t, 60)) {
		snprintf(path, sizeof(path),
			 "/sys/class/video4linux/video%d/format", nr);
		val = rates[rnd(t, sizeof(rates) / sizeof(rates[0]))];
	} else {
		snprintf(path, sizeof(path),
			 "/sys/class/video4linux/video%d/max_openers", nr);
		switch (rnd(t, 4)) {
		case 0:
			val = "0";
			break;
		case 1:
			val = "-5";
			break;
		case 2:
			val = "x";
			break;
		default:
			snprintf(num, sizeof(num), "%u", 256 + rnd(t, 1000));
			val = num;
			break;
		}
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	check(t, write(fd, val, strlen(val)) >= 0);
	close(fd);
}

/*
 * The sysfs reader thread: reads every attribute of the first nodes in a
 * tight loop, so that reads race with nodes being registered (the fuzz
 * threads add devices) and unregistered.
 */
static long sysfs_reads;

static void *sysfs_main(void *arg)
{
	int nr, a;

	(void)arg;
	while (now() < deadline) {
		for (nr = 0; nr < SYSFS_NODES; nr++)
			for (a = 0; a < 6; a++)
				if (read_attr(nr, attrs[a]) >= 0)
					sysfs_reads++;
	}
	return NULL;
}

/* ---- file operations ---- */

static void *rw_buffer(struct thr *t, size_t *len)
{
	switch (rnd(t, 12)) {
	case 0:
		return NULL;
	case 1:
		return t->guard;
	case 2: {
		int i = rnd(t, MAX_MAPS);

		if (t->maps[i].p) {
			*len = t->maps[i].len;
			return t->maps[i].p;
		}
		return t->arena;
	}
	case 3:
		/* runs into the guard page after the arena */
		return t->arena + ARENA_SIZE - (*len > 1 ? rnd(t, *len) : 0);
	default:
		return t->arena;
	}
}

static size_t rw_len(struct thr *t)
{
	switch (rnd(t, 6)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd(t, PAGE);
	case 2:
		return ARENA_SIZE;
	case 3:
		return chance(t, 50) ? (1u << 30) : (size_t)-1 >> 1;
	default:
		return t->sizeimage && t->sizeimage <= ARENA_SIZE ?
			t->sizeimage : PAGE;
	}
}

static void file_op(struct thr *t)
{
	int fd, i;
	size_t len;
	void *buf;

	switch (rnd(t, 13)) {
	case 0:
		open_fd(t);
		break;
	case 1:
		i = rnd(t, MAX_FDS);
		if (t->fds[i] >= 0)
			close_slot(t, i);
		break;
	case 2:
		i = rnd(t, MAX_OFFS);
		if (t->offs[i].len && chance(t, 80)) {
			try_mmap(t, t->offs[i].fd, t->offs[i].off,
				 t->offs[i].len);
		} else {
			fd = video_fd(t);
			if (fd >= 0)
				try_mmap(t, fd, chance(t, 50) ?
					 (uint32_t)rnd64(t) & ~(PAGE - 1) :
					 (1u << 30) + PAGE * rnd(t, 8),
					 PAGE * (1 + rnd(t, 64)));
		}
		break;
	case 3:
		i = rnd(t, MAX_MAPS);
		if (t->maps[i].p)
			drop_map(t, i);
		break;
	case 4:
	case 5:
		for (i = 0; i < 8; i++)
			touch(t);
		break;
	case 6:
		fd = video_fd(t);
		if (fd < 0)
			break;
		len = rw_len(t);
		buf = rw_buffer(t, &len);
		t->op = OP_READ;
		check(t, read(fd, buf, len) >= 0);
		break;
	case 7:
		fd = video_fd(t);
		if (fd < 0)
			break;
		len = rw_len(t);
		buf = rw_buffer(t, &len);
		t->op = OP_WRITE;
		check(t, write(fd, buf, len) >= 0);
		break;
	case 8: {
		struct pollfd pfd;

		fd = video_fd(t);
		if (fd < 0)
			break;
		pfd.fd = fd;
		pfd.events = (short)(chance(t, 70) ?
				     (POLLIN | POLLOUT | POLLPRI) & rnd64(t) :
				     rnd64(t));
		t->op = OP_POLL;
		check(t, poll(&pfd, 1, 0) >= 0);
		break;
	}
	case 9: {
		struct epoll_event ev, out[2];
		int ep;

		fd = video_fd(t);
		if (fd < 0)
			break;
		t->op = OP_EPOLL;
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0)
			break;
		ev.events = (uint32_t)rnd64(t) & (EPOLLIN | EPOLLOUT | EPOLLPRI |
						  EPOLLET | EPOLLRDNORM |
						  EPOLLWRNORM);
		ev.data.fd = fd;
		check(t, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
		check(t, epoll_wait(ep, out, 2, 0) >= 0);
		if (chance(t, 50)) {
			ev.events ^= EPOLLIN | EPOLLPRI;
			check(t, epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0);
			check(t, epoll_wait(ep, out, 2, 0) >= 0);
		}
		close(ep);
		break;
	}
	case 10:
		do_dmabuf_mmap(t);
		break;
	case 11:
		sysfs_op(t);
		break;
	default:
		fd = video_fd(t);
		if (fd >= 0)
			do_expbuf(t, fd);
		break;
	}
}

/* ---- the threads ---- */

static void v4l2_op(struct thr *t)
{
	int fd = video_fd(t);
	unsigned int k;

	if (fd < 0)
		return;
	k = rnd(t, 100);
	if (k < 4) {
		struct v4l2_capability cap;

		rnd_bytes(t, &cap, sizeof(cap));
		t->op = OP_QUERYCAP;
		xioctl(t, fd, VIDIOC_QUERYCAP, &cap, sizeof(cap));
	} else if (k < 8) {
		do_enum(t, fd, OP_ENUM_FMT);
	} else if (k < 11) {
		do_fmt(t, fd, OP_G_FMT);
	} else if (k < 17) {
		do_fmt(t, fd, OP_S_FMT);
	} else if (k < 20) {
		do_fmt(t, fd, OP_TRY_FMT);
	} else if (k < 26) {
		do_reqbufs(t, fd);
	} else if (k < 29) {
		do_create_bufs(t, fd);
	} else if (k < 34) {
		do_buf(t, fd, OP_QUERYBUF);
	} else if (k < 41) {
		do_buf(t, fd, OP_QBUF);
	} else if (k < 47) {
		do_buf(t, fd, OP_DQBUF);
	} else if (k < 49) {
		do_buf(t, fd, OP_PREPARE_BUF);
	} else if (k < 53) {
		do_stream(t, fd, OP_STREAMON);
	} else if (k < 56) {
		do_stream(t, fd, OP_STREAMOFF);
	} else if (k < 58) {
		do_expbuf(t, fd);
	} else if (k < 60) {
		do_parm(t, fd, OP_G_PARM);
	} else if (k < 62) {
		do_parm(t, fd, OP_S_PARM);
	} else if (k < 64) {
		do_ctrl(t, fd, OP_G_CTRL);
	} else if (k < 66) {
		do_ctrl(t, fd, OP_S_CTRL);
	} else if (k < 68) {
		do_queryctrl(t, fd, OP_QUERYCTRL);
	} else if (k < 70) {
		do_queryctrl(t, fd, OP_QUERY_EXT_CTRL);
	} else if (k < 71) {
		do_queryctrl(t, fd, OP_QUERYMENU);
	} else if (k < 72) {
		do_ext_ctrls(t, fd, OP_G_EXT_CTRLS);
	} else if (k < 73) {
		do_ext_ctrls(t, fd, OP_S_EXT_CTRLS);
	} else if (k < 74) {
		do_ext_ctrls(t, fd, OP_TRY_EXT_CTRLS);
	} else if (k < 76) {
		do_enum(t, fd, OP_ENUM_FRAMESIZES);
	} else if (k < 78) {
		do_enum(t, fd, OP_ENUM_FRAMEINTERVALS);
	} else if (k < 80) {
		static const enum op io[] = {
			OP_ENUMINPUT, OP_G_INPUT, OP_S_INPUT, OP_ENUMOUTPUT,
			OP_G_OUTPUT, OP_S_OUTPUT, OP_G_PRIORITY, OP_S_PRIORITY,
		};
		do_enum(t, fd, io[rnd(t, 8)]);
	} else if (k < 83) {
		do_event(t, fd, OP_SUBSCRIBE_EVENT);
	} else if (k < 84) {
		do_event(t, fd, OP_UNSUBSCRIBE_EVENT);
	} else if (k < 87) {
		do_event(t, fd, OP_DQEVENT);
	} else if (k < 88) {
		do_selection(t, fd, chance(t, 50) ? OP_G_SELECTION :
						    OP_S_SELECTION);
	} else if (k < 89) {
		t->op = OP_LOG_STATUS;
		xioctl(t, fd, VIDIOC_LOG_STATUS, NULL, 0);
	} else {
		stream_cycle(t, fd);
	}
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	int i, fd;

	while (now() < deadline && !__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
		for (i = 0; i < 16; i++) {
			unsigned int k = rnd(t, 100);

			t->cmd = 0;
			if (k < 45) {
				v4l2_op(t);
			} else if (k < 55) {
				fd = video_fd(t);
				if (fd >= 0)
					raw_ioctl(t, fd, OP_RAW_V);
			} else if (k < 60) {
				fd = chance(t, 50) ? ctl_fd(t) : video_fd(t);
				if (fd >= 0)
					raw_ioctl(t, fd, OP_RAW_CTL);
			} else if (k < 64) {
				fd = video_fd(t);
				if (fd >= 0)
					raw_ioctl(t, fd, OP_RAW_ANY);
			} else if (k < 70) {
				fd = chance(t, 20) ? ctl_fd(t) : video_fd(t);
				if (fd >= 0)
					raw_ioctl(t, fd, OP_REAL_CMD_RANDOM);
			} else if (k < 76) {
				ctl_op(t);
			} else {
				file_op(t);
			}
		}
	}
	/* leave nothing open or mapped: REMOVE needs every node closed */
	for (i = 0; i < MAX_MAPS; i++)
		if (t->maps[i].p)
			drop_map(t, i);
	for (i = 0; i < MAX_FDS; i++)
		if (t->fds[i] >= 0)
			close_slot(t, i);
	close_dmabufs(t);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint8_t *map_guarded(size_t size)
{
	uint8_t *p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + size, PAGE, PROT_NONE))
		return NULL;
	return p;
}

static void print_report(double elapsed, const char *error)
{
	char name[32];
	long ok = 0;
	int i, first = 1;

	for (i = 0; i < NUM_OPS; i++)
		ok += op_ok[i];
	printf("{\"seed\":%llu,\"threads\":%d,\"duration\":%g,\"elapsed\":%.1f,"
	       "\"calls\":%ld,\"ok\":%ld,\"errnos\":{",
	       (unsigned long long)seed, nthreads, duration, elapsed, calls, ok);
	for (i = 1; i < MAX_ERRNO; i++) {
		const char *n = strerrorname_np(i);

		if (!errnos[i])
			continue;
		if (!n) {
			snprintf(name, sizeof(name), "E%d", i);
			n = name;
		}
		printf("%s\"%s\":%ld", first ? "" : ",", n, errnos[i]);
		first = 0;
	}
	printf("},\"ops\":{");
	for (i = 0; i < NUM_OPS; i++)
		printf("%s\"%s\":[%ld,%ld]", i ? "," : "", op_names[i],
		       op_ok[i], op_err[i]);
	printf("},\"streamCycles\":%ld,\"framesWritten\":%ld,"
	       "\"dqbufs\":%ld,\"touches\":%ld,\"added\":%ld,"
	       "\"addedByRawIoctl\":%ld,\"removed\":%ld,\"removeBusy\":%ld,"
	       "\"leftover\":%d,\"sysfsReads\":%ld",
	       stream_cycles, frames_written, frames_dqbuf, touches, n_added,
	       n_untracked_add, n_removed, n_remove_busy, nadded, sysfs_reads);
	printf(",\"oddErrnos\":[");
	for (i = 0; i < nodd; i++)
		printf("%s{\"op\":\"%s\",\"cmd\":\"0x%lx\",\"errno\":%d,\"count\":%ld}",
		       i ? "," : "", op_names[odd[i].op], odd[i].cmd, odd[i].err,
		       odd[i].n);
	printf("]");
	if (error)
		printf(",\"error\":\"%s\"", error);
	printf("}\n");
	fflush(stdout);
}

/*
 * A crash of the fuzzer itself (a mapping that vanished under a touch, the
 * kernel writing through a pointer it should have refused...): say which
 * thread, doing what, at which address, so the seed can be chased.
 */
static void crash_report(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int i, n;

	(void)uc;
	for (i = 0; i < nthreads; i++)
		if (pthread_equal(threads[i].tid, pthread_self()))
			break;
	n = snprintf(msg, sizeof(msg),
		     "v4l2l-fuzz: thread %d got signal %d (code %d) at %p in %s (cmd 0x%lx)\n",
		     i < nthreads ? i : -1, sig, si->si_code, si->si_addr,
		     i < nthreads ? op_names[threads[i].op] : "main",
		     i < nthreads ? threads[i].cmd : 0ul);
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_crashes(void)
{
	static uint8_t altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_report;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaltstack(&ss, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

int main(int argc, char **argv)
{
	double start, grace_end;
	pthread_t sysfs_tid;
	int opt, i, fd, tries, stuck;

	while ((opt = getopt(argc, argv, "s:t:j:c:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			duration = atof(optarg);
			break;
		case 'j':
			nthreads = atoi(optarg);
			break;
		case 'c':
			ctl_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-j THREADS] [-c CTLDEV] /dev/videoN...\n",
				argv[0]);
			return 2;
		}
	}
	for (i = optind; i < argc && npaths < MAX_PATHS; i++)
		paths[npaths++] = argv[i];
	if (!npaths || nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "need 1-%d threads and at least one video node\n",
			MAX_THREADS);
		return 2;
	}
	fprintf(stderr, "v4l2l-fuzz: seed %llu, %d threads, %g s\n",
		(unsigned long long)seed, nthreads, duration);
	signal(SIGPIPE, SIG_IGN);
	catch_crashes();

	start = now();
	deadline = start + duration;
	for (i = 0; i < nthreads; i++) {
		struct thr *t = &threads[i];
		uint64_t s = seed + (uint64_t)i * 0x1000193;

		t->id = i;
		t->rng = splitmix(&s) | 1;
		memset(t->fds, -1, sizeof(t->fds));
		memset(t->dmabufs, -1, sizeof(t->dmabufs));
		t->arena = map_guarded(ARENA_SIZE);
		t->scratch = map_guarded(SCRATCH_SIZE);
		if (!t->arena || !t->scratch) {
			perror("mmap");
			return 1;
		}
		t->guard = t->scratch + SCRATCH_SIZE;
		rnd_bytes(t, t->arena, ARENA_SIZE);
		if (pthread_create(&t->tid, NULL, thread_main, t)) {
			perror("pthread_create");
			return 1;
		}
	}

	if (pthread_create(&sysfs_tid, NULL, sysfs_main, NULL)) {
		perror("pthread_create");
		return 1;
	}

	/* watchdog: every thread must finish soon after the deadline */
	grace_end = deadline + 30;
	for (;;) {
		for (stuck = 0, i = 0; i < nthreads; i++)
			stuck += !__atomic_load_n(&threads[i].done,
						  __ATOMIC_ACQUIRE);
		if (!stuck || now() > grace_end)
			break;
		usleep(100000);
	}
	if (stuck) {
		for (i = 0; i < nthreads; i++)
			if (!threads[i].done)
				fprintf(stderr, "thread %d stuck in %s (cmd 0x%lx)\n",
					i, op_names[threads[i].op],
					threads[i].cmd);
		print_report(now() - start, "threads stuck after the deadline");
		_exit(3);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i].tid, NULL);
	pthread_join(sysfs_tid, NULL);

	/* remove every device this run added (all fds are closed now) */
	fd = open(ctl_path, O_RDWR | O_CLOEXEC);
	for (tries = 0; fd >= 0 && nadded && tries < 50; tries++) {
		for (i = 0; i < nadded;) {
			if (ioctl(fd, V4L2LOOPBACK_CTL_REMOVE,
				  (unsigned long)added[i].out) == 0 ||
			    errno == ENODEV) {
				added[i] = added[--nadded];
				n_removed++;
			} else {
				i++;
			}
		}
		if (nadded)
			usleep(100000);
	}
	if (fd >= 0)
		close(fd);
	print_report(now() - start, nadded ? "devices left behind" : NULL);
	return nadded ? 4 : 0;
}
