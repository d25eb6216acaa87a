// SPDX-License-Identifier: GPL-2.0
/* V4L2 ioctls: caps, formats, rates, inputs/outputs, buffers, events. */

#include <linux/kernel.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>

#include "v4l2loopback-core.h"

/*
 * video_ioctl2() calls every handler below with the device mutex held
 * (it is vdev->lock of every node).
 */

static inline struct v4l2l_dev *fh_dev(struct v4l2l_fh *fh)
{
	return fh->node->dev;
}

/*
 * Which directions an fh may use now. Split nodes have one fixed direction.
 * A combined node without exclusive_caps serves both. With exclusive_caps
 * CAPTURE is available while a producer streams (or keep_format pins a
 * format), OUTPUT while no producer streams; an fh keeps the direction it
 * already owns buffers of, and the timeout image writer always has OUTPUT.
 */
bool v4l2l_dir_allowed(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	struct v4l2l_node *node = fh->node;
	struct v4l2l_dev *dev = node->dev;

	if (!fh->has_queue[dir])
		return false;
	if (node->type != V4L2L_NODE_COMBINED || !dev->exclusive_caps)
		return true;
	if (fh->holds[dir])
		return true;
	if (dir == V4L2L_OUT)
		return fh->timeout_writer || !dev->producer_streaming;
	return dev->producer_streaming || READ_ONCE(dev->keep_format);
}

/*
 * May this fh not use the buffers of this direction now (EBUSY)? The V4L2
 * "multiple opens" rule, with one extension for consumers:
 *
 * - On a combined node an fh streams in one direction at a time.
 * - OUTPUT has one holder, the producer. The timeout image writer may load
 *   the image while a producer holds the output.
 * - CAPTURE: while any fh holding capture buffers on this node is not
 *   streaming, it is the owner and every other fh gets EBUSY (this is what
 *   v4l2-compliance checks, on idle queues). Once every holder streams,
 *   another fh may allocate its own buffers and stream as an additional
 *   consumer: each fh has its own queue and gets its own copy of every
 *   frame.
 */
bool v4l2l_queue_busy(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	enum v4l2l_dir other = dir == V4L2L_CAP ? V4L2L_OUT : V4L2L_CAP;
	struct v4l2l_fh *h;

	if (fh->holds[other])
		return true;
	if (fh->holds[dir])
		return false;
	list_for_each_entry(h, &fh->node->holders[dir], holder_entry[dir]) {
		if (dir == V4L2L_CAP) {
			if (!vb2_is_streaming(&h->queues[V4L2L_CAP]))
				return true;
		} else if (!fh->timeout_writer || h->timeout_writer) {
			return true;
		}
	}
	return false;
}

/* takes or drops the holder role after an operation that may (de)allocate */
void v4l2l_update_owner(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	struct vb2_queue *q = &fh->queues[dir];
	bool holds;

	if (!fh->has_queue[dir])
		return;
	holds = v4l2l_num_buffers(q) || vb2_fileio_is_active(q) ||
		(dir == V4L2L_OUT && fh->writing);
	if (holds == fh->holds[dir])
		return;
	if (holds) {
		fh->holds[dir] = true;
		list_add_tail(&fh->holder_entry[dir], &fh->node->holders[dir]);
		/*
		 * The first output opener to take buffers after a press of
		 * timeout_image_io uses it up: the timeout image writer
		 * loads the image, any other producer voids the press (so a
		 * press nobody follows up, e.g. v4l2-compliance's, never
		 * turns a later producer into the writer).
		 */
		if (dir == V4L2L_OUT)
			fh_dev(fh)->timeout_image_armed = false;
	} else {
		v4l2l_drop_holder(fh, dir);
	}
}

void v4l2l_drop_holder(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	fh->holds[dir] = false;
	list_del_init(&fh->holder_entry[dir]);
}

