// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-limits - requests against a device's memory budget and buffer
 * limits; prints one JSON object: case name -> {"errno":N,...} (0 =
 * success) with what the driver answered. The test asserts on it.
 *
 * usage: v4l2l-limits single -o /dev/videoOUT [-c /dev/videoCAP]
 *            oversize formats, huge REQBUFS counts, CREATE_BUFS with huge
 *            or tiny sizeimage, write() of a frame that cannot fit, and
 *            with -c read(), poll() and REQBUFS of a consumer of it
 *        v4l2l-limits tiny -o /dev/videoOUT
 *            REQBUFS at the default and at a small format (for a budget
 *            of 1 MiB)
 *        v4l2l-limits consumers -o /dev/videoOUT -c /dev/videoCAP
 *            a producer and consumers of 1920x1080 BGR32 frames whose
 *            buffers together exceed the budget; one frame through them
 *        v4l2l-limits maxbufs -o /dev/videoOUT
 *            REQBUFS and CREATE_BUFS beyond the device's max_buffers
 *        v4l2l-limits orphans -o /dev/videoOUT -n ROUNDS
 *            REQBUFS, mmap, REQBUFS(0) with the buffers still mapped,
 *            ROUNDS times; vmalloc bytes of vb2 buffers while mapped and
 *            after munmap (from /proc/vmallocinfo)
 *        v4l2l-limits ramcap -o /dev/videoOUT
 *            REQBUFS 32 of 8192x8192 BGR32 (256 MiB each)
 *        v4l2l-limits expbuf -o /dev/videoOUT -O /dev/videoOUT2
 *                            -c /dev/videoCAP2 [-C /dev/v4l2loopback] [-U]
 *            exports a buffer of OUT as a dma-buf, closes OUT and REMOVEs
 *            its device, then uses the dma-buf: mmap, and as the DMABUF
 *            buffer of a producer on OUT2 whose frame CAP2 receives; -U:
 *            unloads the module instead and maps the dma-buf again
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
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int first = 1;

