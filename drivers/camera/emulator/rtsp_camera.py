#!/usr/bin/python3
"""An IP camera for the demo and the tests: GStreamer's RTSP server on loopback, behind basic auth.

Each mount point serves a pre-encoded H.264 or H.265 clip (Annex B, an access unit delimiter
before every frame, parameter sets before every key frame) without re-encoding it: the clip's
access units are read once and pushed into an appsrc again and again, each stamped with a time
that keeps rising across loops, so a client sees one endless stream and the camera costs almost
no CPU. With --pcma a live 8 kHz G.711 A-law tone joins every mount point, as many cameras sold
in China send by default.

Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0). One JSON line on
stdout says it is ready ({"event": "ready", "port": N}); another follows every client connection
({"event": "client"}). SIGTERM or SIGINT ends it.
"""

import argparse
import json
import signal
import sys
import time

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer

ROLE = 'camera-user'
PAYLOADERS = {'h264': 'rtph264pay', 'h265': 'rtph265pay'}


def emit(event, **fields):
    print(json.dumps({'event': event, **fields}), flush=True)


def is_delimiter(codec, header):
    """An access unit delimiter NAL unit: type 9 in H.264, 35 in H.265."""
    if codec == 'h264':
        return header & 0x1F == 9
    return (header >> 1) & 0x3F == 35


def access_units(data, codec):
    """Splits an Annex B stream at its access unit delimiters (each unit keeps its delimiter)."""
    cuts = []
    at = data.find(b'\x00\x00\x01')
    while at >= 0 and at + 3 < len(data):
        if is_delimiter(codec, data[at + 3]):
            # A four-byte start code belongs to the unit it starts.
            cuts.append(at - 1 if at > 0 and data[at - 1] == 0 else at)
        at = data.find(b'\x00\x00\x01', at + 3)
    if not cuts:
        raise ValueError('the clip has no access unit delimiters')
    cuts.append(len(data))
    return [data[start:end] for start, end in zip(cuts, cuts[1:])]


class ClipFactory(GstRtspServer.RTSPMediaFactory):
    """One pipeline per client, joining the clip where a live camera would be now.

    A client starts at the key frame of the current second (the clip has one every second), so
    photos taken a while apart show different pictures, as they do from a real camera."""

    def __init__(self, clip, codec, fps, pcma):
        super().__init__()
        with open(clip, 'rb') as file:
            units = access_units(file.read(), codec)
        self.buffers = [Gst.Buffer.new_wrapped(unit) for unit in units]
        self.codec = codec
        self.frame_ns = Gst.SECOND // fps
        self.fps = fps
        self.started = time.monotonic()
        self.pcma = pcma
        self.set_shared(False)

    def do_create_element(self, _url):
        caps = f'video/x-{self.codec},stream-format=byte-stream,alignment=au'
        description = (
            f'( appsrc name=clip format=time caps={caps}'
            f' ! {PAYLOADERS[self.codec]} name=pay0 pt=96 config-interval=-1'
        )
        if self.pcma:
            description += (
                ' audiotestsrc wave=sine freq=440 samplesperbuffer=160'
                ' ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8'
            )
        return Gst.parse_launch(description + ' )')

    def do_configure(self, media):
        clip_seconds = max(1, len(self.buffers) // self.fps)
        start = int(time.monotonic() - self.started) % clip_seconds * self.fps
        frames = {'next': 0}

        def need_data(source, _length):
            index = frames['next']
            frames['next'] = index + 1
            # A shallow copy shares the clip's bytes; only the timestamps are new.
            buffer = self.buffers[(start + index) % len(self.buffers)].copy()
            buffer.pts = buffer.dts = index * self.frame_ns
            buffer.duration = self.frame_ns
            source.emit('push-buffer', buffer)

        media.get_element().get_by_name('clip').connect('need-data', need_data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--user', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--codec', choices=sorted(PAYLOADERS), default='h264')
    parser.add_argument('--fps', type=int, default=25)
    parser.add_argument('--pcma', action='store_true', help='add a G.711 A-law audio track')
    parser.add_argument('--mount', action='append', required=True, metavar='PATH=CLIP',
                        help='serve CLIP (Annex B) at rtsp://127.0.0.1:PORT/PATH; repeatable')
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))

    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', ROLE)
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    server.set_auth(auth)
    permissions = Gst.Structure.from_string(
        f'{ROLE}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true')[0]

    mounts = server.get_mount_points()
    for mount in args.mount:
        path, clip = mount.split('=', 1)
        factory = ClipFactory(clip, args.codec, args.fps, args.pcma)
        factory.add_role_from_structure(permissions)
        mounts.add_factory(path, factory)

    server.connect('client-connected', lambda _server, _client: emit('client'))
    if server.attach(None) == 0:
        sys.exit(f'cannot listen on 127.0.0.1:{args.port}')
    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    emit('ready', port=server.get_bound_port())
    loop.run()


if __name__ == '__main__':
    main()