/* does an fh other than this one hold buffers on any node of the device? */
bool v4l2l_held_by_other(struct v4l2l_dev *dev, struct v4l2l_fh *fh)
{
	unsigned int i;
	int dir;

	for (i = 0; i < dev->num_nodes; i++) {
		for (dir = V4L2L_CAP; dir <= V4L2L_OUT; dir++) {
			struct list_head *l = &dev->nodes[i]->holders[dir];

			if (list_empty(l))
				continue;
			/* a list holding only fh has fh first and last */
			if (!fh || l->next != &fh->holder_entry[dir] ||
			    l->prev != &fh->holder_entry[dir])
				return true;
		}
	}
	return false;
}

/* the direction of ioctls that carry no buffer type */
static enum v4l2l_dir v4l2l_fh_dir(struct v4l2l_fh *fh)
{
	struct v4l2l_node *node = fh->node;

	if (node->type == V4L2L_NODE_CAPTURE)
		return V4L2L_CAP;
	if (node->type == V4L2L_NODE_OUTPUT)
		return V4L2L_OUT;
	if (fh->timeout_writer || fh->holds[V4L2L_OUT] ||
	    node->dev->fmt_fh == fh)
		return V4L2L_OUT;
	if (fh->holds[V4L2L_CAP])
		return V4L2L_CAP;
	return v4l2l_dir_allowed(fh, V4L2L_CAP) ? V4L2L_CAP : V4L2L_OUT;
}

/*
 * Is the format fixed for this fh? Then ENUM/TRY/S_FMT and the frame
 * size/interval enumerations only offer the current format. A producer may
 * always choose, unless keep_format pins it; a consumer adopts the format
 * as soon as a producer or another consumer holds it.
 */
static bool v4l2l_fmt_fixed(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	struct v4l2l_dev *dev = fh_dev(fh);

	if (READ_ONCE(dev->keep_format) || fh->timeout_writer)
		return true;
	if (dir == V4L2L_OUT)
		return false;
	if (dev->fmt_fh && dev->fmt_fh != fh)
		return true;
	return v4l2l_held_by_other(dev, fh);
}

static int v4l2l_type_dir(struct v4l2l_fh *fh, u32 type, enum v4l2l_dir *dir)
{
	if (type == V4L2_BUF_TYPE_VIDEO_CAPTURE)
		*dir = V4L2L_CAP;
	else if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT)
		*dir = V4L2L_OUT;
	else
		return -EINVAL;
	return v4l2l_dir_allowed(fh, *dir) ? 0 : -EINVAL;
}

/* ---- capabilities ---- */

static u32 v4l2l_fh_caps(struct v4l2l_fh *fh)
{
	struct v4l2l_node *node = fh->node;
	struct v4l2l_dev *dev = node->dev;
	u32 caps = V4L2_CAP_STREAMING | V4L2_CAP_READWRITE;

	if (node->type == V4L2L_NODE_CAPTURE)
		return caps | V4L2_CAP_VIDEO_CAPTURE;
	if (node->type == V4L2L_NODE_OUTPUT)
		return caps | V4L2_CAP_VIDEO_OUTPUT;
	if (!dev->exclusive_caps)
		return caps | V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_OUTPUT;
	if (fh->timeout_writer || fh->holds[V4L2L_OUT])
		return caps | V4L2_CAP_VIDEO_OUTPUT;
	if (fh->holds[V4L2L_CAP] || dev->producer_streaming ||
	    READ_ONCE(dev->keep_format))
		return caps | V4L2_CAP_VIDEO_CAPTURE;
	return caps | V4L2_CAP_VIDEO_OUTPUT;
}

static int v4l2l_querycap(struct file *file, void *priv,
			  struct v4l2_capability *cap)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	u32 caps = v4l2l_fh_caps(fh);

	strscpy(cap->driver, V4L2L_DRIVER_NAME, sizeof(cap->driver));
	strscpy(cap->card, dev->label, sizeof(cap->card));
	/*
	 * Unique per node, in the classic format (the node's own number,
	 * which for the output or combined node is the device's number):
	 * Firefox names a camera by bus_info and opens the first node whose
	 * bus_info starts with it, so the nodes of a split device must
	 * differ (three digits: no number is a prefix of another).
	 */
	snprintf(cap->bus_info, sizeof(cap->bus_info),
		 "platform:v4l2loopback-%03d", fh->node->vdev.num);
	/*
	 * exclusive_caps: the answer depends on the state. The core checks it
	 * against vdev->device_caps right after this call (under the same
	 * mutex), so keep the two identical.
	 */
	fh->node->vdev.device_caps = caps;
	cap->device_caps = caps;
	cap->capabilities = caps | V4L2_CAP_DEVICE_CAPS;
	return 0;
}

