// SPDX-License-Identifier: GPL-2.0
/* Consumer queues and frame delivery to them. */

#include <linux/mm.h>
#include <linux/ktime.h>
#include <media/v4l2-event.h>
#include <media/videobuf2-vmalloc.h>

#include "v4l2loopback-core.h"

/* ---- shared by both directions ---- */

/*
 * Buffer count and size for a queue of this fh. REQBUFS gets
 * V4L2L_MIN_BUFFERS..max_buffers buffers of the current sizeimage;
 * CREATE_BUFS (*nplanes set) gets what it asks for, up to max_buffers in
 * all (REQBUFS(0) then CREATE_BUFS(n - 1) and CREATE_BUFS(1) must give the
 * n buffers REQBUFS(n) gave: v4l2-compliance 1.32 checks it). All
 * queues and stored frames of a device together stay within its memory
 * budget: the count is reduced to what fits, ENOMEM if not even one does.
 * Checked here, before vb2 allocates, so that an oversize request never
 * reaches vmalloc.
 */
int v4l2l_queue_setup_common(struct v4l2l_fh *fh, struct vb2_queue *vq,
			     unsigned int *nbuffers, unsigned int *nplanes,
			     unsigned int sizes[])
{
	struct v4l2l_dev *dev = fh->node->dev;
	unsigned int existing = v4l2l_num_buffers(vq);
	unsigned int size = dev->fmt.sizeimage;
	size_t avail, fit;

	if (*nplanes) {
		if (*nplanes != 1 || sizes[0] < size)
			return -EINVAL;
		size = sizes[0];
	}
	if (!*nplanes && *nbuffers < V4L2L_MIN_BUFFERS)
		*nbuffers = V4L2L_MIN_BUFFERS;
	if (existing + *nbuffers > dev->max_buffers) {
		if (existing >= dev->max_buffers)
			return -ENOBUFS;
		*nbuffers = dev->max_buffers - existing;
	}
	avail = dev->mem_limit - min(dev->mem_used, dev->mem_limit);
	/*
	 * CREATE_BUFS may ask for up to U32_MAX bytes: align in size_t, an
	 * unsigned int would wrap to 0 (division by zero).
	 */
	fit = avail / PAGE_ALIGN((size_t)size);
	if (fit < *nbuffers) {
		dprintk(dev, 1, "memory budget: %zu of %u buffers of %u bytes fit\n",
			fit, *nbuffers, size);
		if (!fit)
			return -ENOMEM;
		*nbuffers = fit;
	}
	*nplanes = 1;
	sizes[0] = size;
	return 0;
}

int v4l2l_buf_init(struct vb2_buffer *vb)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);
	struct v4l2l_buffer *buf = to_v4l2l_buffer(vb);
	size_t size = PAGE_ALIGN(vb2_plane_size(vb, 0));
	int ret;

	if (vb->memory == VB2_MEMORY_DMABUF)
		return v4l2l_check_dmabuf(vb);
	/* only driver-allocated memory counts against the budget */
	if (vb->memory != VB2_MEMORY_MMAP)
		return 0;
	ret = v4l2l_mem_charge(fh->node->dev, size);
	if (ret)
		return ret;
	buf->charged = size;
	return 0;
}

void v4l2l_buf_cleanup(struct vb2_buffer *vb)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);
	struct v4l2l_buffer *buf = to_v4l2l_buffer(vb);

	v4l2l_mem_uncharge(fh->node->dev, buf->charged);
	buf->charged = 0;
}

int v4l2l_queue_init(struct v4l2l_fh *fh, enum v4l2l_dir dir)
{
	struct v4l2l_dev *dev = fh->node->dev;
	struct vb2_queue *q = &fh->queues[dir];
	int ret;

	q->type = dir == V4L2L_CAP ? V4L2_BUF_TYPE_VIDEO_CAPTURE :
				     V4L2_BUF_TYPE_VIDEO_OUTPUT;
	/*
	 * write() is handled by the driver (v4l2l_write_frame), not by vb2's
	 * emulation, which loses the payload size of each write.
	 */
	q->io_modes = VB2_MMAP | VB2_USERPTR | VB2_DMABUF |
		      (dir == V4L2L_CAP ? VB2_READ : 0);
	q->drv_priv = fh;
	q->buf_struct_size = sizeof(struct v4l2l_buffer);
	q->ops = dir == V4L2L_CAP ? &v4l2l_vid_cap_qops : &v4l2l_vid_out_qops;
	q->mem_ops = &v4l2l_memops;
	q->timestamp_flags = dir == V4L2L_CAP ?
			     V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC :
			     V4L2_BUF_FLAG_TIMESTAMP_COPY;
	q->lock = &dev->lock;
	ret = vb2_queue_init(q);
	if (ret)
		return ret;
	fh->has_queue[dir] = true;
	return 0;
}

/* ---- frame delivery ---- */

static void v4l2l_src_change(struct v4l2l_fh *fh)
{
	static const struct v4l2_event ev = {
		.type = V4L2_EVENT_SOURCE_CHANGE,
		.u.src_change.changes = V4L2_EVENT_SRC_CH_RESOLUTION,
	};

	if (fh->src_change_sent)
		return;
	fh->src_change_sent = true;
	v4l2_event_queue_fh(&fh->fh, &ev);
}

