# binding.gyp - builds the thin N-API addon (addon/*.cc) that does the ioctls,
# mmap and fd readiness that JavaScript cannot do itself.
{
  "targets": [
    {
      "target_name": "v4l2loopback",
      "sources": [
        "addon/binding.cc", "addon/args.cc", "addon/async.cc", "addon/errors.cc",
        "addon/constants.cc", "addon/ctl.cc", "addon/format.cc", "addon/controls.cc",
        "addon/events.cc", "addon/stream.cc", "addon/mmap.cc", "addon/io.cc",
        "addon/poller.cc", "addon/convert.cc", "addon/bt601.cc", "addon/planes.cc",
        "addon/scale.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "include_dirs": ["kmod/include/uapi"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden", "-O3"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
