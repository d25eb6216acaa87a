// SPDX-License-Identifier: GPL-2.0
/* Module parameters, loopback device creation and removal. */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>

#include "v4l2loopback-core.h"

MODULE_DESCRIPTION("V4L2 loopback video device (videobuf2 based)");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(V4L2LOOPBACK_VERSION_MAJOR) "."
	       __stringify(V4L2LOOPBACK_VERSION_MINOR) "."
	       __stringify(V4L2LOOPBACK_VERSION_BUGFIX));

int v4l2l_debug;
module_param_named(debug, v4l2l_debug, int, 0644);
MODULE_PARM_DESC(debug, "debug level (0-3), changeable at run time");

static int devices = -1;
module_param(devices, int, 0444);
MODULE_PARM_DESC(devices, "number of loopback devices to create at load time (default: 1, or as many as video_nr/capture_nr entries)");

static int video_nr[V4L2L_MAX_DEVICES] = {
	[0 ... (V4L2L_MAX_DEVICES - 1)] = -1
};
module_param_array(video_nr, int, NULL, 0444);
MODULE_PARM_DESC(video_nr, "video node number of each device's output (or combined) node, -1 = first free");

static int capture_nr[V4L2L_MAX_DEVICES] = {
	[0 ... (V4L2L_MAX_DEVICES - 1)] = -1
};
module_param_array(capture_nr, int, NULL, 0444);
MODULE_PARM_DESC(capture_nr, "per device: -1 = one combined node (default), -2 = split device with a capture node numbered by the driver, N = split device whose capture node is /dev/videoN");

static unsigned int capture_nodes[V4L2L_MAX_DEVICES] = {
	[0 ... (V4L2L_MAX_DEVICES - 1)] = 1
};
module_param_array(capture_nodes, uint, NULL, 0444);
MODULE_PARM_DESC(capture_nodes, "per split device: number of capture nodes (1-8, default 1); a value > 1 makes the device split");

static char *card_label[V4L2L_MAX_DEVICES];
module_param_array(card_label, charp, NULL, 0000);
MODULE_PARM_DESC(card_label, "card label of each device (at most 31 characters are used)");

static bool exclusive_caps[V4L2L_MAX_DEVICES];
module_param_array(exclusive_caps, bool, NULL, 0444);
MODULE_PARM_DESC(exclusive_caps, "per combined device: announce only OUTPUT until a producer streams, then only CAPTURE (default 0)");

static int max_buffers = 8;
module_param(max_buffers, int, 0444);
MODULE_PARM_DESC(max_buffers, "maximum number of buffers of each queue (2-32, default 8; every consumer has its own queue)");

static int max_openers = 256;
module_param(max_openers, int, 0644);
MODULE_PARM_DESC(max_openers, "maximum number of simultaneous open()s of a device, all its nodes together (default 256)");

static int max_width = V4L2L_MAX_SIZE;
module_param(max_width, int, 0444);
MODULE_PARM_DESC(max_width, "maximum frame width (2-8192, default 8192)");

static int max_height = V4L2L_MAX_SIZE;
module_param(max_height, int, 0444);
MODULE_PARM_DESC(max_height, "maximum frame height (1-8192, default 8192)");

static unsigned int max_memory_mb = 512;
module_param(max_memory_mb, uint, 0444);
MODULE_PARM_DESC(max_memory_mb, "memory budget of each device's buffers in MiB (default 512, never more than a quarter of RAM)");

DEFINE_MUTEX(v4l2l_devices_lock);
LIST_HEAD(v4l2l_devices);

unsigned int v4l2l_default_max_buffers;
int v4l2l_default_max_openers;
unsigned int v4l2l_default_max_width;
unsigned int v4l2l_default_max_height;
static size_t v4l2l_mem_limit;

/* ---- memory budget ---- */

int v4l2l_mem_charge(struct v4l2l_dev *dev, size_t size)
{
	lockdep_assert_held(&dev->lock);
	if (size > dev->mem_limit || dev->mem_used > dev->mem_limit - size)
		return -ENOMEM;
	dev->mem_used += size;
	return 0;
}

void v4l2l_mem_uncharge(struct v4l2l_dev *dev, size_t size)
{
	lockdep_assert_held(&dev->lock);
	dev->mem_used -= min(size, dev->mem_used);
}

