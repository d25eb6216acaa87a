// SPDX-License-Identifier: GPL-2.0
/* The keep_format, sustain_framerate, timeout and timeout_image_io controls. */

#include "v4l2loopback-core.h"

/*
 * s_ctrl runs under the control handler's own lock, and from ioctls also
 * under the device mutex, but not from v4l2_ctrl_handler_setup(): only
 * store the values here (single-word writes) and poke the timer work,
 * which takes the device mutex itself.
 */
static int v4l2l_s_ctrl(struct v4l2_ctrl *ctrl)
{
	struct v4l2l_dev *dev = container_of(ctrl->handler, struct v4l2l_dev,
					     ctrl_handler);

	switch (ctrl->id) {
	case V4L2LOOPBACK_CID_KEEP_FORMAT:
		WRITE_ONCE(dev->keep_format, ctrl->val);
		break;
	case V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE:
		WRITE_ONCE(dev->sustain_framerate, ctrl->val);
		v4l2l_timers_kick(dev);
		break;
	case V4L2LOOPBACK_CID_TIMEOUT:
		WRITE_ONCE(dev->timeout_ms, ctrl->val);
		v4l2l_timers_kick(dev);
		break;
	case V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO:
		/*
		 * the next opener of the output side that takes buffers
		 * loads the timeout image
		 */
		WRITE_ONCE(dev->timeout_image_armed, true);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct v4l2_ctrl_ops v4l2l_ctrl_ops = {
	.s_ctrl = v4l2l_s_ctrl,
};

static const struct v4l2_ctrl_config v4l2l_ctrl_keep_format = {
	.ops = &v4l2l_ctrl_ops,
	.id = V4L2LOOPBACK_CID_KEEP_FORMAT,
	.name = "keep_format",
	.type = V4L2_CTRL_TYPE_BOOLEAN,
	.min = 0,
	.max = 1,
	.step = 1,
	.def = 0,
};

static const struct v4l2_ctrl_config v4l2l_ctrl_sustain_framerate = {
	.ops = &v4l2l_ctrl_ops,
	.id = V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE,
	.name = "sustain_framerate",
	.type = V4L2_CTRL_TYPE_BOOLEAN,
	.min = 0,
	.max = 1,
	.step = 1,
	.def = 0,
};

static const struct v4l2_ctrl_config v4l2l_ctrl_timeout = {
	.ops = &v4l2l_ctrl_ops,
	.id = V4L2LOOPBACK_CID_TIMEOUT,
	.name = "timeout",
	.type = V4L2_CTRL_TYPE_INTEGER,
	.min = 0,
	.max = V4L2L_MAX_TIMEOUT,
	.step = 1,
	.def = 0,
};

static const struct v4l2_ctrl_config v4l2l_ctrl_timeout_image_io = {
	.ops = &v4l2l_ctrl_ops,
	.id = V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO,
	.name = "timeout_image_io",
	.type = V4L2_CTRL_TYPE_BUTTON,
	.min = 0,
	.max = 0,
	.step = 0,
	.def = 0,
};

int v4l2l_ctrls_init(struct v4l2l_dev *dev)
{
	struct v4l2_ctrl_handler *hdl = &dev->ctrl_handler;

	v4l2_ctrl_handler_init(hdl, 4);
	v4l2_ctrl_new_custom(hdl, &v4l2l_ctrl_keep_format, NULL);
	v4l2_ctrl_new_custom(hdl, &v4l2l_ctrl_sustain_framerate, NULL);
	v4l2_ctrl_new_custom(hdl, &v4l2l_ctrl_timeout, NULL);
	v4l2_ctrl_new_custom(hdl, &v4l2l_ctrl_timeout_image_io, NULL);
	if (hdl->error) {
		int ret = hdl->error;

		v4l2_ctrl_handler_free(hdl);
		return ret;
	}
	return 0;
}

/*
 * A capture-only node cannot load the timeout image, and a press of
 * timeout_image_io there would make the next producer to open the output
 * node the image writer instead of a producer: an idle probe such as
 * v4l2-compliance, which presses every button, would silently swallow the
 * next producer's frames. So capture nodes get the device's controls
 * minus that button; they share the same control objects, so values and
 * control events stay device-wide.
 */
static bool v4l2l_capture_node_ctrl(const struct v4l2_ctrl *ctrl)
{
	return ctrl->id != V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO;
}

int v4l2l_ctrls_init_capture_node(struct v4l2l_node *node)
{
	struct v4l2_ctrl_handler *hdl = &node->ctrl_handler;
	int ret;

	v4l2_ctrl_handler_init(hdl, 3);
	ret = v4l2_ctrl_add_handler(hdl, &node->dev->ctrl_handler,
				    v4l2l_capture_node_ctrl, false);
	if (ret) {
		v4l2_ctrl_handler_free(hdl);
		return ret;
	}
	node->has_ctrl_handler = true;
	node->vdev.ctrl_handler = hdl;
	return 0;
}

void v4l2l_ctrls_free_node(struct v4l2l_node *node)
{
	if (node->has_ctrl_handler)
		v4l2_ctrl_handler_free(&node->ctrl_handler);
	node->has_ctrl_handler = false;
}
