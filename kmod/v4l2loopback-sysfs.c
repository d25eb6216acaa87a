// SPDX-License-Identifier: GPL-2.0
/* Per-node sysfs attributes: format, buffers, max_openers, state, readers, frames. */

#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "v4l2loopback-core.h"

static struct v4l2l_node *attr_node(struct device *d)
{
	struct video_device *vdev = container_of(d, struct video_device, dev);

	return video_get_drvdata(vdev);
}

static struct v4l2l_dev *attr_dev(struct device *d)
{
	return attr_node(d)->dev;
}

/* someone holds the format: a producer, a consumer's buffers, keep_format */
static bool v4l2l_fmt_held(struct v4l2l_dev *dev)
{
	if (READ_ONCE(dev->keep_format) || dev->fmt_fh)
		return true;
	return v4l2l_held_by_other(dev, NULL);
}

/* FOURCC:WxH@fps, fps as N or N/D; empty while nobody holds a format */
static ssize_t format_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	struct v4l2l_dev *dev = attr_dev(d);
	struct v4l2_fract tpf;
	u32 fcc;
	ssize_t len = 0;

	mutex_lock(&dev->lock);
	if (v4l2l_fmt_held(dev)) {
		fcc = dev->fmt.pixelformat;
		tpf = dev->timeperframe;
		len = sysfs_emit(buf, "%c%c%c%c:%ux%u@", fcc & 0xff,
				 (fcc >> 8) & 0xff, (fcc >> 16) & 0xff,
				 (fcc >> 24) & 0xff, dev->fmt.width,
				 dev->fmt.height);
		if (tpf.numerator == 1)
			len += sysfs_emit_at(buf, len, "%u\n", tpf.denominator);
		else
			len += sysfs_emit_at(buf, len, "%u/%u\n",
					     tpf.denominator, tpf.numerator);
	}
	mutex_unlock(&dev->lock);
	return len;
}

/* only the frame rate can be written: "@N" or "@N/D" */
static ssize_t format_store(struct device *d, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct v4l2l_dev *dev = attr_dev(d);
	struct v4l2_fract tpf;
	unsigned int n, den = 1;
	char tail;
	int ret;

	ret = sscanf(buf, "@%u/%u%c", &n, &den, &tail);
	if (ret < 1 || (ret == 3 && tail != '\n')) {
		den = 1;
		ret = sscanf(buf, "@%u%c", &n, &tail);
		if (ret < 1 || (ret == 2 && tail != '\n'))
			return -EINVAL;
	}
	tpf.numerator = den;
	tpf.denominator = n;
	v4l2l_clamp_timeperframe(&tpf);
	mutex_lock(&dev->lock);
	dev->timeperframe = tpf;
	v4l2l_timers_kick(dev);
	mutex_unlock(&dev->lock);
	return len;
}
static DEVICE_ATTR_RW(format);

/* buffers of the producer's queue */
static ssize_t buffers_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct v4l2l_node *node = attr_node(d);
	struct v4l2l_dev *dev = node->dev;
	struct v4l2l_fh *fh;
	unsigned int n = 0;

	mutex_lock(&dev->lock);
	/*
	 * The output (or combined) node's attributes appear before the node
	 * is in dev->nodes[] (they must exist at its uevent): use the node
	 * itself then. A capture node is registered after dev->nodes[0] is
	 * set, and nodes[0] stays set while the device is torn down.
	 */
	if (node->type == V4L2L_NODE_CAPTURE)
		node = dev->nodes[0];
	list_for_each_entry(fh, &node->holders[V4L2L_OUT],
			    holder_entry[V4L2L_OUT]) {
		if (!fh->timeout_writer) {
			n = v4l2l_num_buffers(&fh->queues[V4L2L_OUT]);
			break;
		}
	}
	mutex_unlock(&dev->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(buffers);

static ssize_t max_openers_show(struct device *d,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(attr_dev(d)->max_openers));
}

static ssize_t max_openers_store(struct device *d,
				 struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct v4l2l_dev *dev = attr_dev(d);
	int val, ret;

	ret = kstrtoint(buf, 0, &val);
	if (ret)
		return ret;
	if (val <= 0)
		return -EINVAL;
	mutex_lock(&dev->lock);
	if (val < dev->open_count)
		ret = -EINVAL;
	else
		dev->max_openers = val;
	mutex_unlock(&dev->lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(max_openers);

/* "capture" while a producer streams (or keep_format), else "output" */
static ssize_t state_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	struct v4l2l_dev *dev = attr_dev(d);
	bool capture;

	mutex_lock(&dev->lock);
	capture = dev->producer_streaming || READ_ONCE(dev->keep_format);
	mutex_unlock(&dev->lock);
	return sysfs_emit(buf, "%s\n", capture ? "capture" : "output");
}
static DEVICE_ATTR_RO(state);

/* number of streaming consumers, on all capture nodes together */
static ssize_t readers_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(attr_dev(d)->num_consumers));
}
static DEVICE_ATTR_RO(readers);

/* frames producers have sent to this loopback since it was created */
static ssize_t frames_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(attr_dev(d)->frames_in));
}
static DEVICE_ATTR_RO(frames);

static struct attribute *v4l2l_attrs[] = {
	&dev_attr_format.attr,
	&dev_attr_buffers.attr,
	&dev_attr_max_openers.attr,
	&dev_attr_state.attr,
	&dev_attr_readers.attr,
	&dev_attr_frames.attr,
	NULL,
};

static const struct attribute_group v4l2l_attr_group = {
	.attrs = v4l2l_attrs,
};

const struct attribute_group *v4l2l_attr_groups[] = {
	&v4l2l_attr_group,
	NULL,
};
