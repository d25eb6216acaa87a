/* SPDX-License-Identifier: GPL-2.0 */
/* Internal data structures shared by all driver files. */
#ifndef _V4L2LOOPBACK_CORE_H
#define _V4L2LOOPBACK_CORE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <media/v4l2-device.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-fh.h>
#include <media/v4l2-ctrls.h>
#include <media/videobuf2-v4l2.h>

#include "include/uapi/linux/v4l2loopback.h"
#include "v4l2loopback-compat.h"

#define V4L2L_DRIVER_NAME	"v4l2 loopback"
#define V4L2L_NAME		"v4l2loopback"

/* size of the load-time parameter arrays */
#define V4L2L_MAX_DEVICES	64
/* capture nodes a split loopback may have */
#define V4L2L_MAX_CAPTURE_NODES	8
/* hard limits, also used to validate ADD requests */
#define V4L2L_MAX_BUFFERS	32
#define V4L2L_MIN_BUFFERS	2
#define V4L2L_MAX_SIZE		8192
#define V4L2L_MIN_WIDTH		2
#define V4L2L_MIN_HEIGHT	1
#define V4L2L_DEFAULT_WIDTH	640
#define V4L2L_DEFAULT_HEIGHT	480
#define V4L2L_DEFAULT_FPS	30
#define V4L2L_MAX_FPS		1000
#define V4L2L_MAX_TIMEOUT	100000
#define V4L2L_LABEL_LEN		32
/* video node numbers are below this (VIDEO_NUM_DEVICES of the v4l2 core) */
#define V4L2L_MAX_NR		256

/* on a combined node the OUTPUT queue's mmap offsets are moved up by this */
#define V4L2L_OUT_MMAP_BASE	(1UL << 30)

extern int v4l2l_debug;

