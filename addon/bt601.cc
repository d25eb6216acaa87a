// bt601.cc - rounding-correct BT.601 limited-range RGB <-> YUV. Rows are
// split into (or merged from) R, G and B planes (planes.cc), and plain loops over those planes do the arithmetic in 16.16 fixed point;
// the compiler vectorizes them, with an AVX2 clone picked at load time.
#include "bt601.h"

#include <utility>
#include <vector>

namespace v4l2l {

namespace {

// Coefficients / 255 in 16.16 fixed point (BT.601, 8-bit limited range):
// Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255
// U = 128 + (-37.797 R - 74.203 G + 112 B) / 255
// V = 128 + (112 R - 93.786 G - 18.214 B) / 255
constexpr int kShift = 16;
constexpr int kYR = 16829, kYG = 33039, kYB = 6416;
constexpr int kUR = -9714, kUG = -19070, kUB = 28784;
constexpr int kVR = 28784, kVG = -24103, kVB = -4681;
static_assert(kUR + kUG + kUB == 0, "grey must give U = 128");
static_assert(kVR + kVG + kVB == 0, "grey must give V = 128");

V4L2L_CLONES
void RowY(const uint8_t* __restrict__ r, const uint8_t* __restrict__ g,
          const uint8_t* __restrict__ b, uint8_t* __restrict__ y, int w) {
  constexpr int kOffset = (16 << kShift) + (1 << (kShift - 1));
  for (int i = 0; i < w; i++) {
    y[i] = static_cast<uint8_t>((kYR * r[i] + kYG * g[i] + kYB * b[i] + kOffset) >> kShift);
  }
}

// Chroma of the 2x2 blocks of two rows (4:2:0): the mean of four pixels.
V4L2L_CLONES
void RowUV420(const uint8_t* __restrict__ r0, const uint8_t* __restrict__ g0,
              const uint8_t* __restrict__ b0, const uint8_t* __restrict__ r1,
              const uint8_t* __restrict__ g1, const uint8_t* __restrict__ b1,
              uint8_t* __restrict__ u, uint8_t* __restrict__ v, int cw) {
  constexpr int kOffset = (128 << (kShift + 2)) + (1 << (kShift + 1));
  for (int i = 0; i < cw; i++) {
    int rs = r0[2 * i] + r0[2 * i + 1] + r1[2 * i] + r1[2 * i + 1];
    int gs = g0[2 * i] + g0[2 * i + 1] + g1[2 * i] + g1[2 * i + 1];
    int bs = b0[2 * i] + b0[2 * i + 1] + b1[2 * i] + b1[2 * i + 1];
    u[i] = static_cast<uint8_t>((kUR * rs + kUG * gs + kUB * bs + kOffset) >> (kShift + 2));
    v[i] = static_cast<uint8_t>((kVR * rs + kVG * gs + kVB * bs + kOffset) >> (kShift + 2));
  }
}

// Chroma of horizontal pairs of one row (4:2:2).
V4L2L_CLONES
void RowUV422(const uint8_t* __restrict__ r, const uint8_t* __restrict__ g,
              const uint8_t* __restrict__ b, uint8_t* __restrict__ u,
              uint8_t* __restrict__ v, int cw) {
  constexpr int kOffset = (128 << (kShift + 1)) + (1 << kShift);
  for (int i = 0; i < cw; i++) {
    int rs = r[2 * i] + r[2 * i + 1];
    int gs = g[2 * i] + g[2 * i + 1];
    int bs = b[2 * i] + b[2 * i + 1];
    u[i] = static_cast<uint8_t>((kUR * rs + kUG * gs + kUB * bs + kOffset) >> (kShift + 1));
    v[i] = static_cast<uint8_t>((kVR * rs + kVG * gs + kVB * bs + kOffset) >> (kShift + 1));
  }
}

// One row of the source as R, G and B planes.
void SplitRow(const RgbSource& s, int y, uint8_t* r, uint8_t* g, uint8_t* b, int w) {
  RgbRowToPlanes(s.order, s.data + static_cast<size_t>(y) * s.stride, r, g, b, w);
}

// Inverse, in 16.16: R = 1.164383 (Y - 16) + 1.596027 (V - 128), and so on.
constexpr int kRY = 76309, kRV = 104597, kGU = -25675, kGV = -53279, kBU = 132201;

inline int Clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

// One row: a chroma sample covers two pixels.
V4L2L_CLONES
void RowRgb(const uint8_t* __restrict__ y, const uint8_t* __restrict__ u,
            const uint8_t* __restrict__ v, uint8_t* __restrict__ r,
            uint8_t* __restrict__ g, uint8_t* __restrict__ b, int cw) {
  constexpr int kRound = 1 << (kShift - 1);
  for (int i = 0; i < cw; i++) {
    int cu = u[i] - 128, cv = v[i] - 128;
    int dr = kRV * cv + kRound;
    int dg = kGU * cu + kGV * cv + kRound;
    int db = kBU * cu + kRound;
    int c0 = (y[2 * i] - 16) * kRY;
    int c1 = (y[2 * i + 1] - 16) * kRY;
    r[2 * i] = static_cast<uint8_t>(Clamp255((c0 + dr) >> kShift));
    r[2 * i + 1] = static_cast<uint8_t>(Clamp255((c1 + dr) >> kShift));
    g[2 * i] = static_cast<uint8_t>(Clamp255((c0 + dg) >> kShift));
    g[2 * i + 1] = static_cast<uint8_t>(Clamp255((c1 + dg) >> kShift));
    b[2 * i] = static_cast<uint8_t>(Clamp255((c0 + db) >> kShift));
    b[2 * i + 1] = static_cast<uint8_t>(Clamp255((c1 + db) >> kShift));
  }
}

void MergeRow(const RgbDest& d, int y, const uint8_t* r, const uint8_t* g, const uint8_t* b,
              int w) {
  PlanesToRgbRow(d.order, r, g, b, d.data + static_cast<size_t>(y) * d.stride, w);
}

}  // namespace

void YuvToRgb(const YuvDest& s, const RgbDest& d, int w, int h) {
  const int cw = w / 2;
  const size_t ws = static_cast<size_t>(w);
  std::vector<uint8_t> scratch(ws * 4 + static_cast<size_t>(cw) * 2);
  uint8_t* r = scratch.data();
  uint8_t* g = r + ws;
  uint8_t* b = g + ws;
  uint8_t* ty = b + ws;
  uint8_t* tu = ty + ws;
  uint8_t* tv = tu + cw;
  for (int y = 0; y < h; y++) {
    const uint8_t* row = s.p[0] + static_cast<size_t>(y) * s.s[0];
    const uint8_t* py = row;
    const uint8_t* pu = tu;
    const uint8_t* pv = tv;
    size_t cy = static_cast<size_t>(y / 2);
    switch (s.layout) {
      case YuvLayout::kI420:
        pu = s.p[1] + cy * s.s[1];
        pv = s.p[2] + cy * s.s[2];
        break;
      case YuvLayout::kNv12:
        SplitPairs(s.p[1] + cy * s.s[1], tu, tv, cw);
        break;
      case YuvLayout::kYuyv:
        Packed422ToPlanes(Packed422::kYuyv, row, ty, tu, tv, w);
        py = ty;
        break;
      case YuvLayout::kUyvy:
        Packed422ToPlanes(Packed422::kUyvy, row, ty, tu, tv, w);
        py = ty;
        break;
    }
    RowRgb(py, pu, pv, r, g, b, cw);
    MergeRow(d, y, r, g, b, w);
  }
}

void RgbToYuv(const RgbSource& src, const YuvDest& d, int w, int h) {
  const int cw = w / 2;
  const size_t ws = static_cast<size_t>(w);
  // r0 g0 b0 r1 g1 b1 | y u v: a few KiB, stays in L1/L2.
  std::vector<uint8_t> scratch(ws * 7 + static_cast<size_t>(cw) * 2);
  uint8_t* r0 = scratch.data();
  uint8_t* g0 = r0 + ws;
  uint8_t* b0 = g0 + ws;
  uint8_t* r1 = b0 + ws;
  uint8_t* g1 = r1 + ws;
  uint8_t* b1 = g1 + ws;
  uint8_t* ty = b1 + ws;
  uint8_t* tu = ty + ws;
  uint8_t* tv = tu + cw;

  if (d.layout == YuvLayout::kI420 || d.layout == YuvLayout::kNv12) {
    for (int y = 0; y < h; y += 2) {
      SplitRow(src, y, r0, g0, b0, w);
      SplitRow(src, y + 1, r1, g1, b1, w);
      RowY(r0, g0, b0, d.p[0] + static_cast<size_t>(y) * d.s[0], w);
      RowY(r1, g1, b1, d.p[0] + static_cast<size_t>(y + 1) * d.s[0], w);
      size_t cy = static_cast<size_t>(y / 2);
      if (d.layout == YuvLayout::kI420) {
        RowUV420(r0, g0, b0, r1, g1, b1, d.p[1] + cy * d.s[1], d.p[2] + cy * d.s[2], cw);
      } else {
        RowUV420(r0, g0, b0, r1, g1, b1, tu, tv, cw);
        MergePairs(tu, tv, d.p[1] + cy * d.s[1], cw);
      }
    }
    return;
  }
  for (int y = 0; y < h; y++) {
    SplitRow(src, y, r0, g0, b0, w);
    RowY(r0, g0, b0, ty, w);
    RowUV422(r0, g0, b0, tu, tv, cw);
    uint8_t* out = d.p[0] + static_cast<size_t>(y) * d.s[0];
    PlanesToPacked422(d.layout == YuvLayout::kYuyv ? Packed422::kYuyv : Packed422::kUyvy, ty, tu,
                      tv, out, w);
  }
}

}  // namespace v4l2l