/* makes sure f->data holds at least size bytes, charging the budget */
int v4l2l_frame_reserve(struct v4l2l_dev *dev, struct v4l2l_frame *f,
			size_t size)
{
	size_t alloc = PAGE_ALIGN(size);
	void *data;
	int ret;

	if (f->data && f->alloc >= alloc)
		return 0;
	v4l2l_frame_free(dev, f);
	ret = v4l2l_mem_charge(dev, alloc);
	if (ret)
		return ret;
	data = vzalloc(alloc);
	if (!data) {
		v4l2l_mem_uncharge(dev, alloc);
		return -ENOMEM;
	}
	f->data = data;
	f->alloc = alloc;
	return 0;
}

void v4l2l_frame_free(struct v4l2l_dev *dev, struct v4l2l_frame *f)
{
	if (f->data) {
		vfree(f->data);
		v4l2l_mem_uncharge(dev, f->alloc);
	}
	f->data = NULL;
	f->alloc = 0;
	f->used = 0;
	f->valid = false;
}

/* ---- configuration ---- */

static void v4l2l_config_defaults(struct v4l2l_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->output_nr = -1;
	cfg->capture_nr = -1;
	cfg->capture_nodes = 1;
	cfg->min_width = V4L2L_MIN_WIDTH;
	cfg->min_height = V4L2L_MIN_HEIGHT;
	cfg->max_width = v4l2l_default_max_width;
	cfg->max_height = v4l2l_default_max_height;
	cfg->max_buffers = v4l2l_default_max_buffers;
	cfg->max_openers = v4l2l_default_max_openers;
}

/*
 * Validates a user (ADD) configuration. uc may be NULL (all defaults).
 * 0 means "default" for the numeric fields; values outside the hard
 * limits are rejected with EINVAL instead of being silently clamped.
 */
/*
 * A config from an ADD (split false: the capture_nr field is the classic
 * "unused" and ignored) or ADD_SPLIT request (split true).
 */
int v4l2l_config_fill(struct v4l2l_config *cfg,
		      const struct v4l2_loopback_config *uc, bool split)
{
	v4l2l_config_defaults(cfg);
	if (!uc)
		return 0;

	if (uc->output_nr < -1 || uc->output_nr >= V4L2L_MAX_NR)
		return -EINVAL;
	cfg->output_nr = uc->output_nr;
	if (split) {
		if (uc->capture_nr < V4L2LOOPBACK_SPLIT_AUTO_NR ||
		    uc->capture_nr >= V4L2L_MAX_NR ||
		    (uc->capture_nr >= 0 && uc->capture_nr == uc->output_nr))
			return -EINVAL;
		cfg->capture_nr = uc->capture_nr >= 0 ? uc->capture_nr :
			V4L2LOOPBACK_SPLIT_AUTO_NR;
	}

	/* the label need not be NUL terminated: use at most 31 bytes */
	memcpy(cfg->label, uc->card_label, V4L2L_LABEL_LEN - 1);
	cfg->label[V4L2L_LABEL_LEN - 1] = '\0';

	if (uc->min_width > V4L2L_MAX_SIZE || uc->max_width > V4L2L_MAX_SIZE ||
	    uc->min_height > V4L2L_MAX_SIZE || uc->max_height > V4L2L_MAX_SIZE)
		return -EINVAL;
	if (uc->min_width)
		cfg->min_width = max_t(u32, uc->min_width, V4L2L_MIN_WIDTH);
	if (uc->min_height)
		cfg->min_height = max_t(u32, uc->min_height, V4L2L_MIN_HEIGHT);
	if (uc->max_width)
		cfg->max_width = uc->max_width;
	if (uc->max_height)
		cfg->max_height = uc->max_height;
	if (cfg->max_width < cfg->min_width || cfg->max_height < cfg->min_height)
		return -EINVAL;

	/* clamped, as the classic module does since 0.15.4 */
	if (uc->max_buffers > 0)
		cfg->max_buffers = clamp_t(int, uc->max_buffers,
					   V4L2L_MIN_BUFFERS, V4L2L_MAX_BUFFERS);
	if (uc->max_openers > 0)
		cfg->max_openers = uc->max_openers;
	cfg->exclusive_caps = uc->announce_all_caps == 0;
	return 0;
}

/* ---- lookup ---- */

/* finds the device owning /dev/video<nr>; v4l2l_devices_lock must be held */
struct v4l2l_dev *v4l2l_dev_find(int nr)
{
	struct v4l2l_dev *dev;
	unsigned int i;

	lockdep_assert_held(&v4l2l_devices_lock);
	if (nr < 0)
		return NULL;
	list_for_each_entry(dev, &v4l2l_devices, list)
		for (i = 0; i < dev->num_nodes; i++)
			if (dev->nodes[i]->vdev.num == nr)
				return dev;
	return NULL;
}