/* ---- formats ---- */

static int v4l2l_enum_fmt(struct file *file, void *priv,
			  struct v4l2_fmtdesc *f)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	const struct v4l2l_format *fmt;
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, f->type, &dir))
		return -EINVAL;
	if (v4l2l_fmt_fixed(fh, dir)) {
		if (f->index)
			return -EINVAL;
		fmt = v4l2l_find_format(dev->fmt.pixelformat);
	} else {
		fmt = v4l2l_format_by_index(f->index);
	}
	if (!fmt)
		return -EINVAL;
	f->pixelformat = fmt->fourcc;
	f->flags = fmt->flags & V4L2L_FMT_COMPRESSED ?
		   V4L2_FMT_FLAG_COMPRESSED : 0;
	strscpy(f->description, fmt->name, sizeof(f->description));
	return 0;
}

static int v4l2l_g_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, f->type, &dir))
		return -EINVAL;
	f->fmt.pix = fh_dev(fh)->fmt;
	return 0;
}

static int v4l2l_try_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, f->type, &dir))
		return -EINVAL;
	if (v4l2l_fmt_fixed(fh, dir))
		f->fmt.pix = dev->fmt;
	else
		v4l2l_fill_pix(dev, &f->fmt.pix);
	return 0;
}

static int v4l2l_s_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	struct v4l2_pix_format *pix = &f->fmt.pix;
	struct vb2_queue *q;
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, f->type, &dir))
		return -EINVAL;
	q = &fh->queues[dir];
	if (v4l2l_fmt_fixed(fh, dir)) {
		*pix = dev->fmt;
		return 0;
	}
	if (v4l2l_queue_busy(fh, dir))
		return -EBUSY;
	v4l2l_fill_pix(dev, pix);
	if (vb2_is_busy(q) &&
	    !v4l2l_pix_equal(pix, dir == V4L2L_CAP ? &fh->cap_fmt :
						     &fh->out_fmt))
		return -EBUSY;
	if (!v4l2l_pix_equal(pix, &dev->fmt))
		dprintk(dev, 1, "format %p4cc %ux%u, %u bytes\n",
			&pix->pixelformat, pix->width, pix->height,
			pix->sizeimage);
	dev->fmt = *pix;
	if (dir == V4L2L_OUT)
		dev->fmt_fh = fh;
	return 0;
}

/* ---- frame rate ---- */

/*
 * The timeout image writer sends a still image: it is offered (and gets)
 * one frame per second, whatever the device's rate, which it cannot
 * change. The classic set-timeout-image pipeline sends a single frame to a
 * sink that drops it when it is more than one frame period (plus 20 ms)
 * late, as it often is on a slow or busy machine at 30 fps; at 1 fps it
 * has a second.
 */
static struct v4l2_fract v4l2l_fh_timeperframe(struct v4l2l_fh *fh)
{
	static const struct v4l2_fract still = { 1, 1 };

	return fh->timeout_writer ? still : fh_dev(fh)->timeperframe;
}

static int v4l2l_g_parm(struct file *file, void *priv,
			struct v4l2_streamparm *a)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, a->type, &dir))
		return -EINVAL;
	if (dir == V4L2L_CAP) {
		memset(&a->parm.capture, 0, sizeof(a->parm.capture));
		a->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
		a->parm.capture.timeperframe = dev->timeperframe;
		a->parm.capture.readbuffers = dev->max_buffers;
	} else {
		memset(&a->parm.output, 0, sizeof(a->parm.output));
		a->parm.output.capability = V4L2_CAP_TIMEPERFRAME;
		a->parm.output.timeperframe = v4l2l_fh_timeperframe(fh);
		a->parm.output.writebuffers = dev->max_buffers;
	}
	return 0;
}

