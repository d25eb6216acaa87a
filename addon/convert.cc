// convert.cc - pixel conversions between the formats the library speaks:
// exact BT.601 for RGB <-> YUV (bt601.cc), byte shuffles (planes.cc) for
// RGB orders, grey and YUV layouts among themselves; and bilinear scaling
// (scale.cc). No external library.
#include "common.h"
#include "bt601.h"
#include "planes.h"
#include "scale.h"

#include <linux/videodev2.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace v4l2l {

namespace {

// Kinds are named as libyuv names formats, by their little-endian word:
// "Raw" is R,G,B in memory (V4L2 RGB3), "Rgb24" is B,G,R (BGR3), "Abgr" is
// R,G,B,A (AB24) and "Argb" is B,G,R,A (AR24).
enum class Kind { kRaw, kRgb24, kAbgr, kArgb, kGrey, kI420, kNv12, kYuy2, kUyvy };

struct Image {
  Kind kind;
  int width;
  int height;
  uint8_t* p[3];
  int s[3];
};

bool KindOf(uint32_t fourcc, Kind* kind, bool* swap_uv) {
  *swap_uv = false;
  switch (fourcc) {
    case V4L2_PIX_FMT_RGB24: *kind = Kind::kRaw; return true;
    case V4L2_PIX_FMT_BGR24: *kind = Kind::kRgb24; return true;
    case V4L2_PIX_FMT_RGBA32:
    case V4L2_PIX_FMT_RGBX32: *kind = Kind::kAbgr; return true;
    case V4L2_PIX_FMT_ABGR32:
    case V4L2_PIX_FMT_XBGR32:
    case V4L2_PIX_FMT_BGR32: *kind = Kind::kArgb; return true;
    case V4L2_PIX_FMT_GREY: *kind = Kind::kGrey; return true;
    case V4L2_PIX_FMT_YUV420: *kind = Kind::kI420; return true;
    case V4L2_PIX_FMT_YVU420: *kind = Kind::kI420; *swap_uv = true; return true;
    case V4L2_PIX_FMT_NV12: *kind = Kind::kNv12; return true;
    case V4L2_PIX_FMT_YUYV: *kind = Kind::kYuy2; return true;
    case V4L2_PIX_FMT_UYVY: *kind = Kind::kUyvy; return true;
    default: return false;
  }
}

int BytesPerPixel(Kind k) {
  switch (k) {
    case Kind::kRaw:
    case Kind::kRgb24: return 3;
    case Kind::kAbgr:
    case Kind::kArgb: return 4;
    case Kind::kYuy2:
    case Kind::kUyvy: return 2;
    default: return 1;
  }
}

std::string FourccString(uint32_t f) {
  std::string s;
  for (int i = 0; i < 4; i++) s += static_cast<char>((f >> (8 * i)) & 0xff);
  return s;
}

// Lays the planes out over `data` (V4L2 single-buffer conventions: chroma
// planes of YU12 use half the luma stride, NV12's UV plane the full one)
// and checks that `length` holds them.
Image Layout(Napi::Env env, const char* what, uint32_t fourcc, Bytes bytes,
             uint32_t stride, int w, int h) {
  Kind kind;
  bool swap_uv;
  if (!KindOf(fourcc, &kind, &swap_uv)) {
    throw Napi::RangeError::New(env, std::string("Unsupported pixel format '") +
                                         FourccString(fourcc) + "' for " + what);
  }
  bool subsampled = kind == Kind::kI420 || kind == Kind::kNv12;
  bool macropixel = kind == Kind::kYuy2 || kind == Kind::kUyvy;
  if ((subsampled || macropixel) && (w % 2) != 0) {
    throw Napi::RangeError::New(env, std::string("Format '") + FourccString(fourcc) +
                                         "' needs an even width");
  }
  if (subsampled && (h % 2) != 0) {
    throw Napi::RangeError::New(env, std::string("Format '") + FourccString(fourcc) +
                                         "' needs an even height");
  }
  size_t row = static_cast<size_t>(w) * BytesPerPixel(kind);
  size_t s = stride == 0 ? row : stride;
  if (s > (1u << 20)) {
    throw Napi::RangeError::New(env, std::string("Stride of ") + what + " is larger than 1 MiB");
  }
  if (s < row) {
    throw Napi::RangeError::New(env, std::string("Stride of ") + what + " is smaller than a row");
  }
  Image img{kind, w, h, {bytes.data, nullptr, nullptr}, {static_cast<int>(s), 0, 0}};
  size_t need = s * h;
  if (kind == Kind::kI420) {
    size_t cs = s / 2;
    size_t plane = cs * (h / 2);
    img.p[1] = bytes.data + need;
    img.p[2] = bytes.data + need + plane;
    img.s[1] = img.s[2] = static_cast<int>(cs);
    if (swap_uv) std::swap(img.p[1], img.p[2]);
    need += 2 * plane;
  } else if (kind == Kind::kNv12) {
    img.p[1] = bytes.data + need;
    img.s[1] = static_cast<int>(s);
    need += s * (h / 2);
  }
  if (bytes.length < need) {
    throw Napi::RangeError::New(env, std::string("Expected at least ") + std::to_string(need) +
                                         " bytes for " + what + " but received " +
                                         std::to_string(bytes.length));
  }
  return img;
}

bool IsRgb(Kind k) {
  return k == Kind::kRaw || k == Kind::kRgb24 || k == Kind::kAbgr || k == Kind::kArgb;
}
bool Is420(Kind k) { return k == Kind::kI420 || k == Kind::kNv12; }
bool Is422(Kind k) { return k == Kind::kYuy2 || k == Kind::kUyvy; }

RgbOrder OrderOf(Kind k) {
  switch (k) {
    case Kind::kRaw: return RgbOrder::kRgb;
    case Kind::kRgb24: return RgbOrder::kBgr;
    case Kind::kAbgr: return RgbOrder::kRgba;
    default: return RgbOrder::kBgra;
  }
}

Packed422 PackingOf(Kind k) { return k == Kind::kYuy2 ? Packed422::kYuyv : Packed422::kUyvy; }

YuvLayout LayoutOf(Kind k) {
  switch (k) {
    case Kind::kI420: return YuvLayout::kI420;
    case Kind::kNv12: return YuvLayout::kNv12;
    case Kind::kYuy2: return YuvLayout::kYuyv;
    default: return YuvLayout::kUyvy;
  }
}

uint8_t* Row(const Image& im, int plane, int y) {
  return im.p[plane] + static_cast<size_t>(y) * im.s[plane];
}

// Per-row scratch: three full rows and two half rows.
struct Scratch {
  explicit Scratch(int w) : buf(static_cast<size_t>(w) * 4) {
    a = buf.data();
    b = a + w;
    c = b + w;
    d = c + w;
    e = d + w / 2;
  }
  std::vector<uint8_t> buf;
  uint8_t *a, *b, *c, *d, *e;
};

// Chroma row cy of a 4:2:0 image as U and V planes (NV12's are split into t).
void ReadChroma420(const Image& im, int cy, const uint8_t** u, const uint8_t** v, uint8_t* tu,
                   uint8_t* tv) {
  if (im.kind == Kind::kI420) {
    *u = Row(im, 1, cy);
    *v = Row(im, 2, cy);
    return;
  }
  SplitPairs(Row(im, 1, cy), tu, tv, im.width / 2);
  *u = tu;
  *v = tv;
}

void WriteChroma420(const Image& im, int cy, const uint8_t* u, const uint8_t* v) {
  if (im.kind == Kind::kI420) {
    std::memcpy(Row(im, 1, cy), u, im.width / 2);
    std::memcpy(Row(im, 2, cy), v, im.width / 2);
  } else {
    MergePairs(u, v, Row(im, 1, cy), im.width / 2);
  }
}

void CopySame(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], static_cast<size_t>(w) * BytesPerPixel(s.kind), h);
  if (s.kind == Kind::kI420) {  // also YU12 <-> YV12: Layout() swapped the planes
    CopyPlane(s.p[1], s.s[1], d.p[1], d.s[1], w / 2, h / 2);
    CopyPlane(s.p[2], s.s[2], d.p[2], d.s[2], w / 2, h / 2);
  } else if (s.kind == Kind::kNv12) {
    CopyPlane(s.p[1], s.s[1], d.p[1], d.s[1], w, h / 2);
  }
}