static void out(const char *name, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void out(const char *name, int err, const char *fmt, ...)
{
	va_list ap;

	printf("%s\"%s\":{\"errno\":%d", first ? "{" : ",", name, err);
	first = 0;
	if (fmt) {
		printf(",");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("}");
	fflush(stdout);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_NONBLOCK);

	if (fd < 0) {
		printf("{\"error\":\"open %s\",\"errno\":%d}\n", path, errno);
		exit(1);
	}
	return fd;
}

static int set_fmt(int fd, uint32_t type, uint32_t w, uint32_t h, uint32_t fcc,
		   struct v4l2_format *f)
{
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->fmt.pix.width = w;
	f->fmt.pix.height = h;
	f->fmt.pix.pixelformat = fcc;
	return xioctl(fd, VIDIOC_S_FMT, f);
}

static int reqbufs(int fd, uint32_t type, uint32_t memory, uint32_t count,
		   uint32_t *got)
{
	struct v4l2_requestbuffers r = {
		.count = count, .type = type, .memory = memory,
	};
	int err = xioctl(fd, VIDIOC_REQBUFS, &r);

	/* a failed REQBUFS may leave count as asked */
	*got = err ? 0 : r.count;
	return err;
}

static int create_bufs(int fd, uint32_t type, uint32_t count,
		       uint32_t sizeimage, const struct v4l2_format *f,
		       uint32_t *got, uint32_t *index)
{
	struct v4l2_create_buffers c;
	int err;

	memset(&c, 0, sizeof(c));
	c.count = count;
	c.memory = V4L2_MEMORY_MMAP;
	c.format = *f;
	c.format.type = type;
	c.format.fmt.pix.sizeimage = sizeimage;
	err = xioctl(fd, VIDIOC_CREATE_BUFS, &c);
	*got = err ? 0 : c.count;
	*index = c.index;
	return err;
}

static void single(const char *outdev, const char *capdev)
{
	struct v4l2_format f;
	uint32_t n, idx;
	char *buf;
	int fd = open_dev(outdev), err;

	/* the largest frame: 256 MiB, more than the test's budget */
	err = set_fmt(fd, OUT, 8192, 8192, V4L2_PIX_FMT_BGR32, &f);
	out("fmt_8k", err, "\"width\":%u,\"height\":%u,\"sizeimage\":%u",
	    f.fmt.pix.width, f.fmt.pix.height, f.fmt.pix.sizeimage);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 2, &n);
	out("reqbufs_8k", err, "\"count\":%u", n);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 1, &n);
	out("reqbufs_8k_one", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, f.fmt.pix.sizeimage, &f, &n, &idx);
	out("create_bufs_8k", err, "\"count\":%u", n);
	if (capdev) {
		/* consumers of such frames: read() and poll() start read
		 * emulation, whose buffers cannot fit either
		 */
		int c = open_dev(capdev);
		struct pollfd pf = { .fd = c, .events = POLLIN };
		char b;

		err = read(c, &b, 1) < 0 ? errno : 0;
		out("read_8k", err, NULL);
		err = poll(&pf, 1, 100) < 0 ? errno : 0;
		out("poll_8k", err, "\"revents\":%d", pf.revents);
		err = reqbufs(c, CAP, V4L2_MEMORY_MMAP, 2, &n);
		out("consumer_reqbufs_8k", err, "\"count\":%u", n);
		close(c);
	}
	/* write() stages a whole frame: it cannot fit either */
	buf = calloc(1, 65536);
	err = write(fd, buf, 65536) < 0 ? errno : 0;
	out("write_8k", err, NULL);
	free(buf);
	/* oversize requests are adjusted, never refused (S_FMT rules) */
	err = set_fmt(fd, OUT, 1u << 31, 1u << 31, V4L2_PIX_FMT_BGR32, &f);
	out("fmt_2g", err, "\"width\":%u,\"height\":%u", f.fmt.pix.width,
	    f.fmt.pix.height);

	/* 1920x1080 BGR32: 7.9 MiB, eight of them fit in 64 MiB */
	err = set_fmt(fd, OUT, 1920, 1080, V4L2_PIX_FMT_BGR32, &f);
	out("fmt_1080p", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0xffffffffu, &n);
	out("reqbufs_count_u32max", err, "\"count\":%u", n);
	reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 1000, &n);
	out("reqbufs_count_1000", err, "\"count\":%u", n);
	reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);

	err = create_bufs(fd, OUT, 1, 0xffffffffu, &f, &n, &idx);
	out("create_bufs_u32max", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, 0xfffff001u, &f, &n, &idx);
	out("create_bufs_wraps_page_align", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, 0x80000000u, &f, &n, &idx);
	out("create_bufs_2g", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, (64u << 20) + 1, &f, &n, &idx);
	out("create_bufs_budget_plus_1", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, 100, &f, &n, &idx);
	out("create_bufs_tiny", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 0xffffffffu, f.fmt.pix.sizeimage, &f, &n, &idx);
	out("create_bufs_count_u32max", err, "\"count\":%u,\"index\":%u", n, idx);
	err = create_bufs(fd, OUT, 1, f.fmt.pix.sizeimage, &f, &n, &idx);
	out("create_bufs_when_full", err, "\"count\":%u", n);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);
	out("reqbufs_free", err, NULL);

	/* USERPTR: the count is bounded too; a bogus pointer is refused */
	err = reqbufs(fd, OUT, V4L2_MEMORY_USERPTR, 0xffffffffu, &n);
	out("reqbufs_userptr_u32max", err, "\"count\":%u", n);
	if (!err) {
		struct v4l2_buffer b = {
			.index = 0, .type = OUT, .memory = V4L2_MEMORY_USERPTR,
			.length = f.fmt.pix.sizeimage,
			.bytesused = f.fmt.pix.sizeimage,
		};

		b.m.userptr = 0x1000;
		err = xioctl(fd, VIDIOC_QBUF, &b);
		out("qbuf_userptr_bogus", err, NULL);
		reqbufs(fd, OUT, V4L2_MEMORY_USERPTR, 0, &n);
	}
	close(fd);
	printf("}\n");
}

struct queue {
	int fd;
	uint32_t count;
	void *maps[32];
	size_t len;
};

static int map_all(struct queue *q, uint32_t type, int prot)
{
	uint32_t i;

	for (i = 0; i < q->count && i < 32; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = type, .memory = V4L2_MEMORY_MMAP,
		};

		if (xioctl(q->fd, VIDIOC_QUERYBUF, &b))
			return errno;
		q->len = b.length;
		q->maps[i] = mmap(NULL, b.length, prot, MAP_SHARED, q->fd,
				  b.m.offset);
		if (q->maps[i] == MAP_FAILED)
			return errno;
	}
	return 0;
}

