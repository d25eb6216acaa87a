/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * v4l2loopback.h - userspace ABI of the v4l2loopback control device
 * (/dev/v4l2loopback): create, remove and query loopback devices.
 *
 * Binary compatible with the classic v4l2loopback module: same struct
 * layout (72 bytes), same encoded ioctl numbers, and the legacy raw numbers
 * are still accepted by the driver.
 */
#ifndef _UAPI_LINUX_V4L2LOOPBACK_H
#define _UAPI_LINUX_V4L2LOOPBACK_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define V4L2LOOPBACK_VERSION_MAJOR 0
#define V4L2LOOPBACK_VERSION_MINOR 15
#define V4L2LOOPBACK_VERSION_BUGFIX 90
/* KERNEL_VERSION(MAJOR, MINOR, BUGFIX), as returned by V4L2LOOPBACK_CTL_VERSION */
#define V4L2LOOPBACK_VERSION_CODE                                      \
	((V4L2LOOPBACK_VERSION_MAJOR << 16) |                          \
	 (V4L2LOOPBACK_VERSION_MINOR << 8) | V4L2LOOPBACK_VERSION_BUGFIX)

/*
 * The second field is "unused" in the classic module, and the classic
 * v4l2loopback-ctl leaves it uninitialised on ADD (stack garbage) and zero
 * on QUERY. So ADD and QUERY ignore it: ADD always creates a combined
 * node, QUERY looks the device up by output_nr alone (any node number of
 * a loopback names it). Split devices are created with
 * V4L2LOOPBACK_CTL_ADD_SPLIT, an ioctl number no classic caller uses,
 * where the field is capture_nr: the capture-only node's number, or
 * V4L2LOOPBACK_SPLIT_AUTO_NR (or -1) for the first free one. QUERY answers
 * with capture_nr = the first capture node of a split device, or output_nr
 * for a combined one.
 */
#define V4L2LOOPBACK_SPLIT_AUTO_NR (-2)

struct v4l2_loopback_config {
	/* video node number of the OUTPUT (or combined) node; -1 = auto */
	__s32 output_nr;
	union {
		/* the classic name: ignored by ADD and QUERY */
		__s32 unused;
		/* ADD_SPLIT: capture node number; QUERY: set by the driver */
		__s32 capture_nr;
	};
	/* card label; need not be NUL terminated, at most 32 bytes are used */
	char card_label[32];
	__u32 min_width;
	__u32 max_width;
	__u32 min_height;
	__u32 max_height;
	/* number of buffers per queue; <= 0 = module default, above 32 = 32 */
	__s32 max_buffers;
	/* maximum simultaneous open() calls; <= 0 = module default */
	__s32 max_openers;
	/* debug level (ignored on ADD, reports the module value on QUERY) */
	__s32 debug;
	/* 0 = exclusive_caps, 1 = announce both directions, < 0 = default */
	__s32 announce_all_caps;
};

#define V4L2LOOPBACK_CTL_IOCTLMAGIC '~'

/* reads the module's version code (a __u32) */
#define V4L2LOOPBACK_CTL_VERSION _IOR(V4L2LOOPBACK_CTL_IOCTLMAGIC, 0, __u32)
/* creates a device from a config (NULL = defaults); returns the output nr */
#define V4L2LOOPBACK_CTL_ADD \
	_IOW(V4L2LOOPBACK_CTL_IOCTLMAGIC, 1, struct v4l2_loopback_config)
/* removes the device; the argument is the device number, passed by value */
#define V4L2LOOPBACK_CTL_REMOVE _IOW(V4L2LOOPBACK_CTL_IOCTLMAGIC, 2, __u32)
/* fills a config for the device that has node number output_nr */
#define V4L2LOOPBACK_CTL_QUERY \
	_IOWR(V4L2LOOPBACK_CTL_IOCTLMAGIC, 3, struct v4l2_loopback_config)

/*
 * Extension (not in the classic module): adds one more capture-only node
 * to the split device whose output node is output_nr. capture_nr is the
 * wanted node number, or -1/V4L2LOOPBACK_SPLIT_AUTO_NR for the first free
 * one. Returns the new node's number. EINVAL if the device is not split,
 * ENODEV if output_nr is not a loopback output node, ENOSPC when the
 * device already has 8 capture nodes, EEXIST if capture_nr is taken.
 * The extra nodes go away with the device (REMOVE of any of its numbers).
 */
#define V4L2LOOPBACK_CTL_ADD_CAPTURE \
	_IOW(V4L2LOOPBACK_CTL_IOCTLMAGIC, 4, struct v4l2_loopback_config)

/*
 * Extension: ADD for a split device (an output node plus a capture-only
 * node), with capture_nr as described above. Returns the output node's
 * number. EINVAL for a capture_nr below -2, above 255 or equal to
 * output_nr; EEXIST if a requested number is taken.
 */
#define V4L2LOOPBACK_CTL_ADD_SPLIT \
	_IOW(V4L2LOOPBACK_CTL_IOCTLMAGIC, 5, struct v4l2_loopback_config)

/* the raw numbers used by v4l2loopback up to 0.13 */
#define V4L2LOOPBACK_CTL_ADD_LEGACY 0x4C80
#define V4L2LOOPBACK_CTL_REMOVE_LEGACY 0x4C81
#define V4L2LOOPBACK_CTL_QUERY_LEGACY 0x4C82

/* custom controls (V4L2_CID_USER_BASE | 0xf000 + n) */
#define V4L2LOOPBACK_CID_BASE (0x00980900 | 0xf000)
#define V4L2LOOPBACK_CID_KEEP_FORMAT (V4L2LOOPBACK_CID_BASE + 0)
#define V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE (V4L2LOOPBACK_CID_BASE + 1)
#define V4L2LOOPBACK_CID_TIMEOUT (V4L2LOOPBACK_CID_BASE + 2)
#define V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO (V4L2LOOPBACK_CID_BASE + 3)

/* private event sent when the number of streaming consumers changes */
#define V4L2_EVENT_PRI_CLIENT_USAGE (0x08000000 + 0x08E00000 + 1)
struct v4l2_event_client_usage {
	__u32 count;
};

#endif /* _UAPI_LINUX_V4L2LOOPBACK_H */
