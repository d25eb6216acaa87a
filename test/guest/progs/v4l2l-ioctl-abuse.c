// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-ioctl-abuse - feeds bad input to the control device and to a video
 * node and prints one JSON object: for each case the errno (0 = success)
 * and the values the driver answered with. The test asserts on them.
 *
 * usage: v4l2l-ioctl-abuse [-c /dev/v4l2loopback]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

static int first = 1;

static void out(const char *name, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
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
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

static void cfg_init(struct v4l2_loopback_config *c)
{
	memset(c, 0, sizeof(*c));
	c->output_nr = -1;
	c->capture_nr = -1;
	c->announce_all_caps = -1;
}

/* ADD, or ADD_SPLIT when the config asks for a capture node */
static int add(int ctl, struct v4l2_loopback_config *c, int *nr)
{
	int r = ioctl(ctl, c->capture_nr == -1 ? V4L2LOOPBACK_CTL_ADD :
			   V4L2LOOPBACK_CTL_ADD_SPLIT, c);

	if (r < 0)
		return errno;
	*nr = r;
	return 0;
}

static void video_cases(int nr)
{
	char path[32];
	struct v4l2_format f;
	struct v4l2_streamparm p;
	struct v4l2_requestbuffers rb;
	struct v4l2_create_buffers cb;
	int fd, err;

	snprintf(path, sizeof(path), "/dev/video%d", nr);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		out("video_open", errno, NULL);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	err = xioctl(fd, VIDIOC_S_FMT, &f);
	out("fmt_zero_size", err, "\"width\":%u,\"height\":%u", f.fmt.pix.width,
	    f.fmt.pix.height);

	f.fmt.pix.width = 100000;
	f.fmt.pix.height = 100000;
	err = xioctl(fd, VIDIOC_S_FMT, &f);
	out("fmt_oversize", err, "\"width\":%u,\"height\":%u,\"sizeimage\":%u",
	    f.fmt.pix.width, f.fmt.pix.height, f.fmt.pix.sizeimage);

	f.fmt.pix.width = 1;
	f.fmt.pix.height = 1;
	err = xioctl(fd, VIDIOC_S_FMT, &f);
	out("fmt_tiny", err, "\"width\":%u,\"height\":%u", f.fmt.pix.width,
	    f.fmt.pix.height);

	f.fmt.pix.width = 320;
	f.fmt.pix.height = 240;
	f.fmt.pix.pixelformat = v4l2_fourcc('Z', 'Z', 'Z', 'Z');
	err = xioctl(fd, VIDIOC_S_FMT, &f);
	out("fmt_unknown_fourcc", err, "\"pixelformat\":\"%.4s\"",
	    (char *)&f.fmt.pix.pixelformat);

	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	err = xioctl(fd, VIDIOC_S_PARM, &p);
	out("fps_zero", err, "\"num\":%u,\"den\":%u",
	    p.parm.output.timeperframe.numerator,
	    p.parm.output.timeperframe.denominator);
	p.parm.output.timeperframe.numerator = 1;
	p.parm.output.timeperframe.denominator = 1000000;
	err = xioctl(fd, VIDIOC_S_PARM, &p);
	out("fps_1e6", err, "\"num\":%u,\"den\":%u",
	    p.parm.output.timeperframe.numerator,
	    p.parm.output.timeperframe.denominator);

	/* the biggest frame (8192x8192, 32 bpp): 256 MiB per buffer */
	f.fmt.pix.width = 8192;
	f.fmt.pix.height = 8192;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_BGR32;
	err = xioctl(fd, VIDIOC_S_FMT, &f);
	memset(&rb, 0, sizeof(rb));
	rb.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	rb.memory = V4L2_MEMORY_MMAP;
	rb.count = 32;
	err = xioctl(fd, VIDIOC_REQBUFS, &rb);
	out("reqbufs_huge", err, "\"count\":%u,\"sizeimage\":%u", rb.count,
	    f.fmt.pix.sizeimage);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);

	/* a size that wraps to 0 when page-aligned in 32 bits */
	memset(&cb, 0, sizeof(cb));
	cb.count = 1;
	cb.memory = V4L2_MEMORY_MMAP;
	cb.format.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	xioctl(fd, VIDIOC_G_FMT, &cb.format);
	cb.format.fmt.pix.sizeimage = 0xfffffffe;
	err = xioctl(fd, VIDIOC_CREATE_BUFS, &cb);
	out("create_bufs_u32_max", err, "\"count\":%u", cb.count);

	err = xioctl(fd, _IOWR('V', 250, struct v4l2_format), &f);
	out("video_unknown_ioctl", err, NULL);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *ctlpath = "/dev/v4l2loopback";
	struct v4l2_loopback_config c;
	__u32 version = 0;
	int ctl, err, nr = -1, nr2 = -1, fd;
	char label[40];

	if (argc > 2 && !strcmp(argv[1], "-c"))
		ctlpath = argv[2];
	ctl = open(ctlpath, O_RDWR);
	if (ctl < 0) {
		printf("{\"error\":\"open %s\",\"errno\":%d}\n", ctlpath, errno);
		return 1;
	}

	err = xioctl(ctl, V4L2LOOPBACK_CTL_VERSION, &version);
	out("version", err, "\"value\":%u", version);

	/* clamped to 32, as the classic module does since 0.15.4 */
	cfg_init(&c);
	c.max_buffers = 1000;
	err = add(ctl, &c, &nr);
	out("add_max_buffers_1000", err, "\"nr\":%d", nr);
	if (!err) {
		cfg_init(&c);
		c.output_nr = nr;
		err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
		out("query_max_buffers", err, "\"max_buffers\":%d",
		    c.max_buffers);
		ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr);
	}

	/*
	 * The classic v4l2loopback-ctl leaves the second field ("unused")
	 * uninitialised on ADD: whatever it holds, ADD makes a combined node.
	 */
	cfg_init(&c);
	c.unused = 0x7ffd1234;
	nr = ioctl(ctl, V4L2LOOPBACK_CTL_ADD, &c);
	out("add_classic_garbage", nr < 0 ? errno : 0, "\"nr\":%d", nr);
	if (nr >= 0) {
		cfg_init(&c);
		c.output_nr = nr;
		c.unused = 3;
		err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
		out("query_classic_garbage", err,
		    "\"output_nr\":%d,\"capture_nr\":%d", c.output_nr,
		    c.capture_nr);
		ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr);
	}

	cfg_init(&c);
	c.max_width = 100000;
	err = add(ctl, &c, &nr);
	out("add_max_width_100000", err, NULL);

	cfg_init(&c);
	c.min_width = 640;
	c.max_width = 320;
	err = add(ctl, &c, &nr);
	out("add_min_gt_max", err, NULL);

	cfg_init(&c);
	c.capture_nr = -7;
	err = add(ctl, &c, &nr);
	out("add_bad_capture_nr", err, NULL);

	/* a label filling all 32 bytes, without a terminating NUL */
	cfg_init(&c);
	memset(c.card_label, 'A', sizeof(c.card_label));
	err = add(ctl, &c, &nr);
	out("add_unterminated_label", err, "\"nr\":%d", nr);
	if (!err) {
		cfg_init(&c);
		c.output_nr = nr;
		err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
		memcpy(label, c.card_label, sizeof(c.card_label));
		label[sizeof(c.card_label)] = '\0';
		out("query_label", err, "\"length\":%zu", strlen(label));

		cfg_init(&c);
		c.output_nr = nr;
		err = add(ctl, &c, &nr2);
		out("add_existing_nr", err, NULL);

		video_cases(nr);

		{
			char path[32];

			snprintf(path, sizeof(path), "/dev/video%d", nr);
			fd = open(path, O_RDWR);
		}
		err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr) < 0 ? errno : 0;
		out("remove_busy", err, NULL);
		if (fd >= 0)
			close(fd);
		err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr) < 0 ? errno : 0;
		out("remove", err, NULL);
		err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr) < 0 ? errno : 0;
		out("remove_again", err, NULL);
	}

	err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, 255) < 0 ? errno : 0;
	out("remove_missing", err, NULL);

	cfg_init(&c);
	c.output_nr = 254;
	err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
	out("query_missing", err, NULL);

	/* the classic tool's zeroed QUERY of a number that is no loopback */
	memset(&c, 0, sizeof(c));
	c.output_nr = 253;
	err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
	out("query_missing_zeroed", err, NULL);

	cfg_init(&c);
	c.output_nr = 40;
	c.capture_nr = 40;
	err = add(ctl, &c, &nr);
	out("add_split_same_nr", err, NULL);

	err = ioctl(ctl, V4L2LOOPBACK_CTL_QUERY, NULL) < 0 ? errno : 0;
	out("query_null", err, NULL);

	/* the legacy raw numbers */
	cfg_init(&c);
	nr = ioctl(ctl, V4L2LOOPBACK_CTL_ADD_LEGACY, &c);
	out("legacy_add", nr < 0 ? errno : 0, "\"nr\":%d", nr);
	if (nr >= 0) {
		cfg_init(&c);
		c.output_nr = nr;
		err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY_LEGACY, &c);
		out("legacy_query", err, "\"output_nr\":%d,\"capture_nr\":%d",
		    c.output_nr, c.capture_nr);
		err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE_LEGACY, nr) < 0 ? errno : 0;
		out("legacy_remove", err, NULL);
	}

	/* split device, and one more capture node */
	cfg_init(&c);
	c.capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
	err = add(ctl, &c, &nr);
	out("add_split", err, "\"nr\":%d", nr);
	if (!err) {
		cfg_init(&c);
		c.output_nr = nr;
		err = xioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
		out("query_split", err, "\"output_nr\":%d,\"capture_nr\":%d",
		    c.output_nr, c.capture_nr);
		cfg_init(&c);
		c.output_nr = nr;
		c.capture_nr = -1;
		nr2 = ioctl(ctl, V4L2LOOPBACK_CTL_ADD_CAPTURE, &c);
		out("add_capture", nr2 < 0 ? errno : 0, "\"nr\":%d", nr2);
		err = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, nr2) < 0 ? errno : 0;
		out("remove_split_by_capture", err, NULL);
	}

	err = xioctl(ctl, _IOW('~', 42, int), &nr);
	out("ctl_unknown_ioctl", err, NULL);
	printf("}\n");
	close(ctl);
	return 0;
}
