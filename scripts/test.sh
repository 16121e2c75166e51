#!/usr/bin/env bash
# The one test command (README "Quick start", .ci/run): installs what the tests need on a fresh
# Debian machine, builds, checks the dependency rules (.dependency-cruiser.cjs), type-checks, lints and
# runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real: strace watches the journal's fsync calls; python3
# runs the scanner module emulators on real pseudo-terminals; libusb is loaded by node-hid's
# native binding even for hidraw; mosquitto is the real broker the sync tests start on loopback;
# tmux is the terminal the demo's view is checked in; setpriv (util-linux) ties the demo's
# processes to the demo and the camera tests' servers to the test; chromium is the real browser
# the county board's page is tested in (puppeteer-core drives it; it downloads no browser of its
# own). The camera tests: ffmpeg (and ffprobe) is what the agent runs against cameras and what
# encodes the test camera's clips; the test camera is GStreamer's RTSP server, run by Debian's
# /usr/bin/python3 through python3-gi and gir1.2-gst-rtsp-server-1.0, with appsrc and
# audiotestsrc from gstreamer1.0-plugins-base and the RTP payloaders, the RTP session manager, UDP
# and the A-law encoder from gstreamer1.0-plugins-good (the pipelines use nothing of -bad, which
# the RTSP server library pulls in anyway); the county's media server is nginx-light with
# libnginx-mod-rtmp; srt-live-transmit (srt-tools) receives pushes over SRT. shellcheck checks every
# scripts/*.sh (test/lint/shellcheck.test.ts).
source scripts/packages.sh
install_missing scripts/test.sh strace:strace python3:python3 mosquitto:mosquitto tmux:tmux setpriv:util-linux \
  chromium:chromium libusb-1.0.so.0:libusb-1.0-0 \
  ffmpeg:ffmpeg nginx:nginx-light /usr/lib/nginx/modules/ngx_rtmp_module.so:libnginx-mod-rtmp \
  /usr/lib/python3/dist-packages/gi/__init__.py:python3-gi \
  '/usr/lib/*/girepository-1.0/GstRtspServer-1.0.typelib:gir1.2-gst-rtsp-server-1.0' \
  '/usr/lib/*/gstreamer-1.0/libgstapp.so:gstreamer1.0-plugins-base' \
  '/usr/lib/*/gstreamer-1.0/libgstrtp.so:gstreamer1.0-plugins-good' \
  srt-live-transmit:srt-tools shellcheck:shellcheck
# The Debian package tests (test/package/) build the packages and install them into a scratch root:
# dpkg-deb and dpkg-shlibdeps (dpkg-dev), strip and readelf (binutils), g++ and make for the native
# modules npm ci compiles, lintian, useradd (passwd), deb-systemd-helper (init-system-helpers) and
# systemd-analyze (systemd). The installer's tests (test/install/) run it on an overlay of / in a
# mount namespace of its own (unshare, util-linux).
install_missing scripts/test.sh dpkg-shlibdeps:dpkg-dev strip:binutils readelf:binutils g++:g++ make:make \
  lintian:lintian useradd:passwd deb-systemd-helper:init-system-helpers systemd-analyze:systemd

npm ci --no-audit --no-fund
npm run build
npm run depcheck
npx tsc -p test/tsconfig.json --noEmit
# ESLint (type-aware) and prettier --check: a finding fails the run before the long suite starts.
npm run lint

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
ROOM_AGENT_SKIP_BUILD=1 npx vitest run --config test/vitest.config.ts \
  --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node scripts/test-summary.mjs "$report" || true
exit "$status"