// RGB orders among themselves, and grey (full range) to and from RGB.
void RgbGrey(const Image& s, const Image& d) {
  if (BytesPerPixel(s.kind) == 4 && BytesPerPixel(d.kind) == 4) {  // R and B swap, alpha kept
    for (int y = 0; y < s.height; y++) SwapRedBlue4(Row(s, 0, y), Row(d, 0, y), s.width);
    return;
  }
  Scratch t(s.width);
  for (int y = 0; y < s.height; y++) {
    const uint8_t *r = t.a, *g = t.b, *b = t.c;
    if (s.kind == Kind::kGrey) r = g = b = Row(s, 0, y);
    else RgbRowToPlanes(OrderOf(s.kind), Row(s, 0, y), t.a, t.b, t.c, s.width);
    if (d.kind == Kind::kGrey) PlanesToGrey(r, g, b, Row(d, 0, y), s.width);
    else PlanesToRgbRow(OrderOf(d.kind), r, g, b, Row(d, 0, y), s.width);
  }
}

// Grey is the luma plane of the YUV formats: neutral chroma (128) is added.
void GreyToYuv(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  if (Is420(d.kind)) {
    CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    if (d.kind == Kind::kI420) {
      FillPlane(d.p[1], d.s[1], w / 2, h / 2, 128);
      FillPlane(d.p[2], d.s[2], w / 2, h / 2, 128);
    } else {
      FillPlane(d.p[1], d.s[1], w, h / 2, 128);
    }
    return;
  }
  std::vector<uint8_t> neutral(w / 2, 128);
  for (int y = 0; y < h; y++) {
    PlanesToPacked422(PackingOf(d.kind), Row(s, 0, y), neutral.data(), neutral.data(),
                      Row(d, 0, y), w);
  }
}