static int v4l2l_s_parm(struct file *file, void *priv,
			struct v4l2_streamparm *a)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	struct v4l2_fract tpf;
	enum v4l2l_dir dir;

	if (v4l2l_type_dir(fh, a->type, &dir))
		return -EINVAL;
	tpf = dir == V4L2L_CAP ? a->parm.capture.timeperframe :
				 a->parm.output.timeperframe;
	/*
	 * a consumer cannot change the rate of an attached producer, nor the
	 * timeout image writer the device's
	 */
	if (!(dir == V4L2L_CAP && v4l2l_fmt_fixed(fh, dir)) &&
	    !fh->timeout_writer) {
		v4l2l_clamp_timeperframe(&tpf);
		dev->timeperframe = tpf;
		v4l2l_timers_kick(dev);
	}
	return v4l2l_g_parm(file, priv, a);
}

static int v4l2l_enum_framesizes(struct file *file, void *priv,
				 struct v4l2_frmsizeenum *fsize)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	const struct v4l2l_format *fmt;

	if (fsize->index)
		return -EINVAL;
	if (v4l2l_fmt_fixed(fh, v4l2l_fh_dir(fh))) {
		if (fsize->pixel_format != dev->fmt.pixelformat)
			return -EINVAL;
		fsize->type = V4L2_FRMSIZE_TYPE_DISCRETE;
		fsize->discrete.width = dev->fmt.width;
		fsize->discrete.height = dev->fmt.height;
		return 0;
	}
	fmt = v4l2l_find_format(fsize->pixel_format);
	if (!fmt)
		return -EINVAL;
	fsize->stepwise.min_width = roundup(dev->min_width, fmt->wstep);
	fsize->stepwise.max_width = max(rounddown(dev->max_width, fmt->wstep),
					fsize->stepwise.min_width);
	fsize->stepwise.step_width = fmt->wstep;
	fsize->stepwise.min_height = roundup(dev->min_height, fmt->hstep);
	fsize->stepwise.max_height = max(rounddown(dev->max_height, fmt->hstep),
					 fsize->stepwise.min_height);
	fsize->stepwise.step_height = fmt->hstep;
	if (fsize->stepwise.min_width == fsize->stepwise.max_width &&
	    fsize->stepwise.min_height == fsize->stepwise.max_height) {
		u32 w = fsize->stepwise.min_width;
		u32 h = fsize->stepwise.min_height;

		fsize->type = V4L2_FRMSIZE_TYPE_DISCRETE;
		fsize->discrete.width = w;
		fsize->discrete.height = h;
	} else if (fmt->wstep == 1 && fmt->hstep == 1) {
		fsize->type = V4L2_FRMSIZE_TYPE_CONTINUOUS;
	} else {
		fsize->type = V4L2_FRMSIZE_TYPE_STEPWISE;
	}
	return 0;
}

static int v4l2l_enum_frameintervals(struct file *file, void *priv,
				     struct v4l2_frmivalenum *fival)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);
	const struct v4l2l_format *fmt;

	if (fival->index)
		return -EINVAL;
	if (v4l2l_fmt_fixed(fh, v4l2l_fh_dir(fh))) {
		if (fival->pixel_format != dev->fmt.pixelformat ||
		    fival->width != dev->fmt.width ||
		    fival->height != dev->fmt.height)
			return -EINVAL;
		fival->type = V4L2_FRMIVAL_TYPE_DISCRETE;
		fival->discrete = v4l2l_fh_timeperframe(fh);
		return 0;
	}
	fmt = v4l2l_find_format(fival->pixel_format);
	if (!fmt || fival->width < dev->min_width ||
	    fival->width > dev->max_width || fival->width % fmt->wstep ||
	    fival->height < dev->min_height ||
	    fival->height > dev->max_height || fival->height % fmt->hstep)
		return -EINVAL;
	fival->type = V4L2_FRMIVAL_TYPE_CONTINUOUS;
	fival->stepwise.min.numerator = 1;
	fival->stepwise.min.denominator = V4L2L_MAX_FPS;
	fival->stepwise.max.numerator = U32_MAX;
	fival->stepwise.max.denominator = 1;
	fival->stepwise.step.numerator = 1;
	fival->stepwise.step.denominator = 1;
	return 0;
}

