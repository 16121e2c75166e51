#!/usr/bin/env bash
# Quick start from a fresh clone: installs what the demo needs, builds, and runs `room-agent demo`:
# a private broker, the emulated scanner, the agent, the county center and a story that plays by
# itself, all on this machine (data and logs in ./.demo-data). Ctrl-C stops it. Arguments go to the
# demo: --headless, --duration SECONDS, --dir DIR, --http-port PORT, --lang en.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the demo runs: mosquitto is its private broker; python3 runs the emulated
# fingerprint module; util-linux's setpriv makes the kernel end the demo's processes when the demo
# itself is killed.
source scripts/packages.sh
install_missing scripts/start.sh python3:python3 mosquitto:mosquitto setpriv:util-linux
# The demo's camera: ffmpeg is the agent's push and photos (and makes the clip the camera loops);
# the camera emulator is GStreamer's RTSP server, run by Debian's /usr/bin/python3 through
# python3-gi and its typelib, with appsrc from plugins-base and the RTP payloaders from
# plugins-good; the county's media server is nginx-light with libnginx-mod-rtmp. Without them the
# demo runs without a camera and names them.
install_wanted scripts/start.sh ffmpeg:ffmpeg ffprobe:ffmpeg nginx:nginx-light \
  /usr/lib/nginx/modules/ngx_rtmp_module.so:libnginx-mod-rtmp \
  /usr/lib/python3/dist-packages/gi/__init__.py:python3-gi \
  '/usr/lib/*/girepository-1.0/GstRtspServer-1.0.typelib:gir1.2-gst-rtsp-server-1.0' \
  '/usr/lib/*/gstreamer-1.0/libgstapp.so:gstreamer1.0-plugins-base' \
  '/usr/lib/*/gstreamer-1.0/libgstrtp.so:gstreamer1.0-plugins-good'

# npm ci only when the installed tree does not satisfy package.json: it deletes node_modules first,
# which would pull the modules from under anything running from this tree (a test, a daemon).
if [ ! -d node_modules ] || ! npm ls --depth=0 >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
# Built only when a source is newer than the build: a second start is quick, and a build never
# rewrites dist/ under a daemon or a test that is running from it.
if [ ! -f dist/src/cli/main.js ] ||
  [ -n "$(find src drivers scripts tsconfig.json package-lock.json -newer dist/src/cli/main.js -print -quit)" ]; then
  npm run build --silent
fi
exec node dist/src/cli/main.js demo "$@"
