// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer memory of the queues: vb2's vmalloc allocator, with DMABUF
 * imports smaller than the plane they are queued for refused by the driver
 * instead of by the allocator's attach.
 *
 * Why: vb2 of Linux 6.12 (__prepare_dmabuf) drops the dma-buf reference it
 * took only for planes already attached when attaching fails. A QBUF with
 * a DMABUF length larger than the dma-buf made vmalloc's attach fail, and
 * every such call leaked the dma-buf and the memory behind it. So QBUF and
 * PREPARE_BUF check the length first (v4l2l_check_dmabuf_fd), and, for an
 * fd swapped under that check by another thread, attach takes at most the
 * dma-buf's size, which never fails that way: the plane is then owned by
 * vb2 and put on the error path of buf_init (v4l2l_check_dmabuf).
 */
#include <linux/dma-buf.h>
#include <linux/module.h>
#include <media/videobuf2-vmalloc.h>

#include "v4l2loopback-core.h"

V4L2L_IMPORT_NS_DMA_BUF();

struct vb2_mem_ops v4l2l_memops;

/* the signature differs before 5.15: see v4l2loopback-compat.h */
static void *v4l2l_attach_dmabuf(V4L2L_ATTACH_DMABUF_PARAMS)
{
	return vb2_vmalloc_memops.attach_dmabuf(
		V4L2L_ATTACH_DMABUF_ARGS(min_t(unsigned long, size, dbuf->size)));
}

/* QBUF, PREPARE_BUF: a dma-buf shorter than the length asked for is refused */
int v4l2l_check_dmabuf_fd(const struct v4l2_buffer *b)
{
	struct dma_buf *dbuf;
	int ret = 0;

	if (b->memory != V4L2_MEMORY_DMABUF || !b->length ||
	    V4L2_TYPE_IS_MULTIPLANAR(b->type))
		return 0;
	dbuf = dma_buf_get(b->m.fd);
	if (IS_ERR(dbuf))
		return 0;	/* vb2 reports the bad fd */
	if (b->length > dbuf->size)
		ret = -EINVAL;
	dma_buf_put(dbuf);
	return ret;
}

/* a queued dma-buf holds the whole plane: checked from buf_init */
int v4l2l_check_dmabuf(struct vb2_buffer *vb)
{
	unsigned int i;

	for (i = 0; i < vb->num_planes; i++)
		if (vb->planes[i].dbuf &&
		    vb->planes[i].dbuf->size < vb2_plane_size(vb, i))
			return -EINVAL;
	return 0;
}

void v4l2l_memops_init(void)
{
	v4l2l_memops = vb2_vmalloc_memops;
	v4l2l_memops.attach_dmabuf = v4l2l_attach_dmabuf;
}
