// SPDX-License-Identifier: GPL-2.0
/* Producer queues: frames in, timeout image upload. */

#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/ktime.h>

#include "v4l2loopback-core.h"

static int vid_out_queue_setup(struct vb2_queue *vq, unsigned int *nbuffers,
			       unsigned int *nplanes, unsigned int sizes[],
			       struct device *alloc_devs[])
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	int ret;

	ret = v4l2l_queue_setup_common(fh, vq, nbuffers, nplanes, sizes);
	if (!ret && !v4l2l_num_buffers(vq))
		fh->out_fmt = fh->node->dev->fmt;
	return ret;
}

static int vid_out_buf_out_validate(struct vb2_buffer *vb)
{
	struct vb2_v4l2_buffer *vbuf = to_vb2_v4l2_buffer(vb);

	/* progressive frames only */
	vbuf->field = V4L2_FIELD_NONE;
	return 0;
}

static int vid_out_buf_prepare(struct vb2_buffer *vb)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);

	if (vb2_plane_size(vb, 0) < fh->out_fmt.sizeimage)
		return -EINVAL;
	return 0;
}

/* stores the frame as the timeout image (timeout_image_io flow) */
static void vid_out_store_timeout_image(struct v4l2l_dev *dev,
					const void *data, size_t payload)
{
	struct v4l2l_frame *img = &dev->timeout_image;
	size_t size = dev->fmt.sizeimage;

	if (v4l2l_frame_reserve(dev, img, size)) {
		dprintk(dev, 1, "no memory for the timeout image\n");
		return;
	}
	payload = min(payload, size);
	memcpy(img->data, data, payload);
	if (payload < size)
		memset(img->data + payload, 0, size - payload);
	img->used = v4l2l_is_compressed(dev->fmt.pixelformat) ? payload : size;
	img->fmt = dev->fmt;
	img->valid = true;
	dprintk(dev, 1, "timeout image loaded (%zu bytes)\n", img->used);
}

/* keeps a copy of the last frame for sustain_framerate */
static void vid_out_keep_last(struct v4l2l_dev *dev, const void *data,
			      size_t payload)
{
	struct v4l2l_frame *last = &dev->last_frame;

	if (!READ_ONCE(dev->sustain_framerate)) {
		if (last->data)
			v4l2l_frame_free(dev, last);
		return;
	}
	payload = min_t(size_t, payload, dev->fmt.sizeimage);
	if (v4l2l_frame_reserve(dev, last, dev->fmt.sizeimage))
		return;
	memcpy(last->data, data, payload);
	last->used = payload;
	last->fmt = dev->fmt;
	last->valid = true;
}

/*
 * Output buffers are handed back to the producer right after delivery,
 * except inside VIDIOC_QBUF: QBUF must report the buffer as QUEUED, so
 * there the hand-back waits on fh->out_done until the producer's next
 * poll() (which must see it writable at once: GStreamer's v4l2sink polls
 * with a zero timeout right after QBUF and blocks in poll() otherwise),
 * or this work item, whichever comes first. write() (whose O_NONBLOCK
 * callers must not see EAGAIN for a buffer that is already free) and
 * STREAMON hand back at once.
 */
void v4l2l_out_done_flush(struct v4l2l_fh *fh)
{
	struct v4l2l_buffer *buf;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&fh->out_done_lock, flags);
		buf = list_first_entry_or_null(&fh->out_done,
					       struct v4l2l_buffer, list);
		if (buf)
			list_del(&buf->list);
		spin_unlock_irqrestore(&fh->out_done_lock, flags);
		if (!buf)
			break;
		vb2_buffer_done(&buf->vb.vb2_buf, VB2_BUF_STATE_DONE);
	}
}

static void vid_out_done_work(struct work_struct *work)
{
	v4l2l_out_done_flush(container_of(work, struct v4l2l_fh,
					  out_done_work));
}

void v4l2l_out_done_init(struct v4l2l_fh *fh)
{
	spin_lock_init(&fh->out_done_lock);
	INIT_LIST_HEAD(&fh->out_done);
	INIT_WORK(&fh->out_done_work, vid_out_done_work);
}

/*
 * A producer's frame (from a queued buffer or a write()): hand it to every
 * consumer right away, or store it as the timeout image. Device mutex held.
 */