/*
 * Copies one frame in the device format into the oldest queued buffer of
 * every streaming consumer and hands it back to the consumer. A consumer
 * without a queued buffer drops the frame (its sequence number still
 * advances, so the gap shows the drop); nobody waits for anybody. Raw
 * formats always carry sizeimage bytes, compressed ones the payload.
 * Called with the device mutex held.
 */
void v4l2l_deliver(struct v4l2l_dev *dev, const void *data, size_t payload)
{
	bool compressed = v4l2l_is_compressed(dev->fmt.pixelformat);
	size_t len = compressed ? min_t(size_t, payload, dev->fmt.sizeimage) :
				  dev->fmt.sizeimage;
	size_t copy = min(payload, len);
	u64 now = ktime_get_ns();
	struct v4l2l_fh *fh;

	lockdep_assert_held(&dev->lock);
	list_for_each_entry(fh, &dev->consumers, consumer_entry) {
		struct v4l2l_buffer *buf;
		struct vb2_buffer *vb;
		u32 seq = fh->cap_seq++;
		void *dst;

		if (!v4l2l_pix_equal(&fh->cap_fmt, &dev->fmt)) {
			v4l2l_src_change(fh);
			continue;
		}
		buf = list_first_entry_or_null(&fh->cap_bufs,
					       struct v4l2l_buffer, list);
		if (!buf)
			continue;
		list_del(&buf->list);
		vb = &buf->vb.vb2_buf;
		dst = vb2_plane_vaddr(vb, 0);
		if (!dst || vb2_plane_size(vb, 0) < len) {
			vb2_buffer_done(vb, VB2_BUF_STATE_ERROR);
			continue;
		}
		memcpy(dst, data, copy);
		if (copy < len)
			memset(dst + copy, 0, len - copy);
		vb2_set_plane_payload(vb, 0, len);
		buf->vb.sequence = seq;
		buf->vb.field = V4L2_FIELD_NONE;
		vb->timestamp = now;
		vb2_buffer_done(vb, VB2_BUF_STATE_DONE);
	}
	dev->last_delivery_ns = now;
}

/* tells every node's subscribers how many consumers stream */
void v4l2l_send_usage_event(struct v4l2l_dev *dev)
{
	struct v4l2_event ev = { .type = V4L2_EVENT_PRI_CLIENT_USAGE };
	struct v4l2_event_client_usage usage = { .count = dev->num_consumers };
	unsigned int i;

	memcpy(ev.u.data, &usage, sizeof(usage));
	for (i = 0; i < dev->num_nodes; i++)
		v4l2_event_queue(&dev->nodes[i]->vdev, &ev);
}

/* ---- capture queue ops ---- */

static int vid_cap_queue_setup(struct vb2_queue *vq, unsigned int *nbuffers,
			       unsigned int *nplanes, unsigned int sizes[],
			       struct device *alloc_devs[])
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	int ret;

	ret = v4l2l_queue_setup_common(fh, vq, nbuffers, nplanes, sizes);
	if (!ret && !v4l2l_num_buffers(vq))
		fh->cap_fmt = fh->node->dev->fmt;
	return ret;
}

static int vid_cap_buf_prepare(struct vb2_buffer *vb)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);

	if (vb2_plane_size(vb, 0) < fh->cap_fmt.sizeimage)
		return -EINVAL;
	return 0;
}

static void vid_cap_buf_queue(struct vb2_buffer *vb)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vb->vb2_queue);

	list_add_tail(&to_v4l2l_buffer(vb)->list, &fh->cap_bufs);
}

static int vid_cap_start_streaming(struct vb2_queue *vq, unsigned int count)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	struct v4l2l_dev *dev = fh->node->dev;

	fh->cap_seq = 0;
	fh->src_change_sent = false;
	if (!dev->num_consumers)
		dev->consumers_since_ns = ktime_get_ns();
	list_add_tail(&fh->consumer_entry, &dev->consumers);
	dev->num_consumers++;
	dprintk(dev, 1, "consumer streams (%u)\n", dev->num_consumers);
	v4l2l_send_usage_event(dev);
	v4l2l_timers_kick(dev);
	return 0;
}

static void vid_cap_stop_streaming(struct vb2_queue *vq)
{
	struct v4l2l_fh *fh = vb2_get_drv_priv(vq);
	struct v4l2l_dev *dev = fh->node->dev;
	struct v4l2l_buffer *buf, *tmp;

	list_for_each_entry_safe(buf, tmp, &fh->cap_bufs, list) {
		list_del(&buf->list);
		vb2_buffer_done(&buf->vb.vb2_buf, VB2_BUF_STATE_ERROR);
	}
	list_del_init(&fh->consumer_entry);
	dev->num_consumers--;
	dprintk(dev, 1, "consumer stops (%u)\n", dev->num_consumers);
	v4l2l_send_usage_event(dev);
}

const struct vb2_ops v4l2l_vid_cap_qops = {
	.queue_setup = vid_cap_queue_setup,
	.buf_init = v4l2l_buf_init,
	.buf_prepare = vid_cap_buf_prepare,
	.buf_cleanup = v4l2l_buf_cleanup,
	.buf_queue = vid_cap_buf_queue,
	.start_streaming = vid_cap_start_streaming,
	.stop_streaming = vid_cap_stop_streaming,
	V4L2L_VB2_WAIT_OPS
};
