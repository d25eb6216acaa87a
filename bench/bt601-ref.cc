// SPDX-License-Identifier: GPL-2.0
// bt601-ref.cc - gives the C benchmark driver (v4l2l-bench.c) the addon's
// own RGB -> YUV routine: addon/bt601.cc is compiled and linked in, not
// copied, so `v4l2l-bench produce -F RGB3` converts exactly as
// VirtualCamera.send() does (convert() from RGB3 ends in the same
// RgbToYuv() call with these planes and strides).
#include <linux/videodev2.h>

#include <cstdint>

#include "../addon/bt601.h"

extern "C" int v4l2l_bench_rgb_to_yuv(const uint8_t* rgb, uint8_t* dst, uint32_t fourcc,
                                      uint32_t bytesperline, int width, int height) {
  v4l2l::YuvDest d{};
  switch (fourcc) {
    case V4L2_PIX_FMT_YUYV: d.layout = v4l2l::YuvLayout::kYuyv; break;
    case V4L2_PIX_FMT_UYVY: d.layout = v4l2l::YuvLayout::kUyvy; break;
    default: return -1;  // the benchmark's frames are packed 4:2:2
  }
  d.p[0] = dst;
  d.s[0] = static_cast<int>(bytesperline);
  v4l2l::RgbToYuv({v4l2l::RgbOrder::kRgb, rgb, width * 3}, d, width, height);
  return 0;
}
