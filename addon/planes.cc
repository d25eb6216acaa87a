// planes.cc - the row primitives of planes.h: byte shuffles between packed
// pixels and planes, written as fixed-stride loops (template parameters)
// so the compiler turns each into vector loads, shuffles and stores.
#include "planes.h"

#include <cstring>

namespace v4l2l {

namespace {

// Bytes R, G, B sit at offsets RO, GO, BO of each BPP-byte pixel.
template <int BPP, int RO, int GO, int BO>
V4L2L_CLONES void Split(const uint8_t* __restrict__ row, uint8_t* __restrict__ r,
                        uint8_t* __restrict__ g, uint8_t* __restrict__ b, int w) {
  for (int i = 0; i < w; i++) {
    r[i] = row[BPP * i + RO];
    g[i] = row[BPP * i + GO];
    b[i] = row[BPP * i + BO];
  }
}

template <int RO, int GO, int BO>
V4L2L_CLONES void Merge3(const uint8_t* __restrict__ r, const uint8_t* __restrict__ g,
                         const uint8_t* __restrict__ b, uint8_t* __restrict__ row, int w) {
  for (int i = 0; i < w; i++) {
    row[3 * i + RO] = r[i];
    row[3 * i + GO] = g[i];
    row[3 * i + BO] = b[i];
  }
}

// 4-byte pixels are written as one 32-bit word (alpha 255 at byte 3), which
// vectorizes better than four byte stores.
template <int RS, int BS>
V4L2L_CLONES void Merge4(const uint8_t* __restrict__ r, const uint8_t* __restrict__ g,
                         const uint8_t* __restrict__ b, uint8_t* __restrict__ row, int w) {
  for (int i = 0; i < w; i++) {
    uint32_t px = (static_cast<uint32_t>(r[i]) << RS) | (static_cast<uint32_t>(g[i]) << 8) |
                  (static_cast<uint32_t>(b[i]) << BS) | 0xff000000u;
    std::memcpy(row + 4 * static_cast<size_t>(i), &px, 4);  // little-endian word
  }
}

// Y0, U, Y1, V at offsets Y0, UO, Y0 + 2, VO of each 4-byte macropixel.
template <int Y0, int UO, int VO>
V4L2L_CLONES void Unpack422(const uint8_t* __restrict__ row, uint8_t* __restrict__ y,
                            uint8_t* __restrict__ u, uint8_t* __restrict__ v, int cw) {
  for (int i = 0; i < cw; i++) {
    y[2 * i] = row[4 * i + Y0];
    y[2 * i + 1] = row[4 * i + Y0 + 2];
    u[i] = row[4 * i + UO];
    v[i] = row[4 * i + VO];
  }
}

template <int Y0, int UO, int VO>
V4L2L_CLONES void Pack422(const uint8_t* __restrict__ y, const uint8_t* __restrict__ u,
                          const uint8_t* __restrict__ v, uint8_t* __restrict__ row, int cw) {
  for (int i = 0; i < cw; i++) {
    row[4 * i + Y0] = y[2 * i];
    row[4 * i + Y0 + 2] = y[2 * i + 1];
    row[4 * i + UO] = u[i];
    row[4 * i + VO] = v[i];
  }
}

}  // namespace

void RgbRowToPlanes(RgbOrder order, const uint8_t* row, uint8_t* r, uint8_t* g, uint8_t* b,
                    int w) {
  switch (order) {
    case RgbOrder::kRgb: Split<3, 0, 1, 2>(row, r, g, b, w); break;
    case RgbOrder::kBgr: Split<3, 2, 1, 0>(row, r, g, b, w); break;
    case RgbOrder::kRgba: Split<4, 0, 1, 2>(row, r, g, b, w); break;
    case RgbOrder::kBgra: Split<4, 2, 1, 0>(row, r, g, b, w); break;
  }
}

void PlanesToRgbRow(RgbOrder order, const uint8_t* r, const uint8_t* g, const uint8_t* b,
                    uint8_t* row, int w) {
  switch (order) {
    case RgbOrder::kRgb: Merge3<0, 1, 2>(r, g, b, row, w); break;
    case RgbOrder::kBgr: Merge3<2, 1, 0>(r, g, b, row, w); break;
    case RgbOrder::kRgba: Merge4<0, 16>(r, g, b, row, w); break;
    case RgbOrder::kBgra: Merge4<16, 0>(r, g, b, row, w); break;
  }
}

V4L2L_CLONES
void SwapRedBlue4(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int w) {
  for (int i = 0; i < w; i++) {
    uint32_t px;
    std::memcpy(&px, src + 4 * static_cast<size_t>(i), 4);
    px = (px & 0xff00ff00u) | ((px >> 16) & 0xffu) | ((px & 0xffu) << 16);
    std::memcpy(dst + 4 * static_cast<size_t>(i), &px, 4);
  }
}

V4L2L_CLONES
void SplitPairs(const uint8_t* __restrict__ src, uint8_t* __restrict__ a,
                uint8_t* __restrict__ b, int n) {
  for (int i = 0; i < n; i++) {
    a[i] = src[2 * i];
    b[i] = src[2 * i + 1];
  }
}

V4L2L_CLONES
void MergePairs(const uint8_t* __restrict__ a, const uint8_t* __restrict__ b,
                uint8_t* __restrict__ dst, int n) {
  for (int i = 0; i < n; i++) {
    dst[2 * i] = a[i];
    dst[2 * i + 1] = b[i];
  }
}

void Packed422ToPlanes(Packed422 order, const uint8_t* row, uint8_t* y, uint8_t* u, uint8_t* v,
                       int w) {
  if (order == Packed422::kYuyv) Unpack422<0, 1, 3>(row, y, u, v, w / 2);
  else Unpack422<1, 0, 2>(row, y, u, v, w / 2);
}

void PlanesToPacked422(Packed422 order, const uint8_t* y, const uint8_t* u, const uint8_t* v,
                       uint8_t* row, int w) {
  if (order == Packed422::kYuyv) Pack422<0, 1, 3>(y, u, v, row, w / 2);
  else Pack422<1, 0, 2>(y, u, v, row, w / 2);
}

V4L2L_CLONES
void AverageRows(const uint8_t* __restrict__ a, const uint8_t* __restrict__ b,
                 uint8_t* __restrict__ dst, int n) {
  for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>((a[i] + b[i] + 1) >> 1);
}

V4L2L_CLONES
void PlanesToGrey(const uint8_t* __restrict__ r, const uint8_t* __restrict__ g,
                  const uint8_t* __restrict__ b, uint8_t* __restrict__ grey, int w) {
  // 0.299, 0.587, 0.114 in 16.16; they add up to 65536, so white stays 255.
  for (int i = 0; i < w; i++) {
    grey[i] = static_cast<uint8_t>((19595 * r[i] + 38470 * g[i] + 7471 * b[i] + 32768) >> 16);
  }
}

void CopyPlane(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, size_t bytes,
               int rows) {
  for (int y = 0; y < rows; y++) {
    std::memcpy(dst + static_cast<size_t>(y) * dst_stride,
                src + static_cast<size_t>(y) * src_stride, bytes);
  }
}

void FillPlane(uint8_t* dst, int stride, size_t bytes, int rows, uint8_t value) {
  for (int y = 0; y < rows; y++) std::memset(dst + static_cast<size_t>(y) * stride, value, bytes);
}

}  // namespace v4l2l
