// SPDX-License-Identifier: GPL-2.0
/* Pixel format table, size rules and black frames. */

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/videodev2.h>

#include "v4l2loopback-core.h"

/* AV1 (stream, not the stateless AV1F), as the classic module defines it */
#ifndef V4L2_PIX_FMT_AV1
#define V4L2_PIX_FMT_AV1	v4l2_fourcc('A', 'V', '0', '1')
#endif

#define PACKED(fcc, nm, bits, ws, fl, ...)				\
	{ .fourcc = fcc, .name = nm, .bpp = bits, .planes = 1,		\
	  .wstep = ws, .hstep = 1, .flags = fl,				\
	  .black = { __VA_ARGS__ },					\
	  .black_len = sizeof((u8[]){ __VA_ARGS__ }) }
#define PLANAR(fcc, nm, np, hs, vs)					\
	{ .fourcc = fcc, .name = nm, .bpp = 8, .planes = np,		\
	  .hsub = hs, .vsub = vs, .wstep = hs, .hstep = vs,		\
	  .flags = V4L2L_FMT_YUV }
#define COMPRESSED(fcc, nm)						\
	{ .fourcc = fcc, .name = nm, .bpp = 32, .planes = 1,		\
	  .wstep = 1, .hstep = 1, .flags = V4L2L_FMT_COMPRESSED }