static void vid_out_frame(struct v4l2l_fh *fh, const void *data,
			  size_t payload)
{
	struct v4l2l_dev *dev = fh->node->dev;

	if (fh->timeout_writer) {
		vid_out_store_timeout_image(dev, data, payload);
		return;
	}
	v4l2l_deliver(dev, data, payload);
	dev->frames_in++;
	vid_out_keep_last(dev, data, payload);
	dev->last_frame_ns = dev->last_delivery_ns;
	dev->last_was_repeat = false;
	if (dev->timed_out) {
		dev->timed_out = false;
		dprintk(dev, 1, "producer is back\n");
	}
	v4l2l_timers_kick(dev);
}

static void vid_out_buf_queue(struct vb2_buffer *vb)
{
	struct vb2_v4l2_buffer *vbuf = to_vb2_v4l2_buffer(vb);
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);
	struct v4l2l_dev *dev = fh->node->dev;
	void *data = vb2_plane_vaddr(vb, 0);

	if (data && v4l2l_pix_equal(&fh->out_fmt, &dev->fmt))
		vid_out_frame(fh, data, vb2_get_plane_payload(vb, 0));
	vbuf->sequence = fh->out_seq++;
	vbuf->field = V4L2_FIELD_NONE;
	if (fh->in_qbuf) {
		struct v4l2l_buffer *buf = to_v4l2l_buffer(vb);
		unsigned long flags;

		spin_lock_irqsave(&fh->out_done_lock, flags);
		list_add_tail(&buf->list, &fh->out_done);
		spin_unlock_irqrestore(&fh->out_done_lock, flags);
		schedule_work(&fh->out_done_work);
		return;
	}
	vb2_buffer_done(vb, VB2_BUF_STATE_DONE);
}

/*
 * write(): every call is one frame (at most sizeimage bytes are used), with
 * no REQBUFS or STREAMON needed. The first write() makes the fh the
 * producer, like STREAMON does; it stays one until it is closed.
 * Device mutex held; the caller checked direction and ownership.
 */
ssize_t v4l2l_write_frame(struct v4l2l_fh *fh, const char __user *ubuf,
			  size_t count)
{
	struct v4l2l_dev *dev = fh->node->dev;
	struct v4l2l_frame *stage = &fh->write_buf;
	size_t size = dev->fmt.sizeimage;
	size_t len = min(count, size);
	int ret;

	if (v4l2l_num_buffers(&fh->queues[V4L2L_OUT]))
		return -EBUSY;
	if (!count)
		return 0;
	ret = v4l2l_frame_reserve(dev, stage, size);
	if (ret)
		return ret;
	if (copy_from_user(stage->data, ubuf, len))
		return -EFAULT;
	if (!fh->writing) {
		fh->writing = true;
		fh->out_seq = 0;
		if (!fh->timeout_writer) {
			dev->producer_streaming = true;
			dprintk(dev, 1, "producer writes\n");
		}
	}
	fh->out_seq++;
	vid_out_frame(fh, stage->data, len);
	return len;
}

/* the write() producer goes away (close) */
void v4l2l_write_stop(struct v4l2l_fh *fh)
{
	struct v4l2l_dev *dev = fh->node->dev;

	v4l2l_frame_free(dev, &fh->write_buf);
	if (!fh->writing)
		return;
	fh->writing = false;
	if (!fh->timeout_writer) {
		dev->producer_streaming = false;
		dprintk(dev, 1, "producer stops writing\n");
		v4l2l_timers_kick(dev);
	}
}

static int vid_out_start_streaming(struct vb2_queue *vq, unsigned int count)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	struct v4l2l_dev *dev = fh->node->dev;

	if (!fh->timeout_writer) {
		dev->producer_streaming = true;
		dprintk(dev, 1, "producer streams\n");
	}
	return 0;
}

static void vid_out_stop_streaming(struct vb2_queue *vq)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	struct v4l2l_dev *dev = fh->node->dev;

	/* vb2 wants every buffer back before stop_streaming returns */
	cancel_work_sync(&fh->out_done_work);
	v4l2l_out_done_flush(fh);
	fh->out_seq = 0;
	if (!fh->timeout_writer) {
		dev->producer_streaming = false;
		dprintk(dev, 1, "producer stops\n");
		v4l2l_timers_kick(dev);
	}
}

const struct vb2_ops v4l2l_vid_out_qops = {
	.queue_setup = vid_out_queue_setup,
	.buf_init = v4l2l_buf_init,
	.buf_out_validate = vid_out_buf_out_validate,
	.buf_prepare = vid_out_buf_prepare,
	.buf_cleanup = v4l2l_buf_cleanup,
	.buf_queue = vid_out_buf_queue,
	.start_streaming = vid_out_start_streaming,
	.stop_streaming = vid_out_stop_streaming,
	V4L2L_VB2_WAIT_OPS
};