/* ---- inputs and outputs ---- */

static int v4l2l_enum_input(struct file *file, void *priv,
			    struct v4l2_input *inp)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh_dev(fh);

	if (!v4l2l_dir_allowed(fh, V4L2L_CAP))
		return -ENOTTY;
	if (inp->index)
		return -EINVAL;
	strscpy(inp->name, "loopback", sizeof(inp->name));
	inp->type = V4L2_INPUT_TYPE_CAMERA;
	inp->audioset = 0;
	inp->tuner = 0;
	inp->std = 0;
	inp->capabilities = 0;
	inp->status = 0;
	if (!dev->producer_streaming && !READ_ONCE(dev->keep_format))
		inp->status = V4L2_IN_ST_NO_SIGNAL;
	return 0;
}

static int v4l2l_g_input(struct file *file, void *priv, unsigned int *i)
{
	if (!v4l2l_dir_allowed(to_v4l2l_fh(file), V4L2L_CAP))
		return -ENOTTY;
	*i = 0;
	return 0;
}

static int v4l2l_s_input(struct file *file, void *priv, unsigned int i)
{
	if (!v4l2l_dir_allowed(to_v4l2l_fh(file), V4L2L_CAP))
		return -ENOTTY;
	return i ? -EINVAL : 0;
}

static int v4l2l_enum_output(struct file *file, void *priv,
			     struct v4l2_output *out)
{
	if (!v4l2l_dir_allowed(to_v4l2l_fh(file), V4L2L_OUT))
		return -ENOTTY;
	if (out->index)
		return -EINVAL;
	strscpy(out->name, "loopback in", sizeof(out->name));
	out->type = V4L2_OUTPUT_TYPE_ANALOG;
	out->audioset = 0;
	out->modulator = 0;
	out->std = 0;
	out->capabilities = 0;
	return 0;
}

static int v4l2l_g_output(struct file *file, void *priv, unsigned int *i)
{
	if (!v4l2l_dir_allowed(to_v4l2l_fh(file), V4L2L_OUT))
		return -ENOTTY;
	*i = 0;
	return 0;
}

static int v4l2l_s_output(struct file *file, void *priv, unsigned int i)
{
	if (!v4l2l_dir_allowed(to_v4l2l_fh(file), V4L2L_OUT))
		return -ENOTTY;
	return i ? -EINVAL : 0;
}

/* ---- buffers: vb2 on the fh's own queue, with the holder rule above ---- */

static int v4l2l_buf_queue(struct v4l2l_fh *fh, u32 type,
			   enum v4l2l_dir *dir, struct vb2_queue **q)
{
	int ret = v4l2l_type_dir(fh, type, dir);

	if (ret)
		return ret;
	*q = &fh->queues[*dir];
	return 0;
}

/* the fh's queue for @type, or -EBUSY while another fh owns the node's buffers */
static int v4l2l_owned_queue(struct v4l2l_fh *fh, u32 type,
			     enum v4l2l_dir *dir, struct vb2_queue **q)
{
	int ret = v4l2l_buf_queue(fh, type, dir, q);

	if (ret)
		return ret;
	return v4l2l_queue_busy(fh, *dir) ? -EBUSY : 0;
}

/* the two queues of a combined node share the mmap offset space */
static void v4l2l_fix_offset(struct v4l2l_fh *fh, enum v4l2l_dir dir,
			     struct v4l2_buffer *b)
{
	if (fh->node->type == V4L2L_NODE_COMBINED && dir == V4L2L_OUT &&
	    b->memory == V4L2_MEMORY_MMAP)
		b->m.offset += V4L2L_OUT_MMAP_BASE;
}

static int v4l2l_reqbufs(struct file *file, void *priv,
			 struct v4l2_requestbuffers *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_buf_queue(fh, p->type, &dir, &q);
	if (ret)
		return ret;
	if (v4l2l_queue_busy(fh, dir) || (dir == V4L2L_OUT && fh->writing))
		return -EBUSY;
	ret = vb2_reqbufs(q, p);
	v4l2l_update_owner(fh, dir);
	return ret;
}

