/* SPDX-License-Identifier: GPL-2.0 */
/* Every kernel-version shim of the driver, in one place. */
#ifndef _V4L2LOOPBACK_COMPAT_H
#define _V4L2LOOPBACK_COMPAT_H

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/version.h>
#include <linux/videodev2.h>
#include <linux/workqueue.h>
#include <media/v4l2-fh.h>
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
 * The buffer at an index of a queue (NULL if none): vb2_get_buffer()
 * came with the dynamic buffer array in 6.8; before, q->bufs[] was fixed.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline struct vb2_buffer *v4l2l_get_buffer(struct vb2_queue *q,
						  unsigned int index)
{
	return index < q->num_buffers ? q->bufs[index] : NULL;
}
#else
static inline struct vb2_buffer *v4l2l_get_buffer(struct vb2_queue *q,
						  unsigned int index)
{
	return vb2_get_buffer(q, index);
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

/*
 * 6.18 made v4l2_fh_add()/v4l2_fh_del() take the file and set/clear
 * file->private_data themselves; before, the driver did that.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 18, 0)
static inline void v4l2l_fh_add(struct v4l2_fh *fh, struct file *file)
{
	file->private_data = fh;
	v4l2_fh_add(fh);
}

static inline void v4l2l_fh_del(struct v4l2_fh *fh, struct file *file)
{
	v4l2_fh_del(fh);
	file->private_data = NULL;
}
#else
static inline void v4l2l_fh_add(struct v4l2_fh *fh, struct file *file)
{
	v4l2_fh_add(fh, file);
}

static inline void v4l2l_fh_del(struct v4l2_fh *fh, struct file *file)
{
	v4l2_fh_del(fh, file);
}
#endif

/*
 * The per-CPU system workqueue: system_percpu_wq from 6.18 on (Debian's
 * 6.12.117+ has it too, as a backport, but system_wq is still fine there);
 * 7.2 marks system_wq deprecated and logs every work queued on it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 18, 0)
#define v4l2l_system_wq system_wq
#else
#define v4l2l_system_wq system_percpu_wq
#endif

/*
 * vb2 memops attach_dmabuf: before 5.15 it was (dev, dbuf, size, dma_dir);
 * 5.15 added the vb2_buffer in front and dropped the direction. memops.c
 * declares its wrapper with V4L2L_ATTACH_DMABUF_PARAMS and forwards to
 * vmalloc's with V4L2L_ATTACH_DMABUF_ARGS(size).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#define V4L2L_ATTACH_DMABUF_PARAMS struct device *dev, struct dma_buf *dbuf, \
	unsigned long size, enum dma_data_direction dma_dir
#define V4L2L_ATTACH_DMABUF_ARGS(sz) dev, dbuf, sz, dma_dir
#else
#define V4L2L_ATTACH_DMABUF_PARAMS struct vb2_buffer *vb, struct device *dev, \
	struct dma_buf *dbuf, unsigned long size
#define V4L2L_ATTACH_DMABUF_ARGS(sz) vb, dev, dbuf, sz
#endif

/*
 * The dma-buf symbols' namespace: 6.13 made MODULE_IMPORT_NS() take a
 * string; 5.16 put the dma-buf symbols in DMA_BUF (before, the import is
 * only a harmless modinfo tag).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define V4L2L_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#else
#define V4L2L_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif /* _V4L2LOOPBACK_COMPAT_H */