/* is /dev/video<nr> one of ours? (devices lock held) */
static bool v4l2l_nr_taken(int nr)
{
	return nr >= 0 && v4l2l_dev_find(nr);
}

/* ---- creation ---- */

/* the last reference is gone: no node, no open file, no timer work */
static void v4l2l_dev_release(struct v4l2_device *v4l2_dev)
{
	struct v4l2l_dev *dev = container_of(v4l2_dev, struct v4l2l_dev,
					     v4l2_dev);

	mutex_lock(&dev->lock);
	v4l2l_frame_free(dev, &dev->last_frame);
	v4l2l_frame_free(dev, &dev->timeout_image);
	v4l2l_frame_free(dev, &dev->null_frame);
	mutex_unlock(&dev->lock);
	v4l2_ctrl_handler_free(&dev->ctrl_handler);
	v4l2_device_unregister(&dev->v4l2_dev);
	mutex_destroy(&dev->lock);
	kfree(dev);
}

static void v4l2l_node_release(struct video_device *vdev)
{
	struct v4l2l_node *node = container_of(vdev, struct v4l2l_node, vdev);

	v4l2l_ctrls_free_node(node);
	kfree(node);
}

static u32 v4l2l_node_caps(struct v4l2l_dev *dev, enum v4l2l_node_type type)
{
	u32 caps = V4L2_CAP_STREAMING | V4L2_CAP_READWRITE;

	switch (type) {
	case V4L2L_NODE_OUTPUT:
		return caps | V4L2_CAP_VIDEO_OUTPUT;
	case V4L2L_NODE_CAPTURE:
		return caps | V4L2_CAP_VIDEO_CAPTURE;
	default:
		if (dev->exclusive_caps)
			return caps | V4L2_CAP_VIDEO_OUTPUT;
		return caps | V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_OUTPUT;
	}
}

/*
 * Registers one node. A requested number that is in use fails with EEXIST
 * rather than silently using another number.
 */
static int v4l2l_node_register(struct v4l2l_dev *dev,
			       enum v4l2l_node_type type, int nr)
{
	struct v4l2l_node *node;
	struct video_device *vdev;
	int ret;

	if (dev->num_nodes >= ARRAY_SIZE(dev->nodes))
		return -ENOSPC;
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	node->dev = dev;
	node->type = type;
	INIT_LIST_HEAD(&node->holders[V4L2L_CAP]);
	INIT_LIST_HEAD(&node->holders[V4L2L_OUT]);
	vdev = &node->vdev;
	strscpy(vdev->name, dev->label, sizeof(vdev->name));
	vdev->fops = &v4l2l_fops;
	vdev->ioctl_ops = &v4l2l_ioctl_ops;
	vdev->release = v4l2l_node_release;
	vdev->v4l2_dev = &dev->v4l2_dev;
	vdev->lock = &dev->lock;
	vdev->vfl_dir = type == V4L2L_NODE_OUTPUT ? VFL_DIR_TX :
			type == V4L2L_NODE_CAPTURE ? VFL_DIR_RX : VFL_DIR_M2M;
	vdev->device_caps = v4l2l_node_caps(dev, type);
	/* attributes exist before the uevent, so udev rules can use them */
	vdev->dev.groups = v4l2l_attr_groups;
	video_set_drvdata(vdev, node);
	if (type == V4L2L_NODE_CAPTURE) {
		ret = v4l2l_ctrls_init_capture_node(node);
		if (ret) {
			kfree(node);
			return ret;
		}
	}

	ret = video_register_device_no_warn(vdev, VFL_TYPE_VIDEO, nr);
	if (ret) {
		v4l2l_ctrls_free_node(node);
		kfree(node);
		return ret;
	}
	if (nr >= 0 && vdev->num != nr) {
		video_unregister_device(vdev);
		return -EEXIST;
	}
	if (v4l2l_debug > 1)
		vdev->dev_debug = V4L2_DEV_DEBUG_IOCTL;
	mutex_lock(&dev->lock);
	dev->nodes[dev->num_nodes++] = node;
	mutex_unlock(&dev->lock);
	return 0;
}

static void v4l2l_dev_unregister_nodes(struct v4l2l_dev *dev)
{
	struct v4l2l_node *node;

	for (;;) {
		/* sysfs readers walk the node array under the mutex */
		mutex_lock(&dev->lock);
		node = dev->num_nodes ? dev->nodes[--dev->num_nodes] : NULL;
		mutex_unlock(&dev->lock);
		if (!node)
			break;
		video_unregister_device(&node->vdev);
	}
}

