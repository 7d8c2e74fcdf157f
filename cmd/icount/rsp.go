//go:build !tamago

package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// stub is a client of a gdb stub: the GDB Remote Serial Protocol (the
// "Remote Protocol" appendix of the GDB manual) over a connection to
// QEMU's -gdb port. A packet is $data#cc, cc the modulo-256 sum of data's
// bytes in hex; each side acknowledges a packet with +, until
// QStartNoAckMode turns acknowledgements off.
type stub struct {
	conn     net.Conn
	r        *bufio.Reader
	ack      bool
	deadline time.Time // for every exchange: the whole run's limit
}

func newStub(conn net.Conn, deadline time.Time) *stub {
	return &stub{conn: conn, r: bufio.NewReader(conn), ack: true, deadline: deadline}
}

// frame makes the packet that carries data.
func frame(data string) string {
	var sum byte
	for i := 0; i < len(data); i++ {
		sum += data[i]
	}
	return fmt.Sprintf("$%s#%02x", data, sum)
}

// send sends one packet and returns the stub's reply.
func (s *stub) send(data string) (string, error) {
	if err := s.conn.SetDeadline(s.deadline); err != nil {
		return "", err
	}
	if _, err := io.WriteString(s.conn, frame(data)); err != nil {
		return "", err
	}
	return s.reply()
}

// reply reads one packet, skipping acknowledgements, checks its sum and
// acknowledges it.
func (s *stub) reply() (string, error) {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return "", err
		}
		if b == '$' {
			break
		}
		if b != '+' {
			return "", fmt.Errorf("gdb stub: unexpected byte %q outside a packet", b)
		}
	}
	data, err := s.r.ReadString('#')
	if err != nil {
		return "", err
	}
	data = data[:len(data)-1]
	cc := make([]byte, 2)
	if _, err := io.ReadFull(s.r, cc); err != nil {
		return "", err
	}
	if want := frame(data); want[len(want)-2:] != string(cc) {
		return "", fmt.Errorf("gdb stub: packet %q has sum %s, want %s", data, cc, want[len(want)-2:])
	}
	if s.ack {
		if _, err := io.WriteString(s.conn, "+"); err != nil {
			return "", err
		}
	}
	return data, nil
}

// noAck asks the stub to stop acknowledging packets; a stub that refuses
// keeps them.
func (s *stub) noAck() error {
	r, err := s.send("QStartNoAckMode")
	if err != nil {
		return err
	}
	s.ack = r != "OK"
	return nil
}

// errExited is returned when the target ends (a W or X stop reply).
var errExited = errors.New("the target exited")

// resume sends a step (s) or continue (c) and waits for the stop reply.
func (s *stub) resume(cmd string) error {
	r, err := s.send(cmd)
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(r, "T"), strings.HasPrefix(r, "S"):
		return nil
	case strings.HasPrefix(r, "W"), strings.HasPrefix(r, "X"):
		return errExited
	}
	return fmt.Errorf("gdb stub: %q after %q", r, cmd)
}

// register reads register n (the target's gdb numbering), little-endian.
func (s *stub) register(n int) (uint64, error) {
	r, err := s.send(fmt.Sprintf("p%x", n))
	if err != nil {
		return 0, err
	}
	b, err := hex.DecodeString(r)
	if err != nil || len(b) == 0 || len(b) > 8 {
		return 0, fmt.Errorf("gdb stub: register %d reads %q", n, r)
	}
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// breakpoint inserts (on) or removes a software breakpoint at addr (Z0,
// z0); kind is the breakpoint instruction's size.
func (s *stub) breakpoint(on bool, addr uint64, kind int) error {
	cmd := "z0"
	if on {
		cmd = "Z0"
	}
	r, err := s.send(fmt.Sprintf("%s,%x,%d", cmd, addr, kind))
	if err != nil {
		return err
	}
	if r != "OK" {
		return fmt.Errorf("gdb stub: %s at %#x: %q", cmd, addr, r)
	}
	return nil
}

// kill ends the target (k has no reply).
func (s *stub) kill() {
	s.conn.SetDeadline(time.Now().Add(time.Second))
	io.WriteString(s.conn, frame("k"))
}
