// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-infoleak - checks that no ioctl of the loopback copies kernel memory
 * out (torture suite, test/torture/infoleak.test.ts). Every ioctl that
 * copies a struct back to userspace runs twice: once with its argument
 * filled with the byte 0xA5, once with 0x5A, each time with only the input
 * fields the API requires set (and the same state around it: each case
 * opens, sets up and closes its own files). A byte that differs between
 * the two runs and is not the fill pattern in either run did not come from
 * userspace: it is kernel memory, unless it is a field that legitimately
 * changes (timestamps; the state flags of a QBUF that may complete at
 * once; listed per case). Also reported: reserved fields the
 * V4L2 spec says drivers must zero that are not zero, 8-byte words that
 * look like kernel addresses, and cases whose two runs got different
 * errnos.
 *
 * usage: v4l2l-infoleak -C /dev/v4l2loopback -o OUT -c CAP -i IDLE
 *   OUT/CAP: output and capture node of a split device (nobody else uses
 *   them); IDLE: a combined node (exclusive_caps=0) nobody uses.
 * Prints one JSON object: every case with its errno and findings, and
 * totals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

#define PAT1 0xA5
#define PAT2 0x5A
#define ARGMAX 4096
#define MAXRANGES 4

static const char *ctl_path = "/dev/v4l2loopback";
static const char *out_path, *cap_path, *idle_path;

/* byte ranges of an argument */
struct range {
	const char *name;
	size_t off, len;
	/* zero check only: the application must zero it too, so an echo of
	 * the fill pattern is the application's fault, not the driver's */
	int app_too;
};

/* the range of a struct's field; app: see struct range */
#define R(type, field, app)                                              \
	{ .name = #field, .off = offsetof(type, field),                  \
	  .len = sizeof(((type *)0)->field), .app_too = app }

struct kase {
	const char *name;
	const char *node; /* for the report */
	size_t len;
	int (*fn)(const struct kase *k, void *arg);
	unsigned long cmd;
	uint32_t type; /* buffer type or control id, per case */
	/* legitimately different between runs */
	struct range vol[MAXRANGES];
	/* spec: drivers must zero */
	struct range zero[MAXRANGES];
};

static int first_case = 1;
static long total_leaks, total_nonzero, total_pointers, total_mismatch;
static long total_ok, total_cases;