/* creates and registers a loopback; v4l2l_devices_lock must be held */
int v4l2l_dev_create(const struct v4l2l_config *cfg, struct v4l2l_dev **out)
{
	struct v4l2l_dev *dev;
	unsigned int i, ncap;
	int ret;

	lockdep_assert_held(&v4l2l_devices_lock);
	if (v4l2l_nr_taken(cfg->output_nr) || v4l2l_nr_taken(cfg->capture_nr))
		return -EEXIST;
	if (cfg->capture_nr != -1 && cfg->capture_nr == cfg->output_nr)
		return -EINVAL;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	mutex_init(&dev->lock);
	INIT_LIST_HEAD(&dev->consumers);
	dev->split = cfg->capture_nr != -1;
	dev->exclusive_caps = !dev->split && cfg->exclusive_caps;
	dev->min_width = cfg->min_width;
	dev->max_width = cfg->max_width;
	dev->min_height = cfg->min_height;
	dev->max_height = cfg->max_height;
	dev->max_buffers = cfg->max_buffers;
	dev->max_openers = cfg->max_openers;
	dev->mem_limit = v4l2l_mem_limit;
	dev->timeperframe.numerator = 1;
	dev->timeperframe.denominator = V4L2L_DEFAULT_FPS;
	dev->fmt.width = V4L2L_DEFAULT_WIDTH;
	dev->fmt.height = V4L2L_DEFAULT_HEIGHT;
	v4l2l_fill_pix(dev, &dev->fmt);
	v4l2l_timers_init(dev);

	snprintf(dev->v4l2_dev.name, sizeof(dev->v4l2_dev.name), "%s-%p",
		 V4L2L_NAME, dev);
	ret = v4l2_device_register(NULL, &dev->v4l2_dev);
	if (ret) {
		mutex_destroy(&dev->lock);
		kfree(dev);
		return ret;
	}
	dev->v4l2_dev.release = v4l2l_dev_release;

	ret = v4l2l_ctrls_init(dev);
	if (ret)
		goto err_put;
	dev->v4l2_dev.ctrl_handler = &dev->ctrl_handler;

	/* a temporary label until the output number is known */
	strscpy(dev->label, cfg->label, sizeof(dev->label));
	ret = v4l2l_node_register(dev, dev->split ? V4L2L_NODE_OUTPUT :
				  V4L2L_NODE_COMBINED, cfg->output_nr);
	if (ret)
		goto err_nodes;
	if (!dev->label[0]) {
		snprintf(dev->label, sizeof(dev->label),
			 "Dummy video device (0x%04X)", v4l2l_output_nr(dev));
		strscpy(dev->nodes[0]->vdev.name, dev->label,
			sizeof(dev->nodes[0]->vdev.name));
	}
	if (dev->split) {
		ncap = clamp_t(unsigned int, cfg->capture_nodes, 1,
			       V4L2L_MAX_CAPTURE_NODES);
		for (i = 0; i < ncap; i++) {
			ret = v4l2l_node_register(dev, V4L2L_NODE_CAPTURE,
						  i == 0 ? cfg->capture_nr : -1);
			if (ret)
				goto err_nodes;
		}
	}

	list_add_tail(&dev->list, &v4l2l_devices);
	*out = dev;
	return 0;

err_nodes:
	/*
	 * A node was registered for a while and may still be open (a file
	 * that set a control, wrote a frame...): as in v4l2l_dev_destroy(),
	 * no timer work may run or be queued once the last file is gone and
	 * the device is freed.
	 */
	mutex_lock(&dev->lock);
	dev->dying = true;
	mutex_unlock(&dev->lock);
	v4l2l_dev_unregister_nodes(dev);
	v4l2l_timers_stop(dev);
err_put:
	v4l2_device_put(&dev->v4l2_dev);
	return ret;
}

/* adds one more capture node to a split device (devices lock held) */
int v4l2l_add_capture_node(struct v4l2l_dev *dev, int nr)
{
	int ret;

	lockdep_assert_held(&v4l2l_devices_lock);
	if (!dev->split)
		return -EINVAL;
	if (nr < -1)
		nr = -1;
	if (v4l2l_nr_taken(nr))
		return -EEXIST;
	if (dev->num_nodes >= ARRAY_SIZE(dev->nodes))
		return -ENOSPC;
	ret = v4l2l_node_register(dev, V4L2L_NODE_CAPTURE, nr);
	if (ret)
		return ret;
	return dev->nodes[dev->num_nodes - 1]->vdev.num;
}

/*
 * Unregisters and frees a device nobody has open (the caller checked
 * open_count under the device lock and set dying); devices lock held.
 */