static int v4l2l_create_bufs(struct file *file, void *priv,
			     struct v4l2_create_buffers *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_buf_queue(fh, p->format.type, &dir, &q);
	if (ret)
		return ret;
	if (p->count && (v4l2l_queue_busy(fh, dir) ||
			 (dir == V4L2L_OUT && fh->writing)))
		return -EBUSY;
	ret = vb2_create_bufs(q, p);
	v4l2l_compat_create_bufs(p);
	v4l2l_update_owner(fh, dir);
	return ret;
}

static int v4l2l_querybuf(struct file *file, void *priv,
			  struct v4l2_buffer *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_buf_queue(fh, p->type, &dir, &q);
	if (ret)
		return ret;
	ret = vb2_querybuf(q, p);
	if (!ret)
		v4l2l_fix_offset(fh, dir, p);
	return ret;
}

/*
 * An output buffer queued with bytesused 0 means the whole buffer (V4L2
 * spec). vb2 takes it that way too but logs the use as deprecated, and
 * v4l2-compliance queues such buffers: fill in the length here instead.
 */
static void v4l2l_fill_bytesused(struct vb2_queue *q, struct v4l2_buffer *p)
{
	struct vb2_buffer *vb;

	if (!V4L2_TYPE_IS_OUTPUT(p->type) || p->bytesused)
		return;
	if (p->memory == V4L2_MEMORY_MMAP) {
		vb = v4l2l_get_buffer(q, p->index);
		if (vb)
			p->bytesused = vb->planes[0].length;
	} else if (p->memory == V4L2_MEMORY_USERPTR) {
		p->bytesused = p->length;
	}
}

static int v4l2l_prepare_buf(struct file *file, void *priv,
			     struct v4l2_buffer *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_owned_queue(fh, p->type, &dir, &q);
	if (!ret)
		ret = v4l2l_check_dmabuf_fd(p);
	if (ret)
		return ret;
	v4l2l_fill_bytesused(q, p);
	ret = vb2_prepare_buf(q, NULL, p);
	if (!ret)
		v4l2l_fix_offset(fh, dir, p);
	return ret;
}

static int v4l2l_qbuf(struct file *file, void *priv, struct v4l2_buffer *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_owned_queue(fh, p->type, &dir, &q);
	if (!ret)
		ret = v4l2l_check_dmabuf_fd(p);
	if (ret)
		return ret;
	v4l2l_fill_bytesused(q, p);
	/* QBUF must return the buffer as QUEUED: see vid_out_buf_queue() */
	fh->in_qbuf = true;
	ret = vb2_qbuf(q, NULL, p);
	fh->in_qbuf = false;
	if (!ret)
		v4l2l_fix_offset(fh, dir, p);
	return ret;
}

static int v4l2l_dqbuf(struct file *file, void *priv, struct v4l2_buffer *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_owned_queue(fh, p->type, &dir, &q);
	if (ret)
		return ret;
	ret = vb2_dqbuf(q, p, file->f_flags & O_NONBLOCK);
	if (!ret)
		v4l2l_fix_offset(fh, dir, p);
	return ret;
}

static int v4l2l_expbuf(struct file *file, void *priv,
			struct v4l2_exportbuffer *p)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_owned_queue(fh, p->type, &dir, &q);
	if (ret)
		return ret;
	return vb2_expbuf(q, p);
}

static int v4l2l_stream(struct file *file, enum v4l2_buf_type type, bool on)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct vb2_queue *q;
	enum v4l2l_dir dir;
	int ret;

	ret = v4l2l_owned_queue(fh, type, &dir, &q);
	if (ret)
		return ret;
	return on ? vb2_streamon(q, type) : vb2_streamoff(q, type);
}

static int v4l2l_streamon(struct file *file, void *priv,
			  enum v4l2_buf_type type)
{
	return v4l2l_stream(file, type, true);
}

static int v4l2l_streamoff(struct file *file, void *priv,
			   enum v4l2_buf_type type)
{
	return v4l2l_stream(file, type, false);
}

