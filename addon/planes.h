// planes.h - row primitives that move bytes between packed pixels and
// planes (split, merge, 4:2:2 packing, chroma averaging). Plain loops the
// compiler vectorizes; they replace the libyuv routines the addon used.
#ifndef V4L2LOOPBACK_ADDON_PLANES_H_
#define V4L2LOOPBACK_ADDON_PLANES_H_

#include <cstddef>
#include <cstdint>

// GCC on x86-64 builds an AVX2 clone of a hot loop next to the baseline one
// and picks it at load time; elsewhere (arm64: NEON is baseline) one build.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define V4L2L_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define V4L2L_CLONES
#endif

namespace v4l2l {

// Byte order of packed RGB pixels in memory.
enum class RgbOrder { kRgb, kBgr, kRgba, kBgra };

// Byte order of packed 4:2:2 macropixels.
enum class Packed422 { kYuyv, kUyvy };

// A packed RGB row of w pixels to R, G and B planes (alpha dropped).
void RgbRowToPlanes(RgbOrder order, const uint8_t* row, uint8_t* r, uint8_t* g, uint8_t* b,
                    int w);
// R, G and B planes to a packed RGB row of w pixels (alpha 255).
void PlanesToRgbRow(RgbOrder order, const uint8_t* r, const uint8_t* g, const uint8_t* b,
                    uint8_t* row, int w);

// 4-byte pixels with bytes 0 and 2 swapped (RGBA <-> BGRA), alpha kept.
void SwapRedBlue4(const uint8_t* src, uint8_t* dst, int w);

// n interleaved pairs (NV12 chroma) to two planes, and back.
void SplitPairs(const uint8_t* src, uint8_t* a, uint8_t* b, int n);
void MergePairs(const uint8_t* a, const uint8_t* b, uint8_t* dst, int n);

// A packed 4:2:2 row of w pixels (w even) to Y, U and V planes (w/2 each
// for U and V), and back.
void Packed422ToPlanes(Packed422 order, const uint8_t* row, uint8_t* y, uint8_t* u, uint8_t* v,
                       int w);
void PlanesToPacked422(Packed422 order, const uint8_t* y, const uint8_t* u, const uint8_t* v,
                       uint8_t* row, int w);

// dst[i] = (a[i] + b[i] + 1) / 2: two chroma rows to one (4:2:2 -> 4:2:0).
void AverageRows(const uint8_t* a, const uint8_t* b, uint8_t* dst, int n);

// Full-range luma of R, G, B planes (JPEG weights), for GREY.
void PlanesToGrey(const uint8_t* r, const uint8_t* g, const uint8_t* b, uint8_t* grey, int w);

// Copies a plane of `bytes` per row; fills one with a value.
void CopyPlane(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, size_t bytes,
               int rows);
void FillPlane(uint8_t* dst, int stride, size_t bytes, int rows, uint8_t value);

}  // namespace v4l2l

#endif  // V4L2LOOPBACK_ADDON_PLANES_H_
