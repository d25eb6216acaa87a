// SPDX-License-Identifier: GPL-2.0
/* Open, release, read, write, poll and mmap of the video nodes. */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>

#include "v4l2loopback-core.h"

static int v4l2l_open(struct file *file)
{
	struct v4l2l_node *node = video_drvdata(file);
	struct v4l2l_dev *dev = node->dev;
	struct v4l2l_fh *fh;
	int ret;

	fh = kzalloc(sizeof(*fh), GFP_KERNEL);
	if (!fh)
		return -ENOMEM;
	INIT_LIST_HEAD(&fh->consumer_entry);
	INIT_LIST_HEAD(&fh->cap_bufs);
	INIT_LIST_HEAD(&fh->holder_entry[V4L2L_CAP]);
	INIT_LIST_HEAD(&fh->holder_entry[V4L2L_OUT]);
	v4l2l_out_done_init(fh);
	fh->node = node;

	mutex_lock(&dev->lock);
	if (dev->dying) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (dev->max_openers > 0 && dev->open_count >= dev->max_openers) {
		ret = -EBUSY;
		goto err_unlock;
	}
	v4l2_fh_init(&fh->fh, &node->vdev);
	/*
	 * Every opener while timeout_image_io is armed may load the image;
	 * taking output buffers uses the press up (v4l2l_update_owner()).
	 * An opener that only looks (GStreamer's plugin scan opens every
	 * node right before v4l2sink does) must not use it up.
	 */
	if (node->type != V4L2L_NODE_CAPTURE && dev->timeout_image_armed)
		fh->timeout_writer = true;
	if (node->type != V4L2L_NODE_OUTPUT) {
		ret = v4l2l_queue_init(fh, V4L2L_CAP);
		if (ret)
			goto err_fh;
	}
	if (node->type != V4L2L_NODE_CAPTURE) {
		ret = v4l2l_queue_init(fh, V4L2L_OUT);
		if (ret)
			goto err_fh;
	}
	v4l2l_fh_add(&fh->fh, file);
	dev->open_count++;
	mutex_unlock(&dev->lock);
	dprintk(dev, 1, "open %s (%d open)%s\n",
		video_device_node_name(&node->vdev), dev->open_count,
		fh->timeout_writer ? ", timeout image writer" : "");
	return 0;

err_fh:
	v4l2_fh_exit(&fh->fh);
err_unlock:
	mutex_unlock(&dev->lock);
	kfree(fh);
	return ret;
}

static int v4l2l_release(struct file *file)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_node *node = fh->node;
	struct v4l2l_dev *dev = node->dev;
	int dir;

	mutex_lock(&dev->lock);
	if (fh->has_queue[V4L2L_OUT])
		v4l2l_write_stop(fh);
	for (dir = V4L2L_CAP; dir <= V4L2L_OUT; dir++) {
		if (!fh->has_queue[dir])
			continue;
		vb2_queue_release(&fh->queues[dir]);
		v4l2l_drop_holder(fh, dir);
	}
	if (dev->fmt_fh == fh)
		dev->fmt_fh = NULL;
	dev->open_count--;
	v4l2l_fh_del(&fh->fh, file);
	/* a producer leaving starts the timeout clock */
	v4l2l_timers_kick(dev);
	mutex_unlock(&dev->lock);
	dprintk(dev, 1, "release %s (%d open)\n",
		video_device_node_name(&node->vdev), dev->open_count);
	v4l2_fh_exit(&fh->fh);
	kfree(fh);
	return 0;
}

static ssize_t v4l2l_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh->node->dev;
	ssize_t ret;

	if (!fh->has_queue[V4L2L_CAP])
		return -EINVAL;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	if (!v4l2l_dir_allowed(fh, V4L2L_CAP))
		ret = -EINVAL;
	else if (v4l2l_queue_busy(fh, V4L2L_CAP))
		ret = -EBUSY;
	else
		ret = vb2_read(&fh->queues[V4L2L_CAP], buf, count, ppos,
			       file->f_flags & O_NONBLOCK);
	v4l2l_update_owner(fh, V4L2L_CAP);
	mutex_unlock(&dev->lock);
	return ret;
}