void v4l2l_dev_destroy(struct v4l2l_dev *dev)
{
	list_del(&dev->list);
	v4l2l_dev_unregister_nodes(dev);
	/* dying is set: the work does not re-arm itself any more */
	v4l2l_timers_stop(dev);
	/* the last reference: v4l2l_dev_release() frees the stored frames */
	v4l2_device_put(&dev->v4l2_dev);
}

/* ---- module init/exit ---- */

static void v4l2l_destroy_all(void)
{
	struct v4l2l_dev *dev, *tmp;

	mutex_lock(&v4l2l_devices_lock);
	list_for_each_entry_safe(dev, tmp, &v4l2l_devices, list) {
		mutex_lock(&dev->lock);
		dev->dying = true;
		mutex_unlock(&dev->lock);
		v4l2l_dev_destroy(dev);
	}
	mutex_unlock(&v4l2l_devices_lock);
}

static void __init v4l2l_check_params(void)
{
	if (max_buffers < V4L2L_MIN_BUFFERS || max_buffers > V4L2L_MAX_BUFFERS) {
		pr_notice("v4l2loopback: max_buffers=%d out of range, using %d\n",
			  max_buffers, clamp(max_buffers, V4L2L_MIN_BUFFERS,
					     V4L2L_MAX_BUFFERS));
		max_buffers = clamp(max_buffers, V4L2L_MIN_BUFFERS,
				    V4L2L_MAX_BUFFERS);
	}
	if (max_openers <= 0)
		max_openers = 2;
	if (max_width < V4L2L_MIN_WIDTH || max_width > V4L2L_MAX_SIZE)
		max_width = V4L2L_MAX_SIZE;
	if (max_height < V4L2L_MIN_HEIGHT || max_height > V4L2L_MAX_SIZE)
		max_height = V4L2L_MAX_SIZE;
	v4l2l_default_max_buffers = max_buffers;
	v4l2l_default_max_openers = max_openers;
	v4l2l_default_max_width = max_width;
	v4l2l_default_max_height = max_height;

	v4l2l_mem_limit = (size_t)max(max_memory_mb, 1U) << 20;
	v4l2l_mem_limit = min_t(size_t, v4l2l_mem_limit,
				(totalram_pages() << PAGE_SHIFT) / 4);
}

static int __init v4l2l_init(void)
{
	struct v4l2l_config cfg;
	struct v4l2l_dev *dev;
	int i, n = devices, ret;

	v4l2l_check_params();
	v4l2l_memops_init();
	if (n < 0) {
		n = 1;
		for (i = 0; i < V4L2L_MAX_DEVICES; i++)
			if (video_nr[i] >= 0 || capture_nr[i] != -1)
				n = i + 1;
	}
	if (n > V4L2L_MAX_DEVICES) {
		pr_notice("v4l2loopback: devices=%d, creating %d (use the control device for more)\n",
			  n, V4L2L_MAX_DEVICES);
		n = V4L2L_MAX_DEVICES;
	}

	ret = v4l2l_ctl_register();
	if (ret)
		return ret;

	mutex_lock(&v4l2l_devices_lock);
	for (i = 0; i < n; i++) {
		v4l2l_config_fill(&cfg, NULL, false);
		cfg.output_nr = video_nr[i] >= 0 ? video_nr[i] : -1;
		cfg.capture_nr = capture_nr[i];
		if (cfg.capture_nr < -2)
			cfg.capture_nr = -1;
		cfg.capture_nodes = capture_nodes[i];
		if (cfg.capture_nodes > 1 && cfg.capture_nr == -1)
			cfg.capture_nr = V4L2LOOPBACK_SPLIT_AUTO_NR;
		if (card_label[i])
			strscpy(cfg.label, card_label[i], sizeof(cfg.label));
		cfg.exclusive_caps = exclusive_caps[i];
		ret = v4l2l_dev_create(&cfg, &dev);
		if (ret) {
			pr_err("v4l2loopback: failed to create device %d: %d\n",
			       i, ret);
			break;
		}
	}
	mutex_unlock(&v4l2l_devices_lock);
	if (ret) {
		v4l2l_destroy_all();
		v4l2l_ctl_unregister();
		return ret;
	}
	pr_info("v4l2loopback driver version %d.%d.%d loaded\n",
		V4L2LOOPBACK_VERSION_MAJOR, V4L2LOOPBACK_VERSION_MINOR,
		V4L2LOOPBACK_VERSION_BUGFIX);
	return 0;
}

static void __exit v4l2l_exit(void)
{
	v4l2l_ctl_unregister();
	v4l2l_destroy_all();
	pr_info("v4l2loopback driver unloaded\n");
}

module_init(v4l2l_init);
module_exit(v4l2l_exit);
