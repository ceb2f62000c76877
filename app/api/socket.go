package api

import "net"

// listenPrivate listens on a Unix socket at path. The data dir holding it
// is 0700, so others cannot reach it even before Listen makes it 0600.
func listenPrivate(path string) (net.Listener, error) {
	return net.Listen("unix", path)
}