/* the classic table order: BGR32 first, it is the default format */
static const struct v4l2l_format v4l2l_formats[] = {
	/* packed RGB */
	PACKED(V4L2_PIX_FMT_BGR32, "32 bpp RGB, le", 32, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB32, "32 bpp RGB, be", 32, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_BGR24, "24 bpp RGB, le", 24, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB24, "24 bpp RGB, be", 24, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_XBGR32, "32-bit BGRX 8-8-8-8", 32, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_ABGR32, "32-bit BGRA 8-8-8-8", 32, 1, 0,
	       0, 0, 0, 0xff),
	PACKED(V4L2_PIX_FMT_RGBA32, "32-bit RGBA 8-8-8-8", 32, 1, 0,
	       0, 0, 0, 0xff),
	PACKED(V4L2_PIX_FMT_RGB332, "8-bit RGB 3-3-2", 8, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB444, "16-bit RGB 4-4-4", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB555, "16-bit RGB 5-5-5", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB565, "16-bit RGB 5-6-5", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB555X, "16-bit RGB 5-5-5 BE", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_RGB565X, "16-bit RGB 5-6-5 BE", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_BGR666, "18-bit BGRX 6-6-6-14", 32, 1, 0, 0),
	/* packed YUV */
	PACKED(V4L2_PIX_FMT_YUYV, "4:2:2, packed, YUYV", 16, 2,
	       V4L2L_FMT_YUV, 16, 128, 16, 128),
	PACKED(V4L2_PIX_FMT_UYVY, "4:2:2, packed, UYVY", 16, 2,
	       V4L2L_FMT_YUV, 128, 16, 128, 16),
	PACKED(V4L2_PIX_FMT_YVYU, "4:2:2, packed, YVYU", 16, 2,
	       V4L2L_FMT_YUV, 16, 128, 16, 128),
	PACKED(V4L2_PIX_FMT_VYUY, "4:2:2, packed, VYUY", 16, 2,
	       V4L2L_FMT_YUV, 128, 16, 128, 16),
	PACKED(V4L2_PIX_FMT_YYUV, "4:2:2, packed, YYUV", 16, 2,
	       V4L2L_FMT_YUV, 16, 16, 128, 128),
	PACKED(V4L2_PIX_FMT_YUV32, "32-bit YUV 8-8-8-8", 32, 1,
	       V4L2L_FMT_YUV, 0xff, 16, 128, 128),
	PACKED(V4L2_PIX_FMT_YUV444, "16-bit xxxxyyyy uuuuvvvv", 16, 1,
	       V4L2L_FMT_YUV, 0x88, 0x01),
	PACKED(V4L2_PIX_FMT_YUV555, "16-bit YUV 5-5-5", 16, 1,
	       V4L2L_FMT_YUV, 0),
	PACKED(V4L2_PIX_FMT_YUV565, "16-bit YUV 5-6-5", 16, 1,
	       V4L2L_FMT_YUV, 0),
	PACKED(V4L2_PIX_FMT_Y41P, "12-bit YUV 4:1:1, packed", 12, 8,
	       V4L2L_FMT_YUV, 128, 16, 128, 16, 128, 16, 128, 16,
	       16, 16, 16, 16),
	/* greyscale */
	PACKED(V4L2_PIX_FMT_GREY, "8-bit Greyscale", 8, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_Y10, "10-bit Greyscale", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_Y12, "12-bit Greyscale", 16, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_Y16, "16-bit Greyscale", 16, 1, 0, 0),
	/* 8-bit Bayer */
	PACKED(V4L2_PIX_FMT_SRGGB8, "8-bit Bayer RGRG/GBGB", 8, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_SGRBG8, "8-bit Bayer GRGR/BGBG", 8, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_SGBRG8, "8-bit Bayer GBGB/RGRG", 8, 1, 0, 0),
	PACKED(V4L2_PIX_FMT_SBGGR8, "8-bit Bayer BGBG/GRGR", 8, 1, 0, 0),
	/* planar YUV */
	PLANAR(V4L2_PIX_FMT_YVU410, "Planar YVU 4:1:0", 3, 4, 4),
	PLANAR(V4L2_PIX_FMT_YVU420, "Planar YVU 4:2:0", 3, 2, 2),
	PLANAR(V4L2_PIX_FMT_YUV410, "Planar YUV 4:1:0", 3, 4, 4),
	PLANAR(V4L2_PIX_FMT_YUV420, "Planar YUV 4:2:0", 3, 2, 2),
	PLANAR(V4L2_PIX_FMT_YUV422P, "Planar YUV 4:2:2", 3, 2, 1),
	PLANAR(V4L2_PIX_FMT_YUV411P, "Planar YUV 4:1:1", 3, 4, 1),
	/* compressed: variable bytesused */
	COMPRESSED(V4L2_PIX_FMT_MJPEG, "Motion-JPEG"),
	COMPRESSED(V4L2_PIX_FMT_JPEG, "JFIF JPEG"),
	COMPRESSED(V4L2_PIX_FMT_DV, "1394"),
	COMPRESSED(V4L2_PIX_FMT_MPEG, "MPEG-1/2/4 Multiplexed"),
	COMPRESSED(V4L2_PIX_FMT_H264, "H.264"),
	COMPRESSED(V4L2_PIX_FMT_H264_NO_SC, "H.264 (No Start Codes)"),
	COMPRESSED(V4L2_PIX_FMT_H264_MVC, "H.264 MVC"),
	COMPRESSED(V4L2_PIX_FMT_H263, "H.263"),
	COMPRESSED(V4L2_PIX_FMT_MPEG1, "MPEG-1 ES"),
	COMPRESSED(V4L2_PIX_FMT_MPEG2, "MPEG-2 ES"),
	COMPRESSED(V4L2_PIX_FMT_MPEG4, "MPEG-4 part 2 ES"),
	COMPRESSED(V4L2_PIX_FMT_XVID, "Xvid"),
	COMPRESSED(V4L2_PIX_FMT_VC1_ANNEX_G, "VC-1 (SMPTE 412M Annex G)"),
	COMPRESSED(V4L2_PIX_FMT_VC1_ANNEX_L, "VC-1 (SMPTE 412M Annex L)"),
	COMPRESSED(V4L2_PIX_FMT_VP8, "VP8"),
	COMPRESSED(V4L2_PIX_FMT_VP9, "VP9"),
	COMPRESSED(V4L2_PIX_FMT_HEVC, "HEVC"),
	COMPRESSED(V4L2_PIX_FMT_AV1, "AV1"),
	/*
	 * Last: v4l-utils before 1.24 expect the pre-6.0 description of NV12
	 * ("Y/CbCr 4:2:0") and stop their ENUM_FMT test at it; listed last,
	 * no other format is hidden from their later format tests.
	 */
	PLANAR(V4L2_PIX_FMT_NV12, "Y/UV 4:2:0", 2, 2, 2),
};

const struct v4l2l_format *v4l2l_format_by_index(unsigned int index)
{
	if (index >= ARRAY_SIZE(v4l2l_formats))
		return NULL;
	return &v4l2l_formats[index];
}

const struct v4l2l_format *v4l2l_find_format(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v4l2l_formats); i++)
		if (v4l2l_formats[i].fourcc == fourcc)
			return &v4l2l_formats[i];
	return NULL;
}

bool v4l2l_is_compressed(u32 fourcc)
{
	const struct v4l2l_format *f = v4l2l_find_format(fourcc);

	return f && (f->flags & V4L2L_FMT_COMPRESSED);
}