static ssize_t v4l2l_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh->node->dev;
	ssize_t ret;

	if (!fh->has_queue[V4L2L_OUT])
		return -EINVAL;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	if (!v4l2l_dir_allowed(fh, V4L2L_OUT))
		ret = -EINVAL;
	else if (v4l2l_queue_busy(fh, V4L2L_OUT))
		ret = -EBUSY;
	else
		ret = v4l2l_write_frame(fh, buf, count);
	v4l2l_update_owner(fh, V4L2L_OUT);
	mutex_unlock(&dev->lock);
	return ret;
}

/*
 * The direction an fh's poll() is about. The one it holds buffers of, else
 * what it asks for. On a combined node a producer (an fh that set the
 * output format, writes, or loads the timeout image) or an fh asking for
 * POLLOUT too is about the output: polling must not start capture read()
 * emulation for it, which would make it a consumer and the capture owner.
 */
static int v4l2l_poll_dir(struct v4l2l_fh *fh, __poll_t req)
{
	bool cap = v4l2l_dir_allowed(fh, V4L2L_CAP);
	bool out = v4l2l_dir_allowed(fh, V4L2L_OUT);
	bool want_out = req & (EPOLLOUT | EPOLLWRNORM);

	if (cap && fh->holds[V4L2L_CAP])
		return V4L2L_CAP;
	if (out && (fh->holds[V4L2L_OUT] ||
		    v4l2l_num_buffers(&fh->queues[V4L2L_OUT])))
		return V4L2L_OUT;
	if (out && (want_out || fh->timeout_writer ||
		    fh->node->dev->fmt_fh == fh))
		return V4L2L_OUT;
	if (cap && (req & (EPOLLIN | EPOLLRDNORM)))
		return V4L2L_CAP;
	return -1;
}

static __poll_t v4l2l_poll(struct file *file, poll_table *wait)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	struct v4l2l_dev *dev = fh->node->dev;
	__poll_t req = poll_requested_events(wait);
	__poll_t res = 0;
	int dir;

	/*
	 * Register every wait queue whatever is asked now: epoll only lets
	 * the first call (EPOLL_CTL_ADD) register, and may ask for EPOLLPRI
	 * alone at that point.
	 */
	poll_wait(file, &fh->fh.wait, wait);
	for (dir = V4L2L_CAP; dir <= V4L2L_OUT; dir++)
		if (fh->has_queue[dir])
			poll_wait(file, &fh->queues[dir].done_wq, wait);
	if (v4l2_event_pending(&fh->fh))
		res = EPOLLPRI;
	if (!(req & (EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM)))
		return res;

	if (mutex_lock_interruptible(&dev->lock))
		return res | EPOLLERR;
	dir = v4l2l_poll_dir(fh, req);
	if (dir < 0 || v4l2l_queue_busy(fh, dir)) {
		res |= EPOLLERR;
	} else if (dir == V4L2L_OUT &&
		   !v4l2l_num_buffers(&fh->queues[V4L2L_OUT])) {
		/* write() never waits */
		res |= EPOLLOUT | EPOLLWRNORM;
	} else {
		/* buffers a QBUF delivered are free now, not once a work ran */
		if (dir == V4L2L_OUT)
			v4l2l_out_done_flush(fh);
		res |= vb2_core_poll(&fh->queues[dir], file, wait);
		/* poll() may have started read()/write() emulation */
		v4l2l_update_owner(fh, dir);
	}
	mutex_unlock(&dev->lock);
	return res;
}

static int v4l2l_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct v4l2l_fh *fh = to_v4l2l_fh(file);
	unsigned long base = V4L2L_OUT_MMAP_BASE >> PAGE_SHIFT;

	switch (fh->node->type) {
	case V4L2L_NODE_CAPTURE:
		return vb2_mmap(&fh->queues[V4L2L_CAP], vma);
	case V4L2L_NODE_OUTPUT:
		return vb2_mmap(&fh->queues[V4L2L_OUT], vma);
	default:
		if (vma->vm_pgoff < base)
			return vb2_mmap(&fh->queues[V4L2L_CAP], vma);
		vma->vm_pgoff -= base;
		return vb2_mmap(&fh->queues[V4L2L_OUT], vma);
	}
}

const struct v4l2_file_operations v4l2l_fops = {
	.owner = THIS_MODULE,
	.open = v4l2l_open,
	.release = v4l2l_release,
	.read = v4l2l_read,
	.write = v4l2l_write,
	.poll = v4l2l_poll,
	.mmap = v4l2l_mmap,
	.unlocked_ioctl = video_ioctl2,
};
