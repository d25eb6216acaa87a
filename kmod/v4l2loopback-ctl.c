// SPDX-License-Identifier: GPL-2.0
/* The /dev/v4l2loopback control device (ADD, ADD_SPLIT, REMOVE, QUERY, ADD_CAPTURE). */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "v4l2loopback-core.h"

static long v4l2l_ctl_add(void __user *arg, bool split)
{
	struct v4l2_loopback_config uc;
	struct v4l2l_config cfg;
	struct v4l2l_dev *dev;
	int ret;

	if (arg) {
		if (copy_from_user(&uc, arg, sizeof(uc)))
			return -EFAULT;
		ret = v4l2l_config_fill(&cfg, &uc, split);
	} else {
		ret = split ? -EINVAL : v4l2l_config_fill(&cfg, NULL, false);
	}
	if (ret)
		return ret;
	ret = v4l2l_dev_create(&cfg, &dev);
	if (ret)
		return ret;
	return v4l2l_output_nr(dev);
}

static long v4l2l_ctl_remove(unsigned long nr)
{
	struct v4l2l_dev *dev;

	if (nr >= V4L2L_MAX_NR)
		return -ENODEV;
	dev = v4l2l_dev_find(nr);
	if (!dev)
		return -ENODEV;
	mutex_lock(&dev->lock);
	if (dev->open_count) {
		mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	/* no new opener gets past v4l2l_open() from now on */
	dev->dying = true;
	mutex_unlock(&dev->lock);
	v4l2l_dev_destroy(dev);
	return 0;
}

static long v4l2l_ctl_query(void __user *arg)
{
	struct v4l2_loopback_config uc;
	struct v4l2l_dev *dev;

	if (!arg)
		return -EINVAL;
	if (copy_from_user(&uc, arg, sizeof(uc)))
		return -EFAULT;
	/* the second field is the classic "unused": see the UAPI header */
	dev = v4l2l_dev_find(uc.output_nr);
	if (!dev)
		return -ENODEV;

	memset(&uc, 0, sizeof(uc));
	mutex_lock(&dev->lock);
	uc.output_nr = v4l2l_output_nr(dev);
	uc.capture_nr = dev->split ? dev->nodes[1]->vdev.num : uc.output_nr;
	memcpy(uc.card_label, dev->label, sizeof(uc.card_label));
	uc.min_width = dev->min_width;
	uc.max_width = dev->max_width;
	uc.min_height = dev->min_height;
	uc.max_height = dev->max_height;
	uc.max_buffers = dev->max_buffers;
	uc.max_openers = dev->max_openers;
	uc.debug = v4l2l_debug;
	uc.announce_all_caps = !dev->exclusive_caps;
	mutex_unlock(&dev->lock);
	if (copy_to_user(arg, &uc, sizeof(uc)))
		return -EFAULT;
	return 0;
}

/* adds one more capture node to a split device; returns its number */
static long v4l2l_ctl_add_capture(void __user *arg)
{
	struct v4l2_loopback_config uc;
	struct v4l2l_dev *dev;

	if (!arg)
		return -EINVAL;
	if (copy_from_user(&uc, arg, sizeof(uc)))
		return -EFAULT;
	dev = v4l2l_dev_find(uc.output_nr);
	if (!dev || (uc.output_nr != v4l2l_output_nr(dev)))
		return -ENODEV;
	if (uc.capture_nr < V4L2LOOPBACK_SPLIT_AUTO_NR ||
	    uc.capture_nr >= V4L2L_MAX_NR)
		return -EINVAL;
	return v4l2l_add_capture_node(dev, uc.capture_nr);
}

static long v4l2l_ctl_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u32 version = V4L2LOOPBACK_VERSION_CODE;
	long ret;

	if (cmd == V4L2LOOPBACK_CTL_VERSION)
		return put_user(version, (u32 __user *)uarg) ? -EFAULT : 0;

	if (mutex_lock_killable(&v4l2l_devices_lock))
		return -EINTR;
	switch (cmd) {
	case V4L2LOOPBACK_CTL_ADD:
	case V4L2LOOPBACK_CTL_ADD_LEGACY:
		ret = v4l2l_ctl_add(uarg, false);
		break;
	case V4L2LOOPBACK_CTL_ADD_SPLIT:
		ret = v4l2l_ctl_add(uarg, true);
		break;
	case V4L2LOOPBACK_CTL_REMOVE:
	case V4L2LOOPBACK_CTL_REMOVE_LEGACY:
		ret = v4l2l_ctl_remove(arg);
		break;
	case V4L2LOOPBACK_CTL_QUERY:
	case V4L2LOOPBACK_CTL_QUERY_LEGACY:
		ret = v4l2l_ctl_query(uarg);
		break;
	case V4L2LOOPBACK_CTL_ADD_CAPTURE:
		ret = v4l2l_ctl_add_capture(uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&v4l2l_devices_lock);
	return ret;
}

static int v4l2l_ctl_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations v4l2l_ctl_fops = {
	.owner = THIS_MODULE,
	.open = v4l2l_ctl_open,
	.unlocked_ioctl = v4l2l_ctl_ioctl,
	.compat_ioctl = v4l2l_ctl_ioctl,
};

static struct miscdevice v4l2l_ctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = V4L2L_NAME,
	.fops = &v4l2l_ctl_fops,
};

int v4l2l_ctl_register(void)
{
	return misc_register(&v4l2l_ctl_misc);
}

void v4l2l_ctl_unregister(void)
{
	misc_deregister(&v4l2l_ctl_misc);
}