static int xopen(const char *path)
{
	int fd = open(path, O_RDWR | O_NONBLOCK);

	if (fd < 0) {
		printf("{\"error\":\"open %s\",\"errno\":%d}\n", path, errno);
		exit(1);
	}
	return fd;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static const char *node_path(const char *node)
{
	if (!strcmp(node, "out"))
		return out_path;
	if (!strcmp(node, "cap"))
		return cap_path;
	if (!strcmp(node, "idle"))
		return idle_path;
	return ctl_path;
}

/* ---- case bodies: set the required inputs in arg, run the ioctl ---- */

/* an ioctl that needs no input on a fresh fd of the case's node */
static int c_plain(const struct kase *k, void *arg)
{
	int fd = xopen(node_path(k->node)), err;

	err = xioctl(fd, k->cmd, arg);
	close(fd);
	return err;
}

/* the first u32 of the argument is the buffer type */
static int c_typed(const struct kase *k, void *arg)
{
	int fd = xopen(node_path(k->node)), err;

	*(uint32_t *)arg = k->type;
	err = xioctl(fd, k->cmd, arg);
	close(fd);
	return err;
}

static int c_enum_fmt(const struct kase *k, void *arg)
{
	struct v4l2_fmtdesc *f = arg;
	int fd = xopen(node_path(k->node)), err;

	f->index = strstr(k->name, "#5") ? 5 : 0;
	f->type = k->type;
	f->mbus_code = 0;
	err = xioctl(fd, VIDIOC_ENUM_FMT, f);
	close(fd);
	return err;
}

static int c_set_fmt(const struct kase *k, void *arg)
{
	struct v4l2_format *f = arg;
	int fd = xopen(node_path(k->node)), err;

	f->type = k->type;
	f->fmt.pix.width = 320;
	f->fmt.pix.height = 240;
	f->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f->fmt.pix.field = V4L2_FIELD_NONE;
	err = xioctl(fd, k->cmd, f);
	close(fd);
	return err;
}

static int c_s_parm(const struct kase *k, void *arg)
{
	struct v4l2_streamparm *p = arg;
	int fd = xopen(node_path(k->node)), err;

	p->type = k->type;
	/* same offsets for capture and output */
	p->parm.output.timeperframe.numerator = 1;
	p->parm.output.timeperframe.denominator = 30;
	p->parm.output.outputmode = 0;
	p->parm.output.extendedmode = 0;
	p->parm.output.writebuffers = 0;
	p->parm.output.capability = 0;
	memset(p->parm.output.reserved, 0, sizeof(p->parm.output.reserved));
	err = xioctl(fd, VIDIOC_S_PARM, p);
	close(fd);
	return err;
}

static int c_index0(const struct kase *k, void *arg)
{
	int fd = xopen(node_path(k->node)), err;

	*(uint32_t *)arg = 0; /* index */
	err = xioctl(fd, k->cmd, arg);
	close(fd);
	return err;
}

static int c_queryctrl(const struct kase *k, void *arg)
{
	int fd = xopen(node_path(k->node)), err;

	/* id is the first field of both */
	*(uint32_t *)arg = k->type;
	if (k->cmd == VIDIOC_QUERY_EXT_CTRL) {
		struct v4l2_query_ext_ctrl *q = arg;

		memset(q->reserved, 0, sizeof(q->reserved));
	}
	err = xioctl(fd, k->cmd, arg);
	close(fd);
	return err;
}

static int c_g_ctrl(const struct kase *k, void *arg)
{
	struct v4l2_control *c = arg;
	int fd = xopen(node_path(k->node)), err;

	c->id = k->type;
	err = xioctl(fd, VIDIOC_G_CTRL, c);
	close(fd);
	return err;
}

struct ext_arg {
	struct v4l2_ext_controls cs;
	struct v4l2_ext_control c[4];
};

static int c_g_ext_ctrls(const struct kase *k, void *arg)
{
	static const uint32_t ids[4] = {
		V4L2LOOPBACK_CID_KEEP_FORMAT, V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE,
		V4L2LOOPBACK_CID_TIMEOUT, V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO,
	};
	struct ext_arg *a = arg;
	int fd = xopen(node_path(k->node)), err, i;

	a->cs.which = k->type;
	/* the fourth, a button, cannot be read */
	a->cs.count = 3;
	a->cs.controls = a->c;
	memset(a->cs.reserved, 0, sizeof(a->cs.reserved));
	for (i = 0; i < 4; i++) {
		a->c[i].id = ids[i];
		a->c[i].size = 0;
		memset(a->c[i].reserved2, 0, sizeof(a->c[i].reserved2));
	}
	err = xioctl(fd, VIDIOC_G_EXT_CTRLS, &a->cs);
	close(fd);
	return err;
}

static int cur_fmt(int fd, uint32_t type, struct v4l2_pix_format *pix)
{
	struct v4l2_format f;
	int err;

	memset(&f, 0, sizeof(f));
	f.type = type;
	err = xioctl(fd, VIDIOC_G_FMT, &f);
	*pix = f.fmt.pix;
	return err;
}

static int c_framesizes(const struct kase *k, void *arg)
{
	struct v4l2_frmsizeenum *s = arg;
	struct v4l2_pix_format pix;
	int fd = xopen(node_path(k->node)), err;

	cur_fmt(fd, k->type, &pix);
	s->index = 0;
	s->pixel_format = pix.pixelformat;
	err = xioctl(fd, VIDIOC_ENUM_FRAMESIZES, s);
	close(fd);
	return err;
}

static int c_frameintervals(const struct kase *k, void *arg)
{
	struct v4l2_frmivalenum *s = arg;
	struct v4l2_pix_format pix;
	int fd = xopen(node_path(k->node)), err;

	cur_fmt(fd, k->type, &pix);
	s->index = 0;
	s->pixel_format = pix.pixelformat;
	s->width = pix.width;
	s->height = pix.height;
	err = xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, s);
	close(fd);
	return err;
}

static int reqbufs(int fd, uint32_t type, uint32_t count)
{
	struct v4l2_requestbuffers rb;

	memset(&rb, 0, sizeof(rb));
	rb.count = count;
	rb.type = type;
	rb.memory = V4L2_MEMORY_MMAP;
	return xioctl(fd, VIDIOC_REQBUFS, &rb);
}

