// camera-page.js - runs inside Chromium: window.measureCamera() opens the
// camera with the given label through getUserMedia, counts the frames the
// <video> element presents, and samples pixels of the last frame.
window.measureCamera = async ({ label, seconds, points, width, height }) => {
  // A first getUserMedia makes device labels visible to enumerateDevices.
  const probe = await navigator.mediaDevices.getUserMedia({ video: true });
  probe.getTracks().forEach((t) => t.stop());
  const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
  const cameras = devices.map((d) => d.label);
  const dev = devices.find((d) => d.label.startsWith(label));
  if (!dev) throw new Error(`no camera labelled '${label}' among: ${cameras.join(', ')}`);
  const video = { deviceId: { exact: dev.deviceId } };
  if (width) video.width = width;
  if (height) video.height = height;
  const stream = await navigator.mediaDevices.getUserMedia({ video });
  const el = document.querySelector('video');
  el.srcObject = stream;
  await el.play();
  let frames = 0;
  let pending = 0;
  const count = () => {
    frames++;
    pending = el.requestVideoFrameCallback(count);
  };
  pending = el.requestVideoFrameCallback(count);
  await new Promise((r) => setTimeout(r, 1000));
  const start = frames;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = frames - start;
  const fps = n / ((performance.now() - t0) / 1000);
  const canvas = document.querySelector('canvas');
  canvas.width = el.videoWidth;
  canvas.height = el.videoHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(el, 0, 0);
  const samples = points.map(([fx, fy]) => {
    const x = Math.min(canvas.width - 1, Math.floor(fx * canvas.width));
    const y = Math.min(canvas.height - 1, Math.floor(fy * canvas.height));
    const d = ctx.getImageData(x, y, 1, 1).data;
    return { x, y, rgba: [d[0], d[1], d[2], d[3]] };
  });
  const size = { width: el.videoWidth, height: el.videoHeight };
  // The page may measure another camera next.
  el.cancelVideoFrameCallback(pending);
  stream.getTracks().forEach((t) => t.stop());
  el.srcObject = null;
  return { cameras, ...size, fps, frames: n, samples };
};