static int queue_all_on(struct queue *q)
{
	int type = CAP;
	uint32_t i;

	for (i = 0; i < q->count; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = CAP, .memory = V4L2_MEMORY_MMAP,
		};
		int err = xioctl(q->fd, VIDIOC_QBUF, &b);

		if (err)
			return err;
	}
	return xioctl(q->fd, VIDIOC_STREAMON, &type);
}

static int got_frame(struct queue *q)
{
	struct v4l2_buffer b = { .type = CAP, .memory = V4L2_MEMORY_MMAP };

	return xioctl(q->fd, VIDIOC_DQBUF, &b);
}

static void consumers(const char *outdev, const char *capdev)
{
	struct queue p = { 0 }, c[3];
	struct v4l2_format f;
	struct v4l2_buffer b = {
		.index = 0, .type = OUT, .memory = V4L2_MEMORY_MMAP,
	};
	int err, i, type = OUT;

	memset(c, 0, sizeof(c));
	p.fd = open_dev(outdev);
	err = set_fmt(p.fd, OUT, 1920, 1080, V4L2_PIX_FMT_BGR32, &f);
	out("fmt", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	err = reqbufs(p.fd, OUT, V4L2_MEMORY_MMAP, 3, &p.count);
	out("producer_reqbufs", err, "\"count\":%u", p.count);
	err = map_all(&p, OUT, PROT_READ | PROT_WRITE);
	out("producer_mmap", err, NULL);

	/* each consumer asks for 4; what is left of the budget is shared out */
	for (i = 0; i < 3; i++) {
		char name[32];

		c[i].fd = open_dev(capdev);
		err = reqbufs(c[i].fd, CAP, V4L2_MEMORY_MMAP, 4, &c[i].count);
		snprintf(name, sizeof(name), "consumer%d_reqbufs", i);
		out(name, err, "\"count\":%u", c[i].count);
		if (err)
			continue;
		err = map_all(&c[i], CAP, PROT_READ);
		if (!err)
			err = queue_all_on(&c[i]);
		snprintf(name, sizeof(name), "consumer%d_stream", i);
		out(name, err, NULL);
	}

	/* one frame from the producer reaches every consumer with buffers */
	memset(p.maps[0], 0x5a, p.len);
	b.bytesused = f.fmt.pix.sizeimage;
	err = xioctl(p.fd, VIDIOC_QBUF, &b);
	if (!err)
		err = xioctl(p.fd, VIDIOC_STREAMON, &type);
	out("producer_frame", err, NULL);
	usleep(200000);
	for (i = 0; i < 3; i++) {
		char name[32];

		if (!c[i].count)
			continue;
		snprintf(name, sizeof(name), "consumer%d_frame", i);
		err = got_frame(&c[i]);
		out(name, err, "\"first\":%u", ((uint8_t *)c[i].maps[0])[0]);
	}

	/* the second consumer leaves: the third one gets buffers now */
	for (i = 0; i < 32; i++)
		if (c[1].maps[i])
			munmap(c[1].maps[i], c[1].len);
	close(c[1].fd);
	err = reqbufs(c[2].fd, CAP, V4L2_MEMORY_MMAP, 4, &c[2].count);
	out("consumer2_reqbufs_after_close", err, "\"count\":%u", c[2].count);
	printf("}\n");
}

static void tiny(const char *outdev)
{
	struct v4l2_format f = { .type = OUT };
	uint32_t n;
	int fd = open_dev(outdev), err;

	err = xioctl(fd, VIDIOC_G_FMT, &f);
	out("fmt_default", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 4, &n);
	out("reqbufs_default", err, "\"count\":%u", n);
	err = set_fmt(fd, OUT, 320, 240, V4L2_PIX_FMT_YUYV, &f);
	out("fmt_small", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 32, &n);
	out("reqbufs_small", err, "\"count\":%u", n);
	close(fd);
	printf("}\n");
}

static void maxbufs(const char *outdev)
{
	struct v4l2_format f;
	uint32_t n, idx;
	int fd = open_dev(outdev), err;

	err = set_fmt(fd, OUT, 320, 240, V4L2_PIX_FMT_YUYV, &f);
	out("fmt", err, NULL);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 8, &n);
	out("reqbufs_8", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 1, f.fmt.pix.sizeimage, &f, &n, &idx);
	out("create_bufs_beyond", err, "\"count\":%u", n);
	reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 1, &n);
	out("reqbufs_1", err, "\"count\":%u", n);
	err = create_bufs(fd, OUT, 100, f.fmt.pix.sizeimage, &f, &n, &idx);
	out("create_bufs_100", err, "\"count\":%u,\"index\":%u", n, idx);
	close(fd);
	printf("}\n");
}

