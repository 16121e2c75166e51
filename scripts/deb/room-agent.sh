#!/bin/sh
# The room-agent command: the daemon's CLI on the private Node (package room-agent-node), never on
# the distribution's nodejs, whose major version apt may move (the native modules are built for
# one Node ABI). main.js's own `#!/usr/bin/env node` would pick whatever node is on PATH.
exec /usr/lib/room-agent/node/bin/node /usr/lib/room-agent/dist/src/cli/main.js "$@"