static int c_reqbufs(const struct kase *k, void *arg)
{
	struct v4l2_requestbuffers *rb = arg;
	int fd = xopen(node_path(k->node)), err;

	rb->count = 2;
	rb->type = k->type;
	rb->memory = V4L2_MEMORY_MMAP;
	memset(rb->reserved, 0, sizeof(rb->reserved));
	rb->flags = 0;
	err = xioctl(fd, VIDIOC_REQBUFS, rb);
	close(fd);
	return err;
}

static int c_create_bufs(const struct kase *k, void *arg)
{
	struct v4l2_create_buffers *cb = arg;
	int fd = xopen(node_path(k->node)), err;

	cb->count = 1;
	cb->memory = V4L2_MEMORY_MMAP;
	memset(&cb->format, 0, sizeof(cb->format));
	cb->format.type = k->type;
	xioctl(fd, VIDIOC_G_FMT, &cb->format);
	cb->flags = 0;
	memset(cb->reserved, 0, sizeof(cb->reserved));
	err = xioctl(fd, VIDIOC_CREATE_BUFS, cb);
	close(fd);
	return err;
}

static int c_querybuf(const struct kase *k, void *arg)
{
	struct v4l2_buffer *b = arg;
	int fd = xopen(node_path(k->node)), err;

	err = reqbufs(fd, k->type, 2);
	if (!err) {
		b->index = 1;
		b->type = k->type;
		b->memory = V4L2_MEMORY_MMAP;
		b->reserved2 = 0;
		b->request_fd = 0;
		err = xioctl(fd, VIDIOC_QUERYBUF, b);
	}
	close(fd);
	return err;
}

static int c_expbuf(const struct kase *k, void *arg)
{
	struct v4l2_exportbuffer *e = arg;
	int fd = xopen(node_path(k->node)), err;

	err = reqbufs(fd, k->type, 2);
	if (!err) {
		e->type = k->type;
		e->index = 0;
		e->plane = 0;
		e->flags = O_CLOEXEC | O_RDWR;
		memset(e->reserved, 0, sizeof(e->reserved));
		err = xioctl(fd, VIDIOC_EXPBUF, e);
		if (!err)
			close(e->fd);
	}
	close(fd);
	return err;
}

/*
 * A producer on the output node (mmap streaming) and a consumer streaming
 * on the capture node; one frame goes through. The case's argument is used
 * for the QBUF of the producer (k->cmd == VIDIOC_QBUF), the DQBUF of the
 * producer's done buffer (k->type OUTPUT) or the consumer's DQBUF (k->type
 * CAPTURE).
 */
static int c_frame(const struct kase *k, void *arg)
{
	uint32_t cap_t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	uint32_t out_t = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	struct v4l2_buffer qb, *b = arg;
	struct v4l2_format f;
	struct pollfd pfd;
	int out, cap, err, i;

	out = xopen(out_path);
	cap = xopen(cap_path);
	memset(&f, 0, sizeof(f));
	f.type = out_t;
	f.fmt.pix.width = 160;
	f.fmt.pix.height = 120;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	err = xioctl(out, VIDIOC_S_FMT, &f);
	if (!err)
		err = reqbufs(out, out_t, 2);
	if (!err)
		err = reqbufs(cap, cap_t, 2);
	for (i = 0; !err && i < 2; i++) {
		memset(&qb, 0, sizeof(qb));
		qb.index = i;
		qb.type = cap_t;
		qb.memory = V4L2_MEMORY_MMAP;
		err = xioctl(cap, VIDIOC_QBUF, &qb);
	}
	if (!err)
		err = xioctl(cap, VIDIOC_STREAMON, &cap_t);
	if (!err)
		err = xioctl(out, VIDIOC_STREAMON, &out_t);
	if (err)
		goto out;
	if (k->cmd == VIDIOC_QBUF) {
		b->index = 0;
		b->type = out_t;
		b->memory = V4L2_MEMORY_MMAP;
		b->bytesused = f.fmt.pix.sizeimage;
		b->field = V4L2_FIELD_NONE;
		b->flags = 0;
		b->timestamp.tv_sec = 0;
		b->timestamp.tv_usec = 0;
		b->length = f.fmt.pix.sizeimage;
		b->reserved2 = 0;
		b->request_fd = 0;
		err = xioctl(out, VIDIOC_QBUF, b);
		goto out;
	}
	memset(&qb, 0, sizeof(qb));
	qb.index = 0;
	qb.type = out_t;
	qb.memory = V4L2_MEMORY_MMAP;
	qb.bytesused = f.fmt.pix.sizeimage;
	err = xioctl(out, VIDIOC_QBUF, &qb);
	if (err)
		goto out;
	pfd.fd = k->type == cap_t ? cap : out;
	pfd.events = k->type == cap_t ? POLLIN : POLLOUT;
	poll(&pfd, 1, 2000);
	b->type = k->type;
	b->memory = V4L2_MEMORY_MMAP;
	b->reserved2 = 0;
	b->request_fd = 0;
	err = xioctl(pfd.fd, VIDIOC_DQBUF, b);
out:
	close(cap);
	close(out);
	return err;
}