/* bytes of the vmalloc areas that videobuf2-vmalloc allocated */
static long long vb2_vmalloc_bytes(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[512];
	long long sum = 0, size;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "vb2_vmalloc") &&
		    sscanf(line, "%*s %lld", &size) == 1)
			sum += size;
	fclose(f);
	return sum;
}

static void orphans(const char *outdev, int rounds)
{
	struct queue q[64];
	struct v4l2_format f;
	long long before = vb2_vmalloc_bytes(), mapped;
	uint32_t n;
	int fd = open_dev(outdev), err, i, j, total = 0;

	if (rounds > 64)
		rounds = 64;
	memset(q, 0, sizeof(q));
	err = set_fmt(fd, OUT, 1920, 1080, V4L2_PIX_FMT_BGR32, &f);
	out("fmt", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	for (i = 0; i < rounds; i++) {
		char name[32];

		q[i].fd = fd;
		err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 8, &q[i].count);
		if (!err)
			err = map_all(&q[i], OUT, PROT_READ | PROT_WRITE);
		/* free the buffers while they stay mapped (orphans) */
		if (!err)
			err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);
		snprintf(name, sizeof(name), "round%d", i);
		out(name, err, "\"count\":%u", q[i].count);
		if (err)
			break;
		total += q[i].count;
	}
	mapped = vb2_vmalloc_bytes();
	for (i = 0; i < rounds; i++)
		for (j = 0; j < 32; j++)
			if (q[i].maps[j] && q[i].maps[j] != MAP_FAILED)
				munmap(q[i].maps[j], q[i].len);
	out("vmalloc", 0, "\"before\":%lld,\"mapped\":%lld,\"unmapped\":%lld,"
	    "\"buffers\":%d,\"sizeimage\":%u",
	    before, mapped, vb2_vmalloc_bytes(), total, f.fmt.pix.sizeimage);
	close(fd);
	printf("}\n");
}

static void ramcap(const char *outdev)
{
	struct v4l2_format f;
	uint32_t n;
	int fd = open_dev(outdev), err;

	err = set_fmt(fd, OUT, 8192, 8192, V4L2_PIX_FMT_BGR32, &f);
	out("fmt_8k", err, "\"sizeimage\":%u", f.fmt.pix.sizeimage);
	err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 32, &n);
	out("reqbufs_8k_32", err, "\"count\":%u", n);
	reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 0, &n);
	close(fd);
	printf("}\n");
}

static int node_nr(const char *path)
{
	const char *p = strstr(path, "video");

	return p ? atoi(p + 5) : -1;
}

