// bt601.h - rounding-correct BT.601 (limited range) conversions between
// packed RGB/BGR/RGBA/BGRA and I420, NV12, YUYV, UYVY, both ways. libyuv's
// 6- and 8-bit coefficients and pairwise chroma averaging are off by up to 2
// (5 on the way back), which makes a round trip miss by 3 or more; these
// are within 1/64 of the exact value before rounding.
#ifndef V4L2LOOPBACK_ADDON_RGB2YUV_H_
#define V4L2LOOPBACK_ADDON_RGB2YUV_H_

#include <cstddef>
#include <cstdint>

#include "planes.h"

namespace v4l2l {

// Destination layout of the YUV image.
enum class YuvLayout { kI420, kNv12, kYuyv, kUyvy };

struct RgbSource {
  RgbOrder order;
  const uint8_t* data;
  int stride;
};

// Planes of the destination: p[0] luma (or the packed 4:2:2 image); for
// I420 p[1] = U and p[2] = V; for NV12 p[1] = interleaved UV.
struct YuvDest {
  YuvLayout layout;
  uint8_t* p[3];
  int s[3];
};

// Converts a width x height image (width even; height even for 4:2:0).
void RgbToYuv(const RgbSource& src, const YuvDest& dst, int width, int height);

// The other way: a YUV image (planes as in YuvDest) to packed RGB; alpha,
// if any, is 255. Chroma is replicated (nearest), as V4L2 consumers do.
struct RgbDest {
  RgbOrder order;
  uint8_t* data;
  int stride;
};
void YuvToRgb(const YuvDest& src, const RgbDest& dst, int width, int height);

}  // namespace v4l2l

#endif  // V4L2LOOPBACK_ADDON_RGB2YUV_H_