/* ---- events ---- */

static int v4l2l_usage_add(struct v4l2_subscribed_event *sev,
			   unsigned int elems)
{
	struct v4l2l_fh *fh = container_of(sev->fh, struct v4l2l_fh, fh);
	struct v4l2_event ev = { .type = V4L2_EVENT_PRI_CLIENT_USAGE };
	struct v4l2_event_client_usage usage = {
		.count = fh_dev(fh)->num_consumers,
	};

	if (sev->flags & V4L2_EVENT_SUB_FL_SEND_INITIAL) {
		memcpy(ev.u.data, &usage, sizeof(usage));
		v4l2_event_queue_fh(sev->fh, &ev);
	}
	return 0;
}

static const struct v4l2_subscribed_event_ops v4l2l_usage_ops = {
	.add = v4l2l_usage_add,
};

static int v4l2l_subscribe_event(struct v4l2_fh *vfh,
				 const struct v4l2_event_subscription *sub)
{
	struct v4l2l_fh *fh = container_of(vfh, struct v4l2l_fh, fh);

	switch (sub->type) {
	case V4L2_EVENT_CTRL:
		return v4l2_ctrl_subscribe_event(vfh, sub);
	case V4L2_EVENT_SOURCE_CHANGE:
		/* only for a capture-only view: output nodes have no source */
		if (!fh->holds[V4L2L_CAP] &&
		    (v4l2l_fh_caps(fh) & V4L2_CAP_VIDEO_OUTPUT))
			return -EINVAL;
		if (!fh->has_queue[V4L2L_CAP])
			return -EINVAL;
		return v4l2_src_change_event_subscribe(vfh, sub);
	case V4L2_EVENT_PRI_CLIENT_USAGE:
		return v4l2_event_subscribe(vfh, sub, 1, &v4l2l_usage_ops);
	default:
		return -EINVAL;
	}
}

const struct v4l2_ioctl_ops v4l2l_ioctl_ops = {
	.vidioc_querycap = v4l2l_querycap,

	.vidioc_enum_fmt_vid_cap = v4l2l_enum_fmt,
	.vidioc_g_fmt_vid_cap = v4l2l_g_fmt,
	.vidioc_try_fmt_vid_cap = v4l2l_try_fmt,
	.vidioc_s_fmt_vid_cap = v4l2l_s_fmt,
	.vidioc_enum_fmt_vid_out = v4l2l_enum_fmt,
	.vidioc_g_fmt_vid_out = v4l2l_g_fmt,
	.vidioc_try_fmt_vid_out = v4l2l_try_fmt,
	.vidioc_s_fmt_vid_out = v4l2l_s_fmt,

	.vidioc_g_parm = v4l2l_g_parm,
	.vidioc_s_parm = v4l2l_s_parm,
	.vidioc_enum_framesizes = v4l2l_enum_framesizes,
	.vidioc_enum_frameintervals = v4l2l_enum_frameintervals,

	.vidioc_enum_input = v4l2l_enum_input,
	.vidioc_g_input = v4l2l_g_input,
	.vidioc_s_input = v4l2l_s_input,
	.vidioc_enum_output = v4l2l_enum_output,
	.vidioc_g_output = v4l2l_g_output,
	.vidioc_s_output = v4l2l_s_output,

	.vidioc_reqbufs = v4l2l_reqbufs,
	.vidioc_create_bufs = v4l2l_create_bufs,
	.vidioc_querybuf = v4l2l_querybuf,
	.vidioc_prepare_buf = v4l2l_prepare_buf,
	.vidioc_qbuf = v4l2l_qbuf,
	.vidioc_dqbuf = v4l2l_dqbuf,
	.vidioc_expbuf = v4l2l_expbuf,
	.vidioc_streamon = v4l2l_streamon,
	.vidioc_streamoff = v4l2l_streamoff,

	.vidioc_log_status = v4l2_ctrl_log_status,
	.vidioc_subscribe_event = v4l2l_subscribe_event,
	.vidioc_unsubscribe_event = v4l2_event_unsubscribe,
};
