// scale.h - bilinear scaling of 4-byte-per-pixel images (any channel order).
#ifndef V4L2LOOPBACK_ADDON_SCALE_H_
#define V4L2LOOPBACK_ADDON_SCALE_H_

#include <cstdint>

namespace v4l2l {

// Tightly packed sw x sh to dw x dh; pixel centres are aligned, edges clamp.
void ScaleBilinear4(const uint8_t* src, int sw, int sh, uint8_t* dst, int dw, int dh);

}  // namespace v4l2l

#endif  // V4L2LOOPBACK_ADDON_SCALE_H_