static u32 v4l2l_clamp_dim(u32 v, u32 def, u32 min, u32 max, u32 step)
{
	if (!v)
		v = def;
	/* the smallest multiple of step that is >= min, the largest <= max */
	min = roundup(min, step);
	max = rounddown(max, step);
	if (max < min)
		max = min;
	v = clamp(v, min, max);
	return rounddown(v, step);
}

/*
 * Adjusts a format to one the device supports (TRY_FMT semantics: never
 * fails). Unknown fourccs become the first table entry.
 */
void v4l2l_fill_pix(struct v4l2l_dev *dev, struct v4l2_pix_format *pix)
{
	const struct v4l2l_format *f = v4l2l_find_format(pix->pixelformat);
	u32 w, h;

	if (!f)
		f = &v4l2l_formats[0];
	pix->pixelformat = f->fourcc;
	w = v4l2l_clamp_dim(pix->width, V4L2L_DEFAULT_WIDTH, dev->min_width,
			    dev->max_width, f->wstep);
	h = v4l2l_clamp_dim(pix->height, V4L2L_DEFAULT_HEIGHT, dev->min_height,
			    dev->max_height, f->hstep);
	pix->width = w;
	pix->height = h;
	pix->field = V4L2_FIELD_NONE;

	if (f->flags & V4L2L_FMT_COMPRESSED) {
		pix->bytesperline = 0;
		pix->sizeimage = w * h * 4;
	} else if (f->planes == 1) {
		pix->bytesperline = w * f->bpp / 8;
		pix->sizeimage = pix->bytesperline * h;
	} else {
		/* luma plane, then two chroma planes or one interleaved plane */
		pix->bytesperline = w;
		pix->sizeimage = w * h + 2 * (w / f->hsub) * (h / f->vsub);
	}

	if (pix->colorspace == V4L2_COLORSPACE_DEFAULT ||
	    pix->colorspace > V4L2_COLORSPACE_DCI_P3)
		pix->colorspace = V4L2_COLORSPACE_SRGB;
	if (pix->xfer_func > V4L2_XFER_FUNC_SMPTE2084)
		pix->xfer_func = V4L2_XFER_FUNC_DEFAULT;
	if (pix->ycbcr_enc > V4L2_YCBCR_ENC_SMPTE240M)
		pix->ycbcr_enc = V4L2_YCBCR_ENC_DEFAULT;
	if (pix->quantization > V4L2_QUANTIZATION_LIM_RANGE)
		pix->quantization = V4L2_QUANTIZATION_DEFAULT;
	pix->flags = 0;
	pix->priv = 0;
}

bool v4l2l_pix_equal(const struct v4l2_pix_format *a,
		     const struct v4l2_pix_format *b)
{
	return a->pixelformat == b->pixelformat && a->width == b->width &&
	       a->height == b->height && a->bytesperline == b->bytesperline &&
	       a->sizeimage == b->sizeimage;
}

/* fills a whole raw frame with black (Y=16, Cb=Cr=128 for YUV) */
void v4l2l_fill_black(const struct v4l2_pix_format *pix, void *dst)
{
	const struct v4l2l_format *f = v4l2l_find_format(pix->pixelformat);
	size_t luma, i;
	u8 *p = dst;

	if (!f || (f->flags & V4L2L_FMT_COMPRESSED)) {
		memset(dst, 0, pix->sizeimage);
		return;
	}
	if (f->planes > 1) {
		luma = (size_t)pix->width * pix->height;
		memset(p, 16, luma);
		memset(p + luma, 128, pix->sizeimage - luma);
		return;
	}
	if (f->black_len <= 1) {
		memset(dst, f->black_len ? f->black[0] : 0, pix->sizeimage);
		return;
	}
	/* a line is a whole number of patterns: widths are multiples of wstep */
	for (i = 0; i + f->black_len <= pix->sizeimage; i += f->black_len)
		memcpy(p + i, f->black, f->black_len);
}

/* 0 means "default" (30 fps); faster than V4L2L_MAX_FPS is capped */
void v4l2l_clamp_timeperframe(struct v4l2_fract *tpf)
{
	if (!tpf->numerator || !tpf->denominator) {
		tpf->numerator = 1;
		tpf->denominator = V4L2L_DEFAULT_FPS;
		return;
	}
	if ((u64)tpf->denominator > (u64)tpf->numerator * V4L2L_MAX_FPS) {
		tpf->numerator = 1;
		tpf->denominator = V4L2L_MAX_FPS;
	}
}
