// async.cc - RunAsync(): a syscall that can sleep in the kernel runs on the
// libuv pool and settles a Promise with its result or an errno error.
#include "common.h"

#include <utility>

namespace v4l2l {

namespace {

class SyscallWorker : public Napi::AsyncWorker {
 public:
  SyscallWorker(Napi::Env env, const char* syscall, const char* ioctl_name,
                std::function<long()> work)
      : Napi::AsyncWorker(env, "v4l2loopback:syscall"),
        deferred_(Napi::Promise::Deferred::New(env)),
        syscall_(syscall),
        ioctl_(ioctl_name),
        work_(std::move(work)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { result_ = work_(); }

  void OnOK() override {
    Napi::Env env = Env();
    if (result_ < 0) {
      deferred_.Reject(ErrnoError(env, static_cast<int>(-result_), syscall_, ioctl_).Value());
    } else {
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(result_)));
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  const char* syscall_;
  const char* ioctl_;
  std::function<long()> work_;
  long result_ = 0;
};

}  // namespace

Napi::Promise RunAsync(Napi::Env env, const char* syscall,
                       const char* ioctl_name, std::function<long()> work) {
  auto* worker = new SyscallWorker(env, syscall, ioctl_name, std::move(work));
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // deletes itself when done
  return promise;
}

}  // namespace v4l2l
