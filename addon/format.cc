// format.cc - capabilities, format enumeration and negotiation, stream
// parameters: QUERYCAP, ENUM_FMT/FRAMESIZES/FRAMEINTERVALS, G/S/TRY_FMT,
// G/S_PARM. All quick, so all synchronous.
#include "common.h"

#include <linux/videodev2.h>

#include <cstring>
#include <string>

namespace v4l2l {

namespace {

std::string CString(const __u8* s, size_t n) {
  const char* c = reinterpret_cast<const char*>(s);
  return std::string(c, strnlen(c, n));
}

Napi::Object Fraction(Napi::Env env, const v4l2_fract& f) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("numerator", f.numerator);
  o.Set("denominator", f.denominator);
  return o;
}

Napi::Value QueryCap(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_capability cap;
  std::memset(&cap, 0, sizeof(cap));
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_QUERYCAP, &cap);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("driver", CString(cap.driver, sizeof(cap.driver)));
  o.Set("card", CString(cap.card, sizeof(cap.card)));
  o.Set("busInfo", CString(cap.bus_info, sizeof(cap.bus_info)));
  o.Set("version", cap.version);
  o.Set("capabilities", cap.capabilities);
  o.Set("deviceCaps", (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps
                                                                 : cap.capabilities);
  return o;
}

// Runs an ENUM_* ioctl from index 0 until EINVAL. `prepare` fills the
// request's other fields; `convert` turns an answer into a JS object and
// says whether to go on (a stepwise or continuous answer is the only one).
template <typename Request, typename Prepare, typename Convert>
Napi::Array Enumerate(Napi::Env env, int fd, unsigned long request, const char* name,
                      Prepare prepare, Convert convert) {
  Napi::Array out = Napi::Array::New(env);
  for (uint32_t i = 0; i < 1024; i++) {
    Request r;
    std::memset(&r, 0, sizeof(r));
    r.index = i;
    prepare(r);
    if (Xioctl(fd, request, &r) == -1) {
      if (errno == EINVAL) break;
      throw ErrnoError(env, errno, "ioctl", name);
    }
    Napi::Object o = Napi::Object::New(env);
    bool more = convert(r, o);
    out.Set(i, o);
    if (!more) break;
  }
  return out;
}

// enumFormats(fd, type) -> [{ index, pixelformat, description, flags }]
Napi::Value EnumFormats(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  return Enumerate<v4l2_fmtdesc>(
      info.Env(), fd, VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", [&](v4l2_fmtdesc& d) { d.type = type; },
      [](const v4l2_fmtdesc& d, Napi::Object& o) {
        o.Set("index", d.index);
        o.Set("pixelformat", d.pixelformat);
        o.Set("description", CString(d.description, sizeof(d.description)));
        o.Set("flags", d.flags);
        return true;
      });
}

// enumFrameSizes(fd, pixelformat) -> [{ type: 'discrete', width, height } |
//   { type: 'stepwise'|'continuous', minWidth, maxWidth, stepWidth, ... }]
Napi::Value EnumFrameSizes(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t pixelformat = ArgU32(info, 1, "pixelformat");
  return Enumerate<v4l2_frmsizeenum>(
      info.Env(), fd, VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES",
      [&](v4l2_frmsizeenum& s) { s.pixel_format = pixelformat; },
      [](const v4l2_frmsizeenum& s, Napi::Object& o) {
        if (s.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
          o.Set("type", "discrete");
          o.Set("width", s.discrete.width);
          o.Set("height", s.discrete.height);
          return true;
        }
        o.Set("type", s.type == V4L2_FRMSIZE_TYPE_CONTINUOUS ? "continuous" : "stepwise");
        o.Set("minWidth", s.stepwise.min_width);
        o.Set("maxWidth", s.stepwise.max_width);
        o.Set("stepWidth", s.stepwise.step_width);
        o.Set("minHeight", s.stepwise.min_height);
        o.Set("maxHeight", s.stepwise.max_height);
        o.Set("stepHeight", s.stepwise.step_height);
        return false;
      });
}

// enumFrameIntervals(fd, pixelformat, width, height)
Napi::Value EnumFrameIntervals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  uint32_t pixelformat = ArgU32(info, 1, "pixelformat");
  uint32_t width = ArgU32(info, 2, "width");
  uint32_t height = ArgU32(info, 3, "height");
  return Enumerate<v4l2_frmivalenum>(
      env, fd, VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS",
      [&](v4l2_frmivalenum& v) {
        v.pixel_format = pixelformat;
        v.width = width;
        v.height = height;
      },
      [env](const v4l2_frmivalenum& v, Napi::Object& o) {
        if (v.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
          o.Set("type", "discrete");
          o.Set("interval", Fraction(env, v.discrete));
          return true;
        }
        o.Set("type", v.type == V4L2_FRMIVAL_TYPE_CONTINUOUS ? "continuous" : "stepwise");
        o.Set("min", Fraction(env, v.stepwise.min));
        o.Set("max", Fraction(env, v.stepwise.max));
        o.Set("step", Fraction(env, v.stepwise.step));
        return false;
      });
}

