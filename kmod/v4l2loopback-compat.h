/* SPDX-License-Identifier: GPL-2.0 */
/* Every kernel-version shim of the driver, in one place. */
#ifndef _V4L2LOOPBACK_COMPAT_H
#define _V4L2LOOPBACK_COMPAT_H

#include <linux/version.h>
#include <linux/videodev2.h>
#include <media/videobuf2-core.h>

/*
 * Buffer count of a queue: vb2_get_num_buffers() appeared in 6.8 together
 * with the dynamic buffer array; before that the count was q->num_buffers.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline unsigned int v4l2l_num_buffers(struct vb2_queue *q)
{
	return q->num_buffers;
}
#else
static inline unsigned int v4l2l_num_buffers(struct vb2_queue *q)
{
	return vb2_get_num_buffers(q);
}
#endif

/*
 * Until 6.13 vb2 only drops q->lock around a blocking wait when the driver
 * provides wait_prepare/wait_finish; from 6.13 on it uses q->lock itself and
 * the helpers are being removed.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define V4L2L_VB2_WAIT_OPS				\
	.wait_prepare = vb2_ops_wait_prepare,		\
	.wait_finish = vb2_ops_wait_finish,
#else
#define V4L2L_VB2_WAIT_OPS
#endif

/*
 * 6.8 added max_num_buffers to struct v4l2_create_buffers, in what used to
 * be reserved space. Debian 12's v4l2-compliance (v4l-utils 1.22) still
 * requires that space to be zero, so the driver does not announce it (the
 * capability flag says whether the field is valid). Our queues hold at
 * most max_buffers (<= 32) buffers, which REQBUFS reports anyway.
 */
static inline void v4l2l_compat_create_bufs(struct v4l2_create_buffers *p)
{
#ifdef V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS
	p->capabilities &= ~V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS;
	p->max_num_buffers = 0;
#endif
}

#endif /* _V4L2LOOPBACK_COMPAT_H */
