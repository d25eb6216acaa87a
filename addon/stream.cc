// stream.cc - buffer queues: REQBUFS, QUERYBUF, QBUF, DQBUF (non-blocking:
// null on EAGAIN), and STREAMON/STREAMOFF, which can sleep, so are async.
// qbufIndex/dqbufIndex are the producer's per-frame pair: they pass and
// return buffer indices only (no result object to build), and qbufIndex
// can take back a returned buffer in the same call.
#include "common.h"

#include <linux/videodev2.h>

#include <cstring>

namespace v4l2l {

namespace {

Napi::Object BufferTo(Napi::Env env, const v4l2_buffer& b) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", b.index);
  o.Set("type", b.type);
  o.Set("bytesused", b.bytesused);
  o.Set("flags", b.flags);
  o.Set("field", b.field);
  o.Set("sequence", b.sequence);
  o.Set("timestampUs", static_cast<double>(b.timestamp.tv_sec) * 1e6 +
                           static_cast<double>(b.timestamp.tv_usec));
  o.Set("length", b.length);
  o.Set("offset", b.m.offset);
  return o;
}

// A zeroed v4l2_buffer for an MMAP buffer of the queue `type`.
v4l2_buffer MmapBuffer(uint32_t type) {
  v4l2_buffer b;
  std::memset(&b, 0, sizeof(b));
  b.type = type;
  b.memory = V4L2_MEMORY_MMAP;
  return b;
}

// reqbufs(fd, type, count) -> granted count (MMAP memory)
Napi::Value Reqbufs(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_requestbuffers r;
  std::memset(&r, 0, sizeof(r));
  r.type = ArgU32(info, 1, "type");
  r.count = ArgU32(info, 2, "count");
  r.memory = V4L2_MEMORY_MMAP;
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_REQBUFS, &r);
  return Napi::Number::New(info.Env(), r.count);
}

// querybuf(fd, type, index) -> { index, length, offset, flags, ... }
Napi::Value Querybuf(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_buffer b = MmapBuffer(ArgU32(info, 1, "type"));
  b.index = ArgU32(info, 2, "index");
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_QUERYBUF, &b);
  return BufferTo(info.Env(), b);
}

// qbuf(fd, type, index, bytesused = 0, timestampUs = 0)
Napi::Value Qbuf(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_buffer b = MmapBuffer(ArgU32(info, 1, "type"));
  b.index = ArgU32(info, 2, "index");
  b.field = V4L2_FIELD_NONE;
  if (info.Length() > 3 && !info[3].IsUndefined()) b.bytesused = ArgU32(info, 3, "bytesused");
  if (info.Length() > 4 && !info[4].IsUndefined()) {
    int64_t us = ArgI64(info, 4, "timestampUs");
    if (us < 0) throw Napi::RangeError::New(info.Env(), "timestampUs must not be negative");
    b.timestamp.tv_sec = us / 1000000;
    b.timestamp.tv_usec = us % 1000000;
  }
  V4L2L_IOCTL_OR_THROW(info.Env(), fd, VIDIOC_QBUF, &b);
  return BufferTo(info.Env(), b);
}

// dqbuf(fd, type) -> buffer | null when none is ready (fd is O_NONBLOCK)
Napi::Value Dqbuf(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  v4l2_buffer b = MmapBuffer(ArgU32(info, 1, "type"));
  if (Xioctl(fd, VIDIOC_DQBUF, &b) == -1) {
    if (errno == EAGAIN) return info.Env().Null();
    throw ErrnoError(info.Env(), errno, "ioctl", "VIDIOC_DQBUF");
  }
  return BufferTo(info.Env(), b);
}

// Non-blocking DQBUF of an MMAP buffer: its index, or -1 (EAGAIN) with errno set.
int DequeueIndex(int fd, uint32_t type) {
  v4l2_buffer b = MmapBuffer(type);
  if (Xioctl(fd, VIDIOC_DQBUF, &b) == -1) return -1;
  return static_cast<int>(b.index);
}

// qbufIndex(fd, type, index, bytesused, reclaim) -> index of a buffer the
// driver handed back, or -1. QBUF of MMAP buffer `index` (field NONE, no
// timestamp); with `reclaim` (only while streaming) one non-blocking DQBUF
// follows. Its failures are not thrown (the frame is queued either way):
// the next dqbufIndex() meets them again.
Napi::Value QbufIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  uint32_t type = ArgU32(info, 1, "type");
  v4l2_buffer b = MmapBuffer(type);
  b.index = ArgU32(info, 2, "index");
  b.field = V4L2_FIELD_NONE;
  b.bytesused = ArgU32(info, 3, "bytesused");
  bool reclaim = ArgBool(info, 4, "reclaim");
  V4L2L_IOCTL_OR_THROW(env, fd, VIDIOC_QBUF, &b);
  return Napi::Number::New(env, reclaim ? DequeueIndex(fd, type) : -1);
}

// dqbufIndex(fd, type) -> index of a dequeued MMAP buffer, or -1 when none
// is ready (fd is O_NONBLOCK)
Napi::Value DqbufIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int index = DequeueIndex(fd, ArgU32(info, 1, "type"));
  if (index < 0 && errno != EAGAIN) throw ErrnoError(env, errno, "ioctl", "VIDIOC_DQBUF");
  return Napi::Number::New(env, index);
}

Napi::Value StreamCall(const Napi::CallbackInfo& info, bool on) {
  int fd = ArgFd(info, 0);
  int type = static_cast<int>(ArgU32(info, 1, "type"));
  unsigned long request = on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF;
  return RunAsync(info.Env(), "ioctl", on ? "VIDIOC_STREAMON" : "VIDIOC_STREAMOFF",
                  [fd, type, request]() -> long {
                    int t = type;
                    return Xioctl(fd, request, &t) == -1 ? -errno : 0;
                  });
}

// streamOn(fd, type) / streamOff(fd, type) -> Promise<void>
Napi::Value StreamOn(const Napi::CallbackInfo& info) { return StreamCall(info, true); }
Napi::Value StreamOff(const Napi::CallbackInfo& info) { return StreamCall(info, false); }

}  // namespace

void InitStream(Napi::Env env, Napi::Object exports) {
  exports.Set("reqbufs", Napi::Function::New(env, Reqbufs, "reqbufs"));
  exports.Set("querybuf", Napi::Function::New(env, Querybuf, "querybuf"));
  exports.Set("qbuf", Napi::Function::New(env, Qbuf, "qbuf"));
  exports.Set("dqbuf", Napi::Function::New(env, Dqbuf, "dqbuf"));
  exports.Set("qbufIndex", Napi::Function::New(env, QbufIndex, "qbufIndex"));
  exports.Set("dqbufIndex", Napi::Function::New(env, DqbufIndex, "dqbufIndex"));
  exports.Set("streamOn", Napi::Function::New(env, StreamOn, "streamOn"));
  exports.Set("streamOff", Napi::Function::New(env, StreamOff, "streamOff"));
}

}  // namespace v4l2l