/* subscribe with SEND_INITIAL, then dequeue the initial event */
static int c_dqevent(const struct kase *k, void *arg)
{
	struct v4l2_event_subscription s;
	int fd = xopen(node_path(k->node)), err;

	memset(&s, 0, sizeof(s));
	s.type = k->type;
	s.id = k->type == V4L2_EVENT_CTRL ? V4L2LOOPBACK_CID_TIMEOUT : 0;
	s.flags = V4L2_EVENT_SUB_FL_SEND_INITIAL;
	err = xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &s);
	if (!err)
		err = xioctl(fd, VIDIOC_DQEVENT, arg);
	close(fd);
	return err;
}

/* a streaming consumer gets SOURCE_CHANGE when the producer changes format */
static int c_source_change(const struct kase *k, void *arg)
{
	uint32_t cap_t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	uint32_t out_t = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	struct v4l2_event_subscription s;
	struct v4l2_buffer qb;
	struct v4l2_format f;
	struct pollfd pfd;
	int out, cap, err, i;

	(void)k;
	out = xopen(out_path);
	cap = xopen(cap_path);
	memset(&f, 0, sizeof(f));
	f.type = out_t;
	f.fmt.pix.width = 160;
	f.fmt.pix.height = 120;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	/* the consumer takes 160x120 buffers, then the producer goes 320x240 */
	err = xioctl(out, VIDIOC_S_FMT, &f);
	close(out);
	if (!err)
		err = reqbufs(cap, cap_t, 2);
	for (i = 0; !err && i < 2; i++) {
		memset(&qb, 0, sizeof(qb));
		qb.index = i;
		qb.type = cap_t;
		qb.memory = V4L2_MEMORY_MMAP;
		err = xioctl(cap, VIDIOC_QBUF, &qb);
	}
	if (!err)
		err = xioctl(cap, VIDIOC_STREAMON, &cap_t);
	memset(&s, 0, sizeof(s));
	s.type = V4L2_EVENT_SOURCE_CHANGE;
	if (!err)
		err = xioctl(cap, VIDIOC_SUBSCRIBE_EVENT, &s);
	out = xopen(out_path);
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 240;
	if (!err)
		err = xioctl(out, VIDIOC_S_FMT, &f);
	if (!err && write(out, "", 1) < 0)
		err = errno;
	if (!err) {
		pfd.fd = cap;
		pfd.events = POLLPRI;
		poll(&pfd, 1, 2000);
		err = xioctl(cap, VIDIOC_DQEVENT, arg);
	}
	close(out);
	close(cap);
	return err;
}

/* ---- control device ---- */

static int c_ctl_version(const struct kase *k, void *arg)
{
	int fd = xopen(ctl_path), err;

	(void)k;
	err = xioctl(fd, V4L2LOOPBACK_CTL_VERSION, arg);
	close(fd);
	return err;
}