static void expbuf(const char *outdev, const char *out2dev,
		   const char *cap2dev, const char *ctldev, int unload)
{
	struct v4l2_format f;
	struct v4l2_exportbuffer e = {
		.type = OUT, .index = 0, .flags = O_RDWR | O_CLOEXEC,
	};
	struct queue c = { 0 };
	uint32_t n;
	uint8_t *m;
	int fd = open_dev(outdev), ctl, p2, err, dfd = -1, type = OUT;
	size_t size;

	err = set_fmt(fd, OUT, 320, 240, V4L2_PIX_FMT_YUYV, &f);
	size = f.fmt.pix.sizeimage;
	if (!err)
		err = reqbufs(fd, OUT, V4L2_MEMORY_MMAP, 2, &n);
	if (!err)
		err = xioctl(fd, VIDIOC_EXPBUF, &e);
	out("expbuf", err, NULL);
	if (err) {
		printf("}\n");
		return;
	}
	dfd = e.fd;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	out("dmabuf_mmap", m == MAP_FAILED ? errno : 0, NULL);
	if (m != MAP_FAILED) {
		memset(m, 0x77, size);
		munmap(m, size);
	}
	/* the exporter goes away: its file, then its device */
	close(fd);
	ctl = open(ctldev, O_RDWR);
	err = ctl < 0 ? errno :
	      ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, node_nr(outdev)) ? errno : 0;
	out("remove_exporter", err, NULL);
	if (ctl >= 0)
		close(ctl);

	/* the dma-buf lives on */
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
	out("dmabuf_mmap_after_remove", m == MAP_FAILED ? errno : 0,
	    "\"first\":%d", m == MAP_FAILED ? -1 : m[0]);
	if (m != MAP_FAILED)
		munmap(m, size);
	if (unload) {
		/* even without the module */
		err = system("rmmod v4l2loopback");
		out("rmmod", err, NULL);
		m = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
		out("dmabuf_mmap_after_rmmod", m == MAP_FAILED ? errno : 0,
		    "\"first\":%d,\"last\":%d", m == MAP_FAILED ? -1 : m[0],
		    m == MAP_FAILED ? -1 : m[size - 1]);
		if (m != MAP_FAILED)
			munmap(m, size);
		close(dfd);
		printf("}\n");
		return;
	}

	/* and feeds another device as a DMABUF output buffer */
	c.fd = open_dev(cap2dev);
	p2 = open_dev(out2dev);
	err = set_fmt(p2, OUT, 320, 240, V4L2_PIX_FMT_YUYV, &f);
	if (!err)
		err = reqbufs(c.fd, CAP, V4L2_MEMORY_MMAP, 2, &c.count);
	if (!err)
		err = map_all(&c, CAP, PROT_READ);
	if (!err)
		err = queue_all_on(&c);
	out("consumer", err, NULL);
	err = reqbufs(p2, OUT, V4L2_MEMORY_DMABUF, 1, &n);
	if (!err) {
		/* a plane longer than the dma-buf: refused, and nothing leaks */
		struct v4l2_buffer big = {
			.index = 0, .type = OUT, .memory = V4L2_MEMORY_DMABUF,
			.bytesused = size, .length = size + 4096,
		};

		big.m.fd = dfd;
		out("dmabuf_too_short", xioctl(p2, VIDIOC_QBUF, &big), NULL);
	}
	if (!err) {
		struct v4l2_buffer b = {
			.index = 0, .type = OUT, .memory = V4L2_MEMORY_DMABUF,
			.bytesused = size, .length = size,
		};

		b.m.fd = dfd;
		err = xioctl(p2, VIDIOC_QBUF, &b);
		if (!err)
			err = xioctl(p2, VIDIOC_STREAMON, &type);
	}
	out("dmabuf_producer", err, NULL);
	usleep(200000);
	err = got_frame(&c);
	out("consumer_frame", err, "\"first\":%d",
	    c.maps[0] ? ((uint8_t *)c.maps[0])[0] : -1);
	close(p2);
	close(c.fd);
	close(dfd);
	printf("}\n");
}

int main(int argc, char **argv)
{
	const char *outdev = NULL, *capdev = NULL, *mode;
	const char *out2dev = NULL, *ctldev = "/dev/v4l2loopback";
	int rounds = 8, unload = 0, opt;

	if (argc < 2)
		return 2;
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "o:c:n:O:C:U")) != -1) {
		switch (opt) {
		case 'U': unload = 1; break;
		case 'O': out2dev = optarg; break;
		case 'C': ctldev = optarg; break;
		case 'o': outdev = optarg; break;
		case 'c': capdev = optarg; break;
		case 'n': rounds = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!outdev)
		return 2;
	if (!strcmp(mode, "single"))
		single(outdev, capdev);
	else if (!strcmp(mode, "consumers") && capdev)
		consumers(outdev, capdev);
	else if (!strcmp(mode, "tiny"))
		tiny(outdev);
	else if (!strcmp(mode, "maxbufs"))
		maxbufs(outdev);
	else if (!strcmp(mode, "orphans"))
		orphans(outdev, rounds);
	else if (!strcmp(mode, "ramcap"))
		ramcap(outdev);
	else if (!strcmp(mode, "expbuf") && out2dev && capdev)
		expbuf(outdev, out2dev, capdev, ctldev, unload);
	else
		return 2;
	return 0;
}
