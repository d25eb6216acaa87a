// convert.cc - pixel conversions between the formats the library speaks:
// exact BT.601 for RGB <-> YUV (bt601.cc), libyuv
// for the other common pairs, otherwise row strips through a small ARGB
// scratch buffer that stays in cache.
#include "common.h"
#include "bt601.h"

#include <linux/videodev2.h>
#include <libyuv.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace v4l2l {

namespace {

// libyuv names formats by their little-endian word: its "RAW" is R,G,B in
// memory (V4L2 RGB3), "RGB24" is B,G,R (BGR3), "ABGR" is R,G,B,A (AB24)
// and "ARGB" is B,G,R,A (AR24).
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

// Rows [y0, y0+n) of an image, planes advanced (y0 is even).
Image Rows(const Image& im, int y0, int n) {
  Image r = im;
  r.height = n;
  r.p[0] = im.p[0] + static_cast<size_t>(y0) * im.s[0];
  for (int i = 1; i < 3; i++) {
    if (im.p[i] != nullptr) r.p[i] = im.p[i] + static_cast<size_t>(y0 / 2) * im.s[i];
  }
  return r;
}

void ToArgb(const Image& s, uint8_t* t, int ts) {
  int w = s.width, h = s.height;
  switch (s.kind) {
    case Kind::kRaw: libyuv::RAWToARGB(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kRgb24: libyuv::RGB24ToARGB(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kAbgr: libyuv::ABGRToARGB(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kArgb: libyuv::ARGBCopy(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kGrey: libyuv::J400ToARGB(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kI420:
      libyuv::I420ToARGB(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], t, ts, w, h);
      break;
    case Kind::kNv12: libyuv::NV12ToARGB(s.p[0], s.s[0], s.p[1], s.s[1], t, ts, w, h); break;
    case Kind::kYuy2: libyuv::YUY2ToARGB(s.p[0], s.s[0], t, ts, w, h); break;
    case Kind::kUyvy: libyuv::UYVYToARGB(s.p[0], s.s[0], t, ts, w, h); break;
  }
}

void FromArgb(const uint8_t* t, int ts, const Image& d) {
  int w = d.width, h = d.height;
  switch (d.kind) {
    case Kind::kRaw: libyuv::ARGBToRAW(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kRgb24: libyuv::ARGBToRGB24(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kAbgr: libyuv::ARGBToABGR(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kArgb: libyuv::ARGBCopy(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kGrey: libyuv::ARGBToJ400(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kI420:
      libyuv::ARGBToI420(t, ts, d.p[0], d.s[0], d.p[1], d.s[1], d.p[2], d.s[2], w, h);
      break;
    case Kind::kNv12: libyuv::ARGBToNV12(t, ts, d.p[0], d.s[0], d.p[1], d.s[1], w, h); break;
    case Kind::kYuy2: libyuv::ARGBToYUY2(t, ts, d.p[0], d.s[0], w, h); break;
    case Kind::kUyvy: libyuv::ARGBToUYVY(t, ts, d.p[0], d.s[0], w, h); break;
  }
}

void CopySame(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  switch (s.kind) {
    case Kind::kI420:
      libyuv::I420Copy(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], d.p[0], d.s[0], d.p[1],
                       d.s[1], d.p[2], d.s[2], w, h);
      break;
    case Kind::kNv12:
      libyuv::CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
      libyuv::CopyPlane(s.p[1], s.s[1], d.p[1], d.s[1], w, h / 2);
      break;
    default:
      libyuv::CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w * BytesPerPixel(s.kind), h);
  }
}

// RGB-like source to a YUV layout with rounding-correct BT.601 (bt601.cc).
bool RgbToYuvExact(const Image& s, const Image& d) {
  RgbOrder order;
  switch (s.kind) {
    case Kind::kRaw: order = RgbOrder::kRgb; break;
    case Kind::kRgb24: order = RgbOrder::kBgr; break;
    case Kind::kAbgr: order = RgbOrder::kRgba; break;
    case Kind::kArgb: order = RgbOrder::kBgra; break;
    default: return false;
  }
  YuvLayout layout;
  switch (d.kind) {
    case Kind::kI420: layout = YuvLayout::kI420; break;
    case Kind::kNv12: layout = YuvLayout::kNv12; break;
    case Kind::kYuy2: layout = YuvLayout::kYuyv; break;
    case Kind::kUyvy: layout = YuvLayout::kUyvy; break;
    default: return false;
  }
  RgbToYuv({order, s.p[0], s.s[0]}, {layout, {d.p[0], d.p[1], d.p[2]}, {d.s[0], d.s[1], d.s[2]}},
           s.width, s.height);
  return true;
}

// YUV to RGB-like, rounding-correct BT.601 (bt601.cc). libyuv's 6-bit
// coefficients are off by up to 5 on saturated colours.
bool YuvToRgbExact(const Image& s, const Image& d) {
  YuvLayout layout;
  switch (s.kind) {
    case Kind::kI420: layout = YuvLayout::kI420; break;
    case Kind::kNv12: layout = YuvLayout::kNv12; break;
    case Kind::kYuy2: layout = YuvLayout::kYuyv; break;
    case Kind::kUyvy: layout = YuvLayout::kUyvy; break;
    default: return false;
  }
  RgbOrder order;
  switch (d.kind) {
    case Kind::kRaw: order = RgbOrder::kRgb; break;
    case Kind::kRgb24: order = RgbOrder::kBgr; break;
    case Kind::kAbgr: order = RgbOrder::kRgba; break;
    case Kind::kArgb: order = RgbOrder::kBgra; break;
    default: return false;
  }
  YuvToRgb({layout, {s.p[0], s.p[1], s.p[2]}, {s.s[0], s.s[1], s.s[2]}}, {order, d.p[0], d.s[0]},
           s.width, s.height);
  return true;
}

// Pairs with a direct routine; false = take the generic strip path.
bool Direct(const Image& s, const Image& d) {
  int w = s.width, h = s.height;
  if (YuvToRgbExact(s, d)) return true;
  if (RgbToYuvExact(s, d)) return true;
  if (d.kind == Kind::kI420) {
    switch (s.kind) {
      case Kind::kNv12:
        libyuv::NV12ToI420(s.p[0], s.s[0], s.p[1], s.s[1], d.p[0], d.s[0], d.p[1], d.s[1],
                           d.p[2], d.s[2], w, h);
        return true;
      case Kind::kYuy2:
        libyuv::YUY2ToI420(s.p[0], s.s[0], d.p[0], d.s[0], d.p[1], d.s[1], d.p[2], d.s[2], w, h);
        return true;
      case Kind::kUyvy:
        libyuv::UYVYToI420(s.p[0], s.s[0], d.p[0], d.s[0], d.p[1], d.s[1], d.p[2], d.s[2], w, h);
        return true;
      case Kind::kGrey:
        libyuv::I400ToI420(s.p[0], s.s[0], d.p[0], d.s[0], d.p[1], d.s[1], d.p[2], d.s[2], w, h);
        return true;
      default: return false;
    }
  }
  if (d.kind == Kind::kNv12) {
    if (s.kind == Kind::kYuy2) {
      libyuv::YUY2ToNV12(s.p[0], s.s[0], d.p[0], d.s[0], d.p[1], d.s[1], w, h);
      return true;
    }
    if (s.kind == Kind::kUyvy) {
      libyuv::UYVYToNV12(s.p[0], s.s[0], d.p[0], d.s[0], d.p[1], d.s[1], w, h);
      return true;
    }
    if (s.kind == Kind::kGrey) {
      libyuv::CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
      libyuv::SetPlane(d.p[1], d.s[1], w, h / 2, 128);
      return true;
    }
    if (s.kind == Kind::kI420) {
      libyuv::I420ToNV12(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], d.p[0], d.s[0], d.p[1],
                         d.s[1], w, h);
      return true;
    }
    return false;
  }
  bool packed422_s = s.kind == Kind::kYuy2 || s.kind == Kind::kUyvy;
  bool packed422_d = d.kind == Kind::kYuy2 || d.kind == Kind::kUyvy;
  if (packed422_s && packed422_d) {  // YUYV <-> UYVY: swap bytes in pairs
    for (int y = 0; y < h; y++) {
      const uint8_t* sr = s.p[0] + static_cast<size_t>(y) * s.s[0];
      uint8_t* dr = d.p[0] + static_cast<size_t>(y) * d.s[0];
      for (int x = 0; x < w * 2; x += 2) {
        uint8_t a = sr[x], b = sr[x + 1];
        dr[x] = b;
        dr[x + 1] = a;
      }
    }
    return true;
  }
  if (packed422_s && d.kind == Kind::kGrey) {
    if (s.kind == Kind::kYuy2) libyuv::YUY2ToY(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    else libyuv::UYVYToY(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    return true;
  }
  if ((s.kind == Kind::kI420 || s.kind == Kind::kNv12) && d.kind == Kind::kGrey) {
    libyuv::CopyPlane(s.p[0], s.s[0], d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kNv12 && packed422_d) {  // through a temporary I420, lossless
    int cw = w / 2, ch = h / 2;
    std::vector<uint8_t> t(static_cast<size_t>(w) * h + 2 * static_cast<size_t>(cw) * ch);
    uint8_t* ty = t.data();
    uint8_t* tu = ty + static_cast<size_t>(w) * h;
    uint8_t* tv = tu + static_cast<size_t>(cw) * ch;
    libyuv::NV12ToI420(s.p[0], s.s[0], s.p[1], s.s[1], ty, w, tu, cw, tv, cw, w, h);
    if (d.kind == Kind::kYuy2) libyuv::I420ToYUY2(ty, w, tu, cw, tv, cw, d.p[0], d.s[0], w, h);
    else libyuv::I420ToUYVY(ty, w, tu, cw, tv, cw, d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kI420 && d.kind == Kind::kYuy2) {
    libyuv::I420ToYUY2(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kI420 && d.kind == Kind::kUyvy) {
    libyuv::I420ToUYVY(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kI420 && d.kind == Kind::kRaw) {
    libyuv::I420ToRAW(s.p[0], s.s[0], s.p[1], s.s[1], s.p[2], s.s[2], d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kNv12 && d.kind == Kind::kRaw) {
    libyuv::NV12ToRAW(s.p[0], s.s[0], s.p[1], s.s[1], d.p[0], d.s[0], w, h);
    return true;
  }
  if (s.kind == Kind::kArgb) {
    FromArgb(s.p[0], s.s[0], d);
    return true;
  }
  if (d.kind == Kind::kArgb) {
    ToArgb(s, d.p[0], d.s[0]);
    return true;
  }
  return false;
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
  if (s.kind == d.kind) {  // also YU12 <-> YV12: planes are already swapped
    CopySame(s, d);
    return env.Undefined();
  }
  if (Direct(s, d)) return env.Undefined();
  constexpr int kStrip = 16;  // even, so 4:2:0 chroma rows line up
  int ts = w * 4;
  std::vector<uint8_t> tmp(static_cast<size_t>(ts) * kStrip);
  for (int y = 0; y < h; y += kStrip) {
    int n = std::min(kStrip, h - y);
    ToArgb(Rows(s, y, n), tmp.data(), ts);
    FromArgb(tmp.data(), ts, Rows(d, y, n));
  }
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
  libyuv::ARGBScale(src.data, static_cast<int>(sw * 4), static_cast<int>(sw),
                    static_cast<int>(sh), dst.data, static_cast<int>(dw * 4),
                    static_cast<int>(dw), static_cast<int>(dh), libyuv::kFilterBilinear);
  return env.Undefined();
}

}  // namespace

void InitConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("convert", Napi::Function::New(env, Convert, "convert"));
  exports.Set("scaleArgb", Napi::Function::New(env, ScaleArgb, "scaleArgb"));
}

}  // namespace v4l2l
