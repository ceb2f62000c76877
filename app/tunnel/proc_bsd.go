//go:build unix && !linux

package tunnel

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group. There is no
// parent-death signal here: Close must run.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