// ... and what is left of a YUV image without its chroma.
void YuvToGrey(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  if (Is420(s.kind)) {
    CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    return;
  }
  Scratch t(w);
  for (int y = 0; y < h; y++) Packed422ToPlanes(PackingOf(s.kind), Row(s, 0, y), Row(d, 0, y), t.d, t.e, w);
}

// YUV layouts among themselves: luma is copied, chroma copied, interleaved,
// replicated (4:2:0 -> 4:2:2) or averaged over two rows (4:2:2 -> 4:2:0).
void YuvToYuv(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  Scratch t(w);
  const uint8_t *u, *v;
  if (Is420(s.kind) && Is420(d.kind)) {
    CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    for (int cy = 0; cy < h / 2; cy++) {
      ReadChroma420(s, cy, &u, &v, t.d, t.e);
      WriteChroma420(d, cy, u, v);
    }
  } else if (Is420(s.kind)) {
    for (int y = 0; y < h; y++) {
      ReadChroma420(s, y / 2, &u, &v, t.d, t.e);
      PlanesToPacked422(PackingOf(d.kind), Row(s, 0, y), u, v, Row(d, 0, y), w);
    }
  } else if (Is420(d.kind)) {
    uint8_t* u1 = t.a;
    uint8_t* v1 = t.a + w / 2;
    uint8_t* u2 = t.b;
    uint8_t* v2 = t.b + w / 2;
    for (int y = 0; y < h; y += 2) {
      Packed422ToPlanes(PackingOf(s.kind), Row(s, 0, y), Row(d, 0, y), u1, v1, w);
      Packed422ToPlanes(PackingOf(s.kind), Row(s, 0, y + 1), Row(d, 0, y + 1), u2, v2, w);
      AverageRows(u1, u2, t.d, w / 2);
      AverageRows(v1, v2, t.e, w / 2);
      WriteChroma420(d, y / 2, t.d, t.e);
    }
  } else {  // YUYV <-> UYVY
    for (int y = 0; y < h; y++) {
      Packed422ToPlanes(PackingOf(s.kind), Row(s, 0, y), t.a, t.d, t.e, w);
      PlanesToPacked422(PackingOf(d.kind), t.a, t.d, t.e, Row(d, 0, y), w);
    }
  }
}