#define dprintk(dev, level, fmt, arg...) \
	v4l2_dbg(level, v4l2l_debug, &(dev)->v4l2_dev, fmt, ##arg)

enum v4l2l_dir {
	V4L2L_CAP = 0,
	V4L2L_OUT = 1,
};

enum v4l2l_node_type {
	V4L2L_NODE_COMBINED,	/* classic node: both directions */
	V4L2L_NODE_OUTPUT,	/* split device: producer side */
	V4L2L_NODE_CAPTURE,	/* split device: consumer side */
};

struct v4l2l_dev;
struct v4l2l_fh;

/* one /dev/videoN of a loopback */
struct v4l2l_node {
	struct video_device vdev;
	struct v4l2l_dev *dev;
	enum v4l2l_node_type type;
	/*
	 * File handles holding buffers (or read/write I/O) of each direction.
	 * OUTPUT: one producer (plus a timeout image writer). CAPTURE: one
	 * owner, or several consumers once every holder streams (see
	 * v4l2l_queue_busy()).
	 */
	struct list_head holders[2];
	/*
	 * Capture nodes of a split device: the device's controls without
	 * timeout_image_io (see v4l2l_ctrls_init_capture_node()).
	 */
	struct v4l2_ctrl_handler ctrl_handler;
	bool has_ctrl_handler;
};

struct v4l2l_format {
	u32 fourcc;
	const char *name;
	u8 bpp;		/* bits per pixel of the first (or only) plane */
	u8 hsub;	/* chroma subsampling of planar formats, 0 if packed */
	u8 vsub;
	u8 planes;	/* 1 packed, 2 semi-planar, 3 planar */
	u8 wstep;	/* width and height must be multiples of these */
	u8 hstep;
	u8 flags;
	u8 black_len;	/* length of the black pattern of packed formats */
	u8 black[12];	/* repeating pattern of a black line, packed formats */
};

#define V4L2L_FMT_COMPRESSED	BIT(0)
#define V4L2L_FMT_YUV		BIT(1)

/* where a stored frame (last frame, timeout image, null frame) lives */
struct v4l2l_frame {
	void *data;
	size_t alloc;		/* bytes allocated (and charged to the budget) */
	size_t used;		/* payload */
	bool valid;
	struct v4l2_pix_format fmt;	/* format the payload is in */
};

struct v4l2l_dev {
	struct list_head list;		/* in v4l2l_devices */
	struct v4l2_device v4l2_dev;
	struct v4l2_ctrl_handler ctrl_handler;
	/* the device mutex: vdev->lock of every node, q->lock of every queue */
	struct mutex lock;

	/* nodes[0] is the combined or output node, then the capture nodes */
	struct v4l2l_node *nodes[1 + V4L2L_MAX_CAPTURE_NODES];
	unsigned int num_nodes;
	bool split;
	bool exclusive_caps;
	bool dying;

	char label[V4L2L_LABEL_LEN];
	u32 min_width, max_width, min_height, max_height;
	unsigned int max_buffers;
	int max_openers;
	int open_count;

	/* memory budget of all buffers and stored frames of this device */
	size_t mem_limit;
	size_t mem_used;

	/* the one device format and frame rate */
	struct v4l2_pix_format fmt;
	struct v4l2_fract timeperframe;
	/* producer that set the format with S_FMT(OUTPUT) and is still open */
	struct v4l2l_fh *fmt_fh;
	bool producer_streaming;

	/* file handles whose capture queue is streaming */
	struct list_head consumers;
	unsigned int num_consumers;

	/* controls (mirrors, written by s_ctrl) */
	bool keep_format;
	bool sustain_framerate;
	u32 timeout_ms;
	bool timeout_image_armed;

	/* frames kept for sustain_framerate and timeout */
	struct v4l2l_frame last_frame;
	struct v4l2l_frame timeout_image;
	struct v4l2l_frame null_frame;
	u64 last_frame_ns;	/* last real frame from a producer */
	u64 frames_in;		/* real frames producers sent, since creation */
	u64 last_delivery_ns;	/* last frame sent to consumers, any kind */
	u64 consumers_since_ns;	/* first consumer started streaming */
	bool last_was_repeat;
	bool timed_out;
	struct delayed_work repeat_work;
};

/* an open file of a node */
struct v4l2l_fh {
	struct v4l2_fh fh;
	struct v4l2l_node *node;
	struct vb2_queue queues[2];
	bool has_queue[2];
	/* opened after timeout_image_io was pressed: writes the timeout image */
	bool timeout_writer;
	/* holds buffers of a direction: on node->holders[dir] */
	bool holds[2];
	struct list_head holder_entry[2];

	/* capture side, protected by the device mutex */
	struct list_head consumer_entry;
	struct list_head cap_bufs;	/* buffers waiting for a frame */
	struct v4l2_pix_format cap_fmt;	/* format of the capture buffers */
	u32 cap_seq;
	bool src_change_sent;

	/* output side */
	struct v4l2_pix_format out_fmt;	/* format of the output buffers */
	u32 out_seq;
	bool in_qbuf;			/* inside VIDIOC_QBUF */
	bool writing;			/* producing with write() */
	struct v4l2l_frame write_buf;	/* staging buffer of write() */
	/* delivered output buffers waiting to be handed back, see vid-out */
	spinlock_t out_done_lock;
	struct list_head out_done;
	struct work_struct out_done_work;
};

struct v4l2l_buffer {
	struct vb2_v4l2_buffer vb;
	struct list_head list;
	size_t charged;		/* bytes charged to the memory budget */
};

static inline struct v4l2l_fh *to_v4l2l_fh(struct file *file)
{
	return container_of(file->private_data, struct v4l2l_fh, fh);
}

static inline struct v4l2l_buffer *to_v4l2l_buffer(struct vb2_buffer *vb)
{
	return container_of(to_vb2_v4l2_buffer(vb), struct v4l2l_buffer, vb);
}

static inline int v4l2l_output_nr(struct v4l2l_dev *dev)
{
	return dev->nodes[0]->vdev.num;
}

/* v4l2loopback-core.c */
struct v4l2l_config {
	int output_nr;
	int capture_nr;		/* -1 combined, -2 split auto, >= 0 split */
	unsigned int capture_nodes;
	char label[V4L2L_LABEL_LEN];
	u32 min_width, max_width, min_height, max_height;
	unsigned int max_buffers;
	int max_openers;
	bool exclusive_caps;
};

extern struct mutex v4l2l_devices_lock;
extern struct list_head v4l2l_devices;
extern unsigned int v4l2l_default_max_buffers;
extern int v4l2l_default_max_openers;
extern unsigned int v4l2l_default_max_width;
extern unsigned int v4l2l_default_max_height;

int v4l2l_config_fill(struct v4l2l_config *cfg,
		      const struct v4l2_loopback_config *uc, bool split);
int v4l2l_dev_create(const struct v4l2l_config *cfg, struct v4l2l_dev **out);
void v4l2l_dev_destroy(struct v4l2l_dev *dev);
struct v4l2l_dev *v4l2l_dev_find(int nr);
int v4l2l_add_capture_node(struct v4l2l_dev *dev, int nr);
int v4l2l_mem_charge(struct v4l2l_dev *dev, size_t size);
void v4l2l_mem_uncharge(struct v4l2l_dev *dev, size_t size);
int v4l2l_frame_reserve(struct v4l2l_dev *dev, struct v4l2l_frame *f,
			size_t size);
void v4l2l_frame_free(struct v4l2l_dev *dev, struct v4l2l_frame *f);

/* v4l2loopback-ctl.c */
int v4l2l_ctl_register(void);
void v4l2l_ctl_unregister(void);

/* v4l2loopback-fops.c */
extern const struct v4l2_file_operations v4l2l_fops;

/* v4l2loopback-ioctl.c */
extern const struct v4l2_ioctl_ops v4l2l_ioctl_ops;
bool v4l2l_dir_allowed(struct v4l2l_fh *fh, enum v4l2l_dir dir);
bool v4l2l_queue_busy(struct v4l2l_fh *fh, enum v4l2l_dir dir);
void v4l2l_update_owner(struct v4l2l_fh *fh, enum v4l2l_dir dir);
void v4l2l_drop_holder(struct v4l2l_fh *fh, enum v4l2l_dir dir);
bool v4l2l_held_by_other(struct v4l2l_dev *dev, struct v4l2l_fh *fh);

/* v4l2loopback-vid-out.c / -vid-cap.c */
extern const struct vb2_ops v4l2l_vid_out_qops;
extern const struct vb2_ops v4l2l_vid_cap_qops;
int v4l2l_queue_init(struct v4l2l_fh *fh, enum v4l2l_dir dir);
void v4l2l_out_done_init(struct v4l2l_fh *fh);
void v4l2l_out_done_flush(struct v4l2l_fh *fh);
ssize_t v4l2l_write_frame(struct v4l2l_fh *fh, const char __user *ubuf,
			  size_t count);
void v4l2l_write_stop(struct v4l2l_fh *fh);
int v4l2l_queue_setup_common(struct v4l2l_fh *fh, struct vb2_queue *vq,
			     unsigned int *nbuffers, unsigned int *nplanes,
			     unsigned int sizes[]);
int v4l2l_buf_init(struct vb2_buffer *vb);
void v4l2l_buf_cleanup(struct vb2_buffer *vb);
void v4l2l_deliver(struct v4l2l_dev *dev, const void *data, size_t payload);
void v4l2l_send_usage_event(struct v4l2l_dev *dev);

/* v4l2loopback-memops.c */
extern struct vb2_mem_ops v4l2l_memops;
void v4l2l_memops_init(void);
int v4l2l_check_dmabuf(struct vb2_buffer *vb);
int v4l2l_check_dmabuf_fd(const struct v4l2_buffer *b);

/* v4l2loopback-ctrls.c */
int v4l2l_ctrls_init(struct v4l2l_dev *dev);
int v4l2l_ctrls_init_capture_node(struct v4l2l_node *node);
void v4l2l_ctrls_free_node(struct v4l2l_node *node);

/* v4l2loopback-formats.c */
const struct v4l2l_format *v4l2l_find_format(u32 fourcc);
const struct v4l2l_format *v4l2l_format_by_index(unsigned int index);
void v4l2l_fill_pix(struct v4l2l_dev *dev, struct v4l2_pix_format *pix);
bool v4l2l_is_compressed(u32 fourcc);
bool v4l2l_pix_equal(const struct v4l2_pix_format *a,
		     const struct v4l2_pix_format *b);
void v4l2l_fill_black(const struct v4l2_pix_format *pix, void *dst);
void v4l2l_clamp_timeperframe(struct v4l2_fract *tpf);

/* v4l2loopback-sysfs.c */
extern const struct attribute_group *v4l2l_attr_groups[];

/* v4l2loopback-timers.c */
void v4l2l_timers_init(struct v4l2l_dev *dev);
void v4l2l_timers_kick(struct v4l2l_dev *dev);
void v4l2l_timers_stop(struct v4l2l_dev *dev);

#endif /* _V4L2LOOPBACK_CORE_H */
