// scale.cc - bilinear scaling of 4-byte pixels in 16.16 fixed point: each
// output row blends two source rows (8-bit weight) into a 16-bit row, then
// each output pixel blends two columns of that row.
#include "scale.h"

#include "planes.h"

#include <cstddef>
#include <vector>

namespace v4l2l {

namespace {

// Source position of output sample i (centres aligned), 16.16, clamped to
// [0, n - 1].
int64_t Position(int i, int n_src, int n_dst) {
  int64_t p = ((2 * static_cast<int64_t>(i) + 1) * n_src * 65536) / (2 * n_dst) - 32768;
  int64_t max = static_cast<int64_t>(n_src - 1) * 65536;
  return p < 0 ? 0 : p > max ? max : p;
}

V4L2L_CLONES
void BlendRows(const uint8_t* __restrict__ a, const uint8_t* __restrict__ b,
               uint16_t* __restrict__ out, int n, int wb) {
  int wa = 256 - wb;
  for (int i = 0; i < n; i++) out[i] = static_cast<uint16_t>(a[i] * wa + b[i] * wb);
}

}  // namespace

void ScaleBilinear4(const uint8_t* src, int sw, int sh, uint8_t* dst, int dw, int dh) {
  const size_t src_row = static_cast<size_t>(sw) * 4;
  std::vector<int> x0(dw), wx(dw);
  for (int x = 0; x < dw; x++) {
    int64_t p = Position(x, sw, dw);
    x0[x] = static_cast<int>(p >> 16);
    wx[x] = static_cast<int>((p >> 8) & 0xff);
  }
  std::vector<uint16_t> row(src_row);
  for (int y = 0; y < dh; y++) {
    int64_t p = Position(y, sh, dh);
    int y0 = static_cast<int>(p >> 16);
    int y1 = y0 + 1 < sh ? y0 + 1 : y0;
    BlendRows(src + y0 * src_row, src + y1 * src_row, row.data(), static_cast<int>(src_row),
              static_cast<int>((p >> 8) & 0xff));
    uint8_t* out = dst + static_cast<size_t>(y) * dw * 4;
    for (int x = 0; x < dw; x++) {
      const uint16_t* l = row.data() + static_cast<size_t>(x0[x]) * 4;
      const uint16_t* r = x0[x] + 1 < sw ? l + 4 : l;
      int b = wx[x], a = 256 - b;
      for (int c = 0; c < 4; c++) {
        out[4 * x + c] = static_cast<uint8_t>((l[c] * a + r[c] * b + 32768) >> 16);
      }
    }
  }
}

}  // namespace v4l2l