void ConvertImage(const Image& s, const Image& d) {
  if (s.kind == d.kind) return CopySame(s, d);
  bool s_yuv = Is420(s.kind) || Is422(s.kind);
  bool d_yuv = Is420(d.kind) || Is422(d.kind);
  if (IsRgb(s.kind) && d_yuv) {  // rounding-correct BT.601 (bt601.cc)
    return RgbToYuv({OrderOf(s.kind), s.p[0], s.s[0]},
                    {LayoutOf(d.kind), {d.p[0], d.p[1], d.p[2]}, {d.s[0], d.s[1], d.s[2]}},
                    s.width, s.height);
  }
  if (s_yuv && IsRgb(d.kind)) {
    return YuvToRgb({LayoutOf(s.kind), {s.p[0], s.p[1], s.p[2]}, {s.s[0], s.s[1], s.s[2]}},
                    {OrderOf(d.kind), d.p[0], d.s[0]}, s.width, s.height);
  }
  if (s_yuv && d_yuv) return YuvToYuv(s, d);
  if (s.kind == Kind::kGrey && d_yuv) return GreyToYuv(s, d);
  if (s_yuv) return YuvToGrey(s, d);
  RgbGrey(s, d);
}

// convert(src, srcFourcc, srcStride, dst, dstFourcc, dstStride, width, height)
// Strides of 0 mean tightly packed rows.
Napi::Value Convert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src = ArgBytes(info, 0, "src");
  uint32_t src_fourcc = ArgU32(info, 1, "srcFourcc");
  uint32_t src_stride = ArgU32(info, 2, "srcStride");
  Bytes dst = ArgBytes(info, 3, "dst");
  uint32_t dst_fourcc = ArgU32(info, 4, "dstFourcc");
  uint32_t dst_stride = ArgU32(info, 5, "dstStride");
  uint32_t width = ArgU32(info, 6, "width");
  uint32_t height = ArgU32(info, 7, "height");
  if (width == 0 || height == 0 || width > 16384 || height > 16384) {
    throw Napi::RangeError::New(env, "width and height must be in 1..16384");
  }
  int w = static_cast<int>(width), h = static_cast<int>(height);
  Image s = Layout(env, "src", src_fourcc, src, src_stride, w, h);
  Image d = Layout(env, "dst", dst_fourcc, dst, dst_stride, w, h);
  ConvertImage(s, d);
  return env.Undefined();
}

// scaleArgb(src, srcWidth, srcHeight, dst, dstWidth, dstHeight): bilinear
// scaling of any 4-byte-per-pixel image (channel order is kept).
Napi::Value ScaleArgb(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src = ArgBytes(info, 0, "src");
  uint32_t sw = ArgU32(info, 1, "srcWidth"), sh = ArgU32(info, 2, "srcHeight");
  Bytes dst = ArgBytes(info, 3, "dst");
  uint32_t dw = ArgU32(info, 4, "dstWidth"), dh = ArgU32(info, 5, "dstHeight");
  if (sw == 0 || sh == 0 || dw == 0 || dh == 0 || sw > 32768 || sh > 32768 || dw > 16384 ||
      dh > 16384) {
    throw Napi::RangeError::New(env, "Image sizes must be positive and at most 32768/16384");
  }
  if (src.length < static_cast<size_t>(sw) * sh * 4 || dst.length < static_cast<size_t>(dw) * dh * 4) {
    throw Napi::RangeError::New(env, "Buffer too small for the given size");
  }
  ScaleBilinear4(src.data, static_cast<int>(sw), static_cast<int>(sh), dst.data,
                 static_cast<int>(dw), static_cast<int>(dh));
  return env.Undefined();
}

}  // namespace

void InitConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("convert", Napi::Function::New(env, Convert, "convert"));
  exports.Set("scaleArgb", Napi::Function::New(env, ScaleArgb, "scaleArgb"));
}

}  // namespace v4l2l