Napi::Object PixFormatTo(Napi::Env env, const v4l2_pix_format& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("width", p.width);
  o.Set("height", p.height);
  o.Set("pixelformat", p.pixelformat);
  o.Set("field", p.field);
  o.Set("bytesperline", p.bytesperline);
  o.Set("sizeimage", p.sizeimage);
  o.Set("colorspace", p.colorspace);
  return o;
}

void CheckSinglePlanar(Napi::Env env, uint32_t type) {
  if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE && type != V4L2_BUF_TYPE_VIDEO_OUTPUT) {
    throw Napi::RangeError::New(env, "Only single-planar video capture/output buffer types are supported");
  }
}

Napi::Value GetFormat(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  CheckSinglePlanar(info.Env(), type);
  v4l2_format f;
  std::memset(&f, 0, sizeof(f));
  f.type = type;
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_G_FMT, &f);
  return PixFormatTo(info.Env(), f.fmt.pix);
}

// setFormat / tryFormat (fd, type, { width, height, pixelformat, field?,
// bytesperline?, sizeimage?, colorspace? }) -> the format the driver chose
Napi::Value SetOrTryFormat(const Napi::CallbackInfo& info, bool set) {
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  CheckSinglePlanar(info.Env(), type);
  Napi::Object in = ArgObject(info, 2, "format");
  v4l2_format f;
  std::memset(&f, 0, sizeof(f));
  f.type = type;
  f.fmt.pix.width = PropU32(in, "width", 0);
  f.fmt.pix.height = PropU32(in, "height", 0);
  f.fmt.pix.pixelformat = PropU32(in, "pixelformat", 0);
  f.fmt.pix.field = PropU32(in, "field", V4L2_FIELD_NONE);
  f.fmt.pix.bytesperline = PropU32(in, "bytesperline", 0);
  f.fmt.pix.sizeimage = PropU32(in, "sizeimage", 0);
  f.fmt.pix.colorspace = PropU32(in, "colorspace", 0);
  if (set) {
    V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_S_FMT, &f);
  } else {
    V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_TRY_FMT, &f);
  }
  return PixFormatTo(info.Env(), f.fmt.pix);
}

Napi::Value SetFormat(const Napi::CallbackInfo& info) { return SetOrTryFormat(info, true); }
Napi::Value TryFormat(const Napi::CallbackInfo& info) { return SetOrTryFormat(info, false); }

Napi::Object ParmTo(Napi::Env env, const v4l2_streamparm& p) {
  Napi::Object o = Napi::Object::New(env);
  if (p.type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
    o.Set("capability", p.parm.output.capability);
    o.Set("timeperframe", Fraction(env, p.parm.output.timeperframe));
    o.Set("buffers", p.parm.output.writebuffers);
  } else {
    o.Set("capability", p.parm.capture.capability);
    o.Set("timeperframe", Fraction(env, p.parm.capture.timeperframe));
    o.Set("buffers", p.parm.capture.readbuffers);
  }
  return o;
}

Napi::Value GetParm(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  CheckSinglePlanar(info.Env(), type);
  v4l2_streamparm p;
  std::memset(&p, 0, sizeof(p));
  p.type = type;
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_G_PARM, &p);
  return ParmTo(info.Env(), p);
}

// setParm(fd, type, numerator, denominator): the time per frame
Napi::Value SetParm(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  CheckSinglePlanar(info.Env(), type);
  v4l2_streamparm p;
  std::memset(&p, 0, sizeof(p));
  p.type = type;
  v4l2_fract f{ArgU32(info, 2, "numerator"), ArgU32(info, 3, "denominator")};
  if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
    p.parm.output.timeperframe = f;
  } else {
    p.parm.capture.timeperframe = f;
  }
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_S_PARM, &p);
  return ParmTo(info.Env(), p);
}

}  // namespace

void InitFormat(Napi::Env env, Napi::Object exports) {
  exports.Set("querycap", Napi::Function::New(env, QueryCap, "querycap"));
  exports.Set("enumFormats", Napi::Function::New(env, EnumFormats, "enumFormats"));
  exports.Set("enumFrameSizes", Napi::Function::New(env, EnumFrameSizes, "enumFrameSizes"));
  exports.Set("enumFrameIntervals",
              Napi::Function::New(env, EnumFrameIntervals, "enumFrameIntervals"));
  exports.Set("getFormat", Napi::Function::New(env, GetFormat, "getFormat"));
  exports.Set("setFormat", Napi::Function::New(env, SetFormat, "setFormat"));
  exports.Set("tryFormat", Napi::Function::New(env, TryFormat, "tryFormat"));
  exports.Set("getParm", Napi::Function::New(env, GetParm, "getParm"));
  exports.Set("setParm", Napi::Function::New(env, SetParm, "setParm"));
}

}  // namespace v4l2l
