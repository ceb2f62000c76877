//go:build windows

package tunnel

import "os/exec"

func setProcAttr(cmd *exec.Cmd) {}

func terminateGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
func killGroup(cmd *exec.Cmd)      { cmd.Process.Kill() }

func lockThread()   {}
func unlockThread() {}
