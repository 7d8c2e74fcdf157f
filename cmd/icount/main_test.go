//go:build !tamago

package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tamach/tamach/cmd/internal/symtab"
)

// fakeCPU runs a program of (pc, user) states: a step moves to the next,
// a continue to the next state at a breakpoint.
type fakeCPU struct {
	prog []state
	i    int
	bps  map[uint64]bool
}

type state struct {
	pc   uint64
	user bool
}

func (f *fakeCPU) step() error {
	if f.i+1 >= len(f.prog) {
		return errExited
	}
	f.i++
	return nil
}

func (f *fakeCPU) cont() error {
	if f.bps[f.prog[f.i].pc] {
		return nil // like QEMU: the breakpoint it stopped at stops it again
	}
	for f.i+1 < len(f.prog) {
		f.i++
		if f.bps[f.prog[f.i].pc] {
			return nil
		}
	}
	return errExited
}

func (f *fakeCPU) pc() (uint64, error) { return f.prog[f.i].pc, nil }
func (f *fakeCPU) user() (bool, error) { return f.prog[f.i].user, nil }
func (f *fakeCPU) breakpoint(on bool, addr uint64) error {
	f.bps[addr] = on
	return nil
}

// kernel and user make n states of a path, at pcs from base.
func kernel(base uint64, n int) []state { return path(base, n, false) }
func user(base uint64, n int) []state   { return path(base, n, true) }

func path(base uint64, n int, u bool) []state {
	var s []state
	for i := range n {
		s = append(s, state{base + uint64(4*i), u})
	}
	return s
}

func cat(parts ...[]state) []state {
	var s []state
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

func TestCountWholeTraps(t *testing.T) {
	const fn = 0x2000 // the breakpoint's function, entered once per trap
	trap := func(userN, entryN, fnN, exitN int) []state {
		return cat(user(0x40_0000, userN), kernel(0xffff_0000_0000_0000, entryN), kernel(fn, fnN), kernel(0x3000, exitN))
	}
	f := &fakeCPU{bps: map[uint64]bool{}, prog: cat(
		kernel(0x1000, 5), // boot
		trap(7, 3, 4, 2),  // hit 1, skipped
		trap(7, 3, 4, 2),  // hit 2: the count starts after its return
		trap(9, 3, 5, 2),  // counted: 10 in the kernel
		trap(8, 3, 4, 6),  // counted: 13
		user(0x40_0000, 3),
	)}
	c, err := count(f, fn, 1, 2, 1000, false)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.User, c.Kernel) != "[9 8] [10 13]" {
		t.Errorf("user %v, kernel %v; want [9 8] [10 13]", c.User, c.Kernel)
	}
	if c.PCs[fn] != 2 || c.PCs[0x3000+4*5] != 1 || c.PCs[0x40_0000] != 0 {
		t.Errorf("pcs %v", c.PCs)
	}
	if f.bps[fn] {
		t.Error("the breakpoint was left in")
	}
	syms := symtab.New([]uint64{0x2000, 0x3000}, []uint64{0x100, 0x100}, []string{modulePrefix + "vm.(*Map).Fault", "runtime.x"})
	var b strings.Builder
	report(&b, c, syms)
	want := `trap 1: 9 instructions in user mode, then 10 in the kernel
trap 2: 8 instructions in user mode, then 13 in the kernel
kernel instructions per trap, mean of 2, by function:
      4.5  vm.(*Map).Fault
      4.0  runtime.x
      3.0  (trampoline: its upper-half mapping)
     11.5  total
`
	if b.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
}

// With fromAt the first trap is the rest of the one the breakpoint is in.
func TestCountFromTheBreakpoint(t *testing.T) {
	const fn = 0x2000
	f := &fakeCPU{bps: map[uint64]bool{}, prog: cat(
		kernel(0x1000, 5), user(0x40_0000, 4), kernel(0xffff_0000_0000_0000, 3),
		kernel(fn, 6), kernel(0x3000, 2), // stopped at fn: 8 to user mode
		user(0x40_0000, 5), kernel(0x3000, 4), // then a whole trap
		user(0x40_0000, 1),
	)}
	c, err := count(f, fn, 0, 2, 1000, true)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.User, c.Kernel) != "[0 5] [8 4]" || c.PCs[fn] != 1 {
		t.Errorf("user %v, kernel %v, pcs %v; want [0 5] [8 4]", c.User, c.Kernel, c.PCs)
	}
	var b strings.Builder
	report(&b, c, symtab.New(nil, nil, nil))
	if !strings.HasPrefix(b.String(), "trap 1: from the breakpoint, 8 in the kernel\ntrap 2: 5 instructions in user mode, then 4 in the kernel\n") {
		t.Errorf("report:\n%s", b.String())
	}
}

func TestCountStopsAtTheLimit(t *testing.T) {
	f := &fakeCPU{bps: map[uint64]bool{}, prog: cat(kernel(0x1000, 1), kernel(0x2000, 1), user(0x40_0000, 2), kernel(0x1000, 50))}
	if _, err := count(f, 0x2000, 0, 1, 20, false); err == nil || !strings.Contains(err.Error(), "still in the kernel after 20") {
		t.Errorf("count = %v, want the limit's error", err)
	}
}

// TestStub speaks to a fake stub through a pipe: framing, sums,
// acknowledgements, register decoding.
func TestStub(t *testing.T) {
	if got := frame("p20"); got != "$p20#d2" {
		t.Errorf("frame(p20) = %s", got)
	}
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		buf := make([]byte, 256)
		replies := map[string]string{
			"QStartNoAckMode": "OK",
			"p20":             "efbeadde00000000",
			"s":               "T05thread:01;",
			"Z0,2000,4":       "OK",
			"c":               "W00",
		}
		acked := false
		for {
			n, err := server.Read(buf)
			if err != nil {
				return
			}
			msg := string(buf[:n])
			if msg == "+" {
				continue
			}
			data := msg[1:strings.IndexByte(msg, '#')]
			if !acked {
				server.Write([]byte("+")) // the stub acknowledges until no-ack mode
				acked = data == "QStartNoAckMode"
			}
			server.Write([]byte(frame(replies[data])))
		}
	}()
	s := newStub(client, time.Now().Add(5*time.Second))
	if err := s.noAck(); err != nil || s.ack {
		t.Fatalf("noAck: %v, ack %v", err, s.ack)
	}
	if v, err := s.register(0x20); err != nil || v != 0xdeadbeef {
		t.Errorf("register = %#x, %v", v, err)
	}
	if err := s.resume("s"); err != nil {
		t.Errorf("step: %v", err)
	}
	if err := s.breakpoint(true, 0x2000, 4); err != nil {
		t.Errorf("breakpoint: %v", err)
	}
	if err := s.resume("c"); !errors.Is(err, errExited) {
		t.Errorf("continue to an exit: %v", err)
	}
}