static int nr_of(const char *path)
{
	const char *p = path + strlen(path);

	while (p > path && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return atoi(p);
}

static int c_ctl_query(const struct kase *k, void *arg)
{
	struct v4l2_loopback_config *c = arg;
	int fd = xopen(ctl_path), err;

	/*
	 * by the output node's number, the capture node's (QUERY takes any
	 * node number in output_nr and ignores the second field), or the
	 * combined node
	 */
	c->output_nr = -1;
	c->capture_nr = -1;
	if (!strcmp(k->node, "out"))
		c->output_nr = nr_of(out_path);
	else if (!strcmp(k->node, "cap"))
		c->output_nr = nr_of(cap_path);
	else
		c->output_nr = nr_of(idle_path);
	err = xioctl(fd, V4L2LOOPBACK_CTL_QUERY, c);
	close(fd);
	return err;
}

/*
 * ADD does not write its argument back (it returns the number): the
 * argument must come back as it went in. The new device is queried with
 * the same buffer (a second copy-out) and removed again.
 */
static int c_ctl_add(const struct kase *k, void *arg)
{
	struct v4l2_loopback_config *c = arg;
	int fd = xopen(ctl_path), nr, err = 0;

	(void)k;
	c->output_nr = -1;
	c->capture_nr = strstr(k->name, "split") ? V4L2LOOPBACK_SPLIT_AUTO_NR : -1;
	memcpy(c->card_label, "infoleak", 9);
	c->min_width = c->max_width = c->min_height = c->max_height = 0;
	c->max_buffers = c->max_openers = c->debug = 0;
	c->announce_all_caps = -1;
	nr = ioctl(fd, c->capture_nr == -1 ? V4L2LOOPBACK_CTL_ADD :
			V4L2LOOPBACK_CTL_ADD_SPLIT, c);
	if (nr < 0) {
		err = errno;
	} else if (strstr(k->name, "query")) {
		c->output_nr = nr;
		c->capture_nr = -1;
		err = xioctl(fd, V4L2LOOPBACK_CTL_QUERY, c);
	}
	if (nr >= 0 && ioctl(fd, V4L2LOOPBACK_CTL_REMOVE, nr) < 0 && !err)
		err = errno;
	close(fd);
	return err;
}

/* ---- the cases ---- */

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT

#define Z_CAPABILITY { R(struct v4l2_capability, reserved, 0) }
#define Z_FMTDESC { R(struct v4l2_fmtdesc, reserved, 0) }
#define Z_INPUT { R(struct v4l2_input, reserved, 0) }
#define Z_OUTPUT { R(struct v4l2_output, reserved, 0) }
#define Z_CAPPARM { R(struct v4l2_streamparm, parm.capture.reserved, 1) }
#define Z_OUTPARM { R(struct v4l2_streamparm, parm.output.reserved, 1) }
#define Z_QUERYCTRL { R(struct v4l2_queryctrl, reserved, 0) }
#define Z_QUERYEXT { R(struct v4l2_query_ext_ctrl, reserved, 1) }
#define Z_FRMSIZE { R(struct v4l2_frmsizeenum, reserved, 1) }
#define Z_FRMIVAL { R(struct v4l2_frmivalenum, reserved, 1) }
#define Z_CREATE { R(struct v4l2_create_buffers, reserved, 1) }
#define Z_BUFFER { R(struct v4l2_buffer, reserved2, 1) }
#define Z_EXPBUF { R(struct v4l2_exportbuffer, reserved, 1) }
#define Z_EVENT { R(struct v4l2_event, reserved, 0) }
#define V_BUFFER { R(struct v4l2_buffer, timestamp, 0) }
/* a queued output buffer may be done before QBUF returns: QUEUED or DONE */
#define V_QBUF { R(struct v4l2_buffer, timestamp, 0), R(struct v4l2_buffer, flags, 0) }
#define V_EVENT { R(struct v4l2_event, timestamp, 0) }
#define V_EXPBUF { R(struct v4l2_exportbuffer, fd, 0) }

#define PER_TYPE(node, t, tn, zparm)                                                         \
	{ node ":ENUM_FMT#0(" tn ")", node, sizeof(struct v4l2_fmtdesc), c_enum_fmt, 0, t, {}, Z_FMTDESC }, \
	{ node ":ENUM_FMT#5(" tn ")", node, sizeof(struct v4l2_fmtdesc), c_enum_fmt, 0, t, {}, Z_FMTDESC }, \
	{ node ":G_FMT(" tn ")", node, sizeof(struct v4l2_format), c_typed, VIDIOC_G_FMT, t, {}, {} }, \
	{ node ":TRY_FMT(" tn ")", node, sizeof(struct v4l2_format), c_set_fmt, VIDIOC_TRY_FMT, t, {}, {} }, \
	{ node ":S_FMT(" tn ")", node, sizeof(struct v4l2_format), c_set_fmt, VIDIOC_S_FMT, t, {}, {} }, \
	{ node ":G_PARM(" tn ")", node, sizeof(struct v4l2_streamparm), c_typed, VIDIOC_G_PARM, t, {}, zparm }, \
	{ node ":S_PARM(" tn ")", node, sizeof(struct v4l2_streamparm), c_s_parm, 0, t, {}, zparm }, \
	{ node ":ENUM_FRAMESIZES(" tn ")", node, sizeof(struct v4l2_frmsizeenum), c_framesizes, 0, t, {}, Z_FRMSIZE }, \
	{ node ":ENUM_FRAMEINTERVALS(" tn ")", node, sizeof(struct v4l2_frmivalenum), c_frameintervals, 0, t, {}, Z_FRMIVAL }, \
	{ node ":REQBUFS(" tn ")", node, sizeof(struct v4l2_requestbuffers), c_reqbufs, 0, t, {}, {} }, \
	{ node ":CREATE_BUFS(" tn ")", node, sizeof(struct v4l2_create_buffers), c_create_bufs, 0, t, {}, Z_CREATE }, \
	{ node ":QUERYBUF(" tn ")", node, sizeof(struct v4l2_buffer), c_querybuf, 0, t, V_BUFFER, Z_BUFFER }, \
	{ node ":EXPBUF(" tn ")", node, sizeof(struct v4l2_exportbuffer), c_expbuf, 0, t, V_EXPBUF, Z_EXPBUF }

#define PER_NODE(node)                                                                \
	{ node ":QUERYCAP", node, sizeof(struct v4l2_capability), c_plain, VIDIOC_QUERYCAP, 0, {}, Z_CAPABILITY }, \
	{ node ":G_PRIORITY", node, sizeof(uint32_t), c_plain, VIDIOC_G_PRIORITY, 0, {}, {} }, \
	{ node ":QUERYCTRL(keep_format)", node, sizeof(struct v4l2_queryctrl), c_queryctrl, VIDIOC_QUERYCTRL, V4L2LOOPBACK_CID_KEEP_FORMAT, {}, Z_QUERYCTRL }, \
	{ node ":QUERYCTRL(timeout)", node, sizeof(struct v4l2_queryctrl), c_queryctrl, VIDIOC_QUERYCTRL, V4L2LOOPBACK_CID_TIMEOUT, {}, Z_QUERYCTRL }, \
	{ node ":QUERYCTRL(timeout_image_io)", node, sizeof(struct v4l2_queryctrl), c_queryctrl, VIDIOC_QUERYCTRL, V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO, {}, Z_QUERYCTRL }, \
	{ node ":QUERYCTRL(next)", node, sizeof(struct v4l2_queryctrl), c_queryctrl, VIDIOC_QUERYCTRL, V4L2_CTRL_FLAG_NEXT_CTRL, {}, Z_QUERYCTRL }, \
	{ node ":QUERY_EXT_CTRL(sustain_framerate)", node, sizeof(struct v4l2_query_ext_ctrl), c_queryctrl, VIDIOC_QUERY_EXT_CTRL, V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE, {}, Z_QUERYEXT }, \
	{ node ":QUERY_EXT_CTRL(next)", node, sizeof(struct v4l2_query_ext_ctrl), c_queryctrl, VIDIOC_QUERY_EXT_CTRL, V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND, {}, Z_QUERYEXT }, \
	{ node ":G_CTRL(keep_format)", node, sizeof(struct v4l2_control), c_g_ctrl, 0, V4L2LOOPBACK_CID_KEEP_FORMAT, {}, {} }, \
	{ node ":G_CTRL(timeout)", node, sizeof(struct v4l2_control), c_g_ctrl, 0, V4L2LOOPBACK_CID_TIMEOUT, {}, {} }, \
	{ node ":G_EXT_CTRLS(cur)", node, sizeof(struct ext_arg), c_g_ext_ctrls, 0, V4L2_CTRL_CLASS_USER, {}, {} }, \
	{ node ":G_EXT_CTRLS(def)", node, sizeof(struct ext_arg), c_g_ext_ctrls, 0, V4L2_CTRL_WHICH_DEF_VAL, {}, {} }, \
	{ node ":DQEVENT(ctrl)", node, sizeof(struct v4l2_event), c_dqevent, 0, V4L2_EVENT_CTRL, V_EVENT, Z_EVENT }, \
	{ node ":DQEVENT(client_usage)", node, sizeof(struct v4l2_event), c_dqevent, 0, V4L2_EVENT_PRI_CLIENT_USAGE, V_EVENT, Z_EVENT }, \
	{ node ":G_SELECTION", node, sizeof(struct v4l2_selection), c_typed, VIDIOC_G_SELECTION, CAP, {}, {} }

static const struct kase cases[] = {
	{ "ctl:VERSION", "ctl", sizeof(uint32_t), c_ctl_version, 0, 0, {}, {} },
	{ "ctl:QUERY(output_nr)", "out", sizeof(struct v4l2_loopback_config), c_ctl_query, 0, 0, {}, {} },
	{ "ctl:QUERY(capture node)", "cap", sizeof(struct v4l2_loopback_config), c_ctl_query, 0, 0, {}, {} },
	{ "ctl:QUERY(combined)", "idle", sizeof(struct v4l2_loopback_config), c_ctl_query, 0, 0, {}, {} },
	{ "ctl:ADD", "ctl", sizeof(struct v4l2_loopback_config), c_ctl_add, 0, 0, {}, {} },
	{ "ctl:ADD+QUERY", "ctl", sizeof(struct v4l2_loopback_config), c_ctl_add, 0, 0, {}, {} },
	{ "ctl:ADD(split)+QUERY", "ctl", sizeof(struct v4l2_loopback_config), c_ctl_add, 0, 0, {}, {} },

	PER_NODE("out"),
	{ "out:ENUMOUTPUT", "out", sizeof(struct v4l2_output), c_index0, VIDIOC_ENUMOUTPUT, 0, {}, Z_OUTPUT },
	{ "out:G_OUTPUT", "out", sizeof(uint32_t), c_plain, VIDIOC_G_OUTPUT, 0, {}, {} },
	PER_TYPE("out", OUT, "output", Z_OUTPARM),

	PER_NODE("cap"),
	{ "cap:ENUMINPUT", "cap", sizeof(struct v4l2_input), c_index0, VIDIOC_ENUMINPUT, 0, {}, Z_INPUT },
	{ "cap:G_INPUT", "cap", sizeof(uint32_t), c_plain, VIDIOC_G_INPUT, 0, {}, {} },
	PER_TYPE("cap", CAP, "capture", Z_CAPPARM),

	PER_NODE("idle"),
	{ "idle:ENUMINPUT", "idle", sizeof(struct v4l2_input), c_index0, VIDIOC_ENUMINPUT, 0, {}, Z_INPUT },
	{ "idle:G_INPUT", "idle", sizeof(uint32_t), c_plain, VIDIOC_G_INPUT, 0, {}, {} },
	{ "idle:ENUMOUTPUT", "idle", sizeof(struct v4l2_output), c_index0, VIDIOC_ENUMOUTPUT, 0, {}, Z_OUTPUT },
	{ "idle:G_OUTPUT", "idle", sizeof(uint32_t), c_plain, VIDIOC_G_OUTPUT, 0, {}, {} },
	PER_TYPE("idle", CAP, "capture", Z_CAPPARM),
	PER_TYPE("idle", OUT, "output", Z_OUTPARM),

	/* one frame from the output node to the capture node */
	{ "pair:QBUF(output)", "out", sizeof(struct v4l2_buffer), c_frame, VIDIOC_QBUF, OUT, V_QBUF, Z_BUFFER },
	{ "pair:DQBUF(output)", "out", sizeof(struct v4l2_buffer), c_frame, VIDIOC_DQBUF, OUT, V_BUFFER, Z_BUFFER },
	{ "pair:DQBUF(capture)", "cap", sizeof(struct v4l2_buffer), c_frame, VIDIOC_DQBUF, CAP, V_BUFFER, Z_BUFFER },
	{ "pair:DQEVENT(source_change)", "cap", sizeof(struct v4l2_event), c_source_change, 0, 0, V_EVENT, Z_EVENT },
};

/* ---- running and judging ---- */

static uint8_t argbuf[ARGMAX] __attribute__((aligned(64)));
static uint8_t run1[ARGMAX];

static int in_ranges(const struct range *r, size_t off)
{
	int i;

	for (i = 0; i < MAXRANGES && r[i].name; i++)
		if (off >= r[i].off && off < r[i].off + r[i].len)
			return 1;
	return 0;
}

/*
 * Does this look like a kernel address (top byte 0xff, 4- or 5-level
 * paging, direct map, vmalloc or text)? Two adjacent s32 fields such as
 * (1000, -1) or (0, -1) also have a high half of 0xff..., so the low half
 * must not be a small number either.
 */
static int kernel_pointer(uint64_t v)
{
	int32_t lo = (int32_t)v;

	return (v >> 56) == 0xff && (lo >= (1 << 20) || lo <= -(1 << 20));
}

static void run_case(const struct kase *k)
{
	const uint8_t *a = run1, *b = argbuf;
	int e1, e2, i, n, nleak = 0, nzero = 0, nptr = 0;
	size_t off;

	memset(argbuf, PAT1, k->len);
	e1 = k->fn(k, argbuf);
	memcpy(run1, argbuf, k->len);
	memset(argbuf, PAT2, k->len);
	e2 = k->fn(k, argbuf);

	total_cases++;
	printf("%s\n{\"name\":\"%s\",\"size\":%zu,\"errno\":%d", first_case ? "" : ",",
	       k->name, k->len, e1);
	first_case = 0;
	if (e1 != e2) {
		printf(",\"errno2\":%d", e2);
		total_mismatch++;
	}
	if (!e1 && !e2)
		total_ok++;

	/* bytes from neither run's pattern that differ between the runs */
	printf(",\"leaks\":[");
	for (off = 0; off < k->len; off++) {
		if (in_ranges(k->vol, off) || a[off] == b[off] ||
		    a[off] == PAT1 || b[off] == PAT2)
			continue;
		if (nleak < 16)
			printf("%s{\"offset\":%zu,\"run1\":%u,\"run2\":%u}",
			       nleak ? "," : "", off, a[off], b[off]);
		nleak++;
	}
	printf("],\"leakBytes\":%d", nleak);

	/* reserved fields the driver must zero */
	printf(",\"nonzero\":[");
	for (i = 0; i < MAXRANGES && k->zero[i].name; i++) {
		const struct range *z = &k->zero[i];

		for (n = 0; n < 2; n++) {
			const uint8_t *r = n ? b : a;
			uint8_t pat = n ? PAT2 : PAT1;
			int bad = 0, echo = 1;

			for (off = z->off; off < z->off + z->len; off++) {
				bad |= r[off] != 0;
				echo &= r[off] == pat;
			}
			if (!bad || (echo && z->app_too))
				continue;
			printf("%s{\"field\":\"%s\",\"offset\":%zu,\"run\":%d}",
			       nzero ? "," : "", z->name, z->off, n + 1);
			nzero++;
		}
	}
	printf("]");

	/* 8-byte words that look like kernel addresses */
	printf(",\"pointers\":[");
	for (off = 0; off + 8 <= k->len; off += 8) {
		uint64_t va, vb;

		memcpy(&va, a + off, 8);
		memcpy(&vb, b + off, 8);
		if (in_ranges(k->vol, off))
			continue;
		if (kernel_pointer(va) || kernel_pointer(vb)) {
			printf("%s{\"offset\":%zu,\"value\":\"0x%llx\"}",
			       nptr ? "," : "", off,
			       (unsigned long long)(kernel_pointer(va) ? va : vb));
			nptr++;
		}
	}
	printf("]}");
	total_leaks += nleak;
	total_nonzero += nzero;
	total_pointers += nptr;
}

int main(int argc, char **argv)
{
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "C:o:c:i:")) != -1) {
		switch (opt) {
		case 'C':
			ctl_path = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'c':
			cap_path = optarg;
			break;
		case 'i':
			idle_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s -C CTL -o OUT -c CAP -i IDLE\n",
				argv[0]);
			return 2;
		}
	}
	if (!out_path || !cap_path || !idle_path) {
		fprintf(stderr, "usage: %s -C CTL -o OUT -c CAP -i IDLE\n", argv[0]);
		return 2;
	}
	printf("{\"cases\":[");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].len > ARGMAX)
			return 2;
		run_case(&cases[i]);
	}
	printf("],\"total\":{\"cases\":%ld,\"ok\":%ld,\"leakBytes\":%ld,"
	       "\"nonzero\":%ld,\"pointers\":%ld,\"errnoMismatch\":%ld}}\n",
	       total_cases, total_ok, total_leaks, total_nonzero,
	       total_pointers, total_mismatch);
	return 0;
}
