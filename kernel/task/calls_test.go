package task

import (
	"math/rand/v2"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

func TestClockRandomTLS(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		var mono, real, rnd [2]uint64
		var errs []int64
		task := tk.spawn(t, "misc", func(u *User) {
			buf := mmapAnon(u, pmap.PageSize)
			errs = append(errs, u.Sys("clock_gettime", clockMonotonic, buf))
			mono[0], mono[1] = u.Load64(buf), u.Load64(buf+8)
			errs = append(errs, u.Sys("clock_gettime", clockRealtime, buf))
			real[0], real[1] = u.Load64(buf), u.Load64(buf+8)
			errs = append(errs, u.Sys("clock_gettime", 99, buf), u.Sys("clock_gettime", clockMonotonic, 8))
			errs = append(errs, u.Sys("getrandom", buf, 16, 0), u.Sys("getrandom", buf, 16, 0x100), u.Sys("getrandom", 8, 16, 0))
			rnd[0], rnd[1] = u.Load64(buf), u.Load64(buf+8)
			errs = append(errs, u.Sys("nanosleep", buf+64, 0), u.Sys("nanosleep", 8, 0))
			u.Store64(buf+64+8, 2_000_000_000)
			errs = append(errs, u.Sys("nanosleep", buf+64, 0), u.Sys("sched_yield"))
			if a == AMD64 {
				errs = append(errs, u.Sys("arch_prctl", archSetFS, 0x1234_5678), u.Sys("arch_prctl", archGetFS, buf+128),
					u.Sys("arch_prctl", archSetFS, 1<<63), u.Sys("arch_prctl", 7, 0))
				errs = append(errs, int64(u.Load64(buf+128)))
			}
			u.Exit(0)
		})
		tk.run(t)
		tk.wantStatus(t, task, 0)
		want := []int64{0, 0, EINVAL.ret(), EFAULT.ret(), 16, EINVAL.ret(), EFAULT.ret(), 0, EFAULT.ret(), EINVAL.ret(), 0}
		if a == AMD64 {
			want = append(want, 0, 0, EPERM.ret(), EINVAL.ret(), 0x1234_5678)
		}
		for i, w := range want {
			if i >= len(errs) || errs[i] != w {
				t.Fatalf("results %v, want %v", errs, want)
			}
		}
		if mono[1] >= nsPerSec || real[0] < 1_700_000_000 || rnd == [2]uint64{} {
			t.Errorf("monotonic %v realtime %v random %x", mono, real, rnd)
		}
	})
}

func TestCloneThreadsAndPreemption(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		var order []string
		var tids []int64
		var task *Task
		task = tk.spawn(t, "threads", func(u *User) {
			buf := mmapAnon(u, pmap.PageSize)
			for i := range 2 {
				name := []string{"a", "b"}[i]
				key := u.cpu.register(func(u *User) {
					if u.c.ret != 0 || u.c.sp == 0 {
						u.Exit(20)
					}
					for range 3 {
						order = append(order, name)
						u.Preempt()
					}
					u.Store8(buf+uint64(i), 1)
					u.Sys("exit", 0)
				})
				flags := uint64(cloneVM | cloneFS | cloneFiles | cloneSighand | cloneThread | cloneSysvsem | cloneSettls)
				args := [6]uint64{flags, key, 0, 0, 0}
				args[a.cloneTLS] = 0x5000 + uint64(i)
				tids = append(tids, u.Sys("clone", args[:5]...))
			}
			tids = append(tids, u.Sys("clone", 0x11, 0))
			for u.Load8(buf) == 0 || u.Load8(buf+1) == 0 {
				order = append(order, "main")
				u.Preempt()
			}
			if task.Threads() != 1 {
				u.Exit(21)
			}
			u.Sys("exit", 3)
		})
		tk.run(t)
		tk.wantStatus(t, task, exitStatus(3))
		if tids[0] <= 0 || tids[1] <= 0 || tids[2] != EINVAL.ret() {
			t.Errorf("clone returned %v", tids)
		}
		want := "main a b main a b main a b main"
		if got := join(order); len(got) < len(want) || got[:len(want)] != want {
			t.Errorf("run order %q, want round robin %q", got, want)
		}
	})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestForkCopyOnWriteAndWait(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		var seen [4]uint64
		var status, killed uint64
		var r [6]vm.KernReturn
		parent := tk.spawn(t, "fork", func(u *User) {
			scratch := mmapAnon(u, 2*pmap.PageSize)
			priv := mmapAnon(u, 3*pmap.PageSize)
			u.Store64(priv, 1)
			u.Store64(priv+pmap.PageSize, 2)
			u.Store64(priv+2*pmap.PageSize, 3)
			var child uint64
			r[0], child = u.Fork(scratch, func(u *User) {
				if u.c.ret != 0 || u.Load64(scratch) != 0 {
					u.Exit(40)
				}
				seen[0] = u.Load64(priv)
				u.Store64(priv+pmap.PageSize, 20)
				seen[1] = u.Load64(priv + pmap.PageSize)
				u.Exit(5)
			})
			u.Store64(priv, 10)
			r[1] = u.Trap(TrapTaskWait, child, scratch+16, scratch+24)
			seen[2] = u.Load64(priv + pmap.PageSize)
			status = u.Load64(scratch + 24)
			seen[3] = u.Load64(scratch + 16)
			r[2] = u.Trap(TrapTaskWait, ^uint64(0), scratch+16, scratch+24)
			// A child killed by a fault.
			_, child = u.Fork(scratch, func(u *User) { u.Store8(0x20, 1) })
			r[3] = u.Trap(TrapTaskWait, ^uint64(0), scratch+16, scratch+24)
			killed = u.Load64(scratch + 24)
			// A child that outlives its parent is reaped when it ends.
			u.Fork(scratch, func(u *User) {
				u.Preempt()
				u.Preempt()
				u.Exit(0)
			})
			u.Exit(0)
		})
		tk.run(t)
		tk.wantStatus(t, parent, 0)
		if r[0] != 0 || r[1] != 0 || r[2] != vm.KernInvalidArgument || r[3] != 0 {
			t.Errorf("fork/wait returned %v", r)
		}
		if seen[0] != 1 || seen[1] != 20 || seen[2] != 2 {
			t.Errorf("child saw %d, %d; parent %d after the child wrote: copy-on-write broken", seen[0], seen[1], seen[2])
		}
		if WaitStatus(status) != exitStatus(5) || seen[3] == 0 {
			t.Errorf("wait status %#x of child %d, want exit 5", status, seen[3])
		}
		if WaitStatus(killed) != killStatus(sigSEGV) {
			t.Errorf("killed child's status %#x, want SIGSEGV", killed)
		}
		if s := tk.env.VM.Statistics(); s.CowFaults == 0 {
			t.Errorf("no copy-on-write faults counted: %+v", s)
		}
		if len(tk.tasks) != 1 {
			t.Errorf("%d tasks in the table, want the parent only (children reaped)", len(tk.tasks))
		}
	})
}

func TestSharedMemoryAndMachTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		var r []vm.KernReturn
		var got []uint64
		task := tk.spawn(t, "mach", func(u *User) {
			scratch := mmapAnon(u, pmap.PageSize)
			r = append(r, u.Trap(TrapVMAllocate, scratch, 2*pmap.PageSize, uint64(vm.FlagsAnywhere)))
			buf := u.Load64(scratch)
			u.Store64(buf, 77)
			r = append(r, u.Trap(TrapVMInherit, buf, pmap.PageSize, uint64(vm.InheritShare)))
			// A memory entry over the second page, mapped again elsewhere.
			u.Store64(scratch+8, pmap.PageSize)
			r = append(r, u.Trap(TrapMakeMemoryEntry, scratch+8, buf+pmap.PageSize, uint64(vm.ProtDefault)|uint64(vm.MapMemVMShare), scratch+16))
			name := u.Load64(scratch + 16)
			u.Store64(scratch+24, 0)
			u.Store64(scratch+32, 0)
			u.Store64(scratch+40, 0|uint64(vm.ProtDefault)<<8|uint64(vm.ProtDefault)<<16|uint64(vm.InheritShare)<<24)
			u.Store64(scratch+48, 0)
			r = append(r, u.Trap(TrapVMMap, scratch+48, pmap.PageSize, 0, uint64(vm.FlagsAnywhere), name, scratch+32))
			alias := u.Load64(scratch + 48)
			_, child := u.Fork(scratch+56, func(u *User) {
				u.Store64(buf, 88)
				u.Store64(alias, 99)
				u.Exit(0)
			})
			r = append(r, u.Trap(TrapTaskWait, child, scratch+64, scratch+72))
			got = append(got, u.Load64(buf), u.Load64(buf+pmap.PageSize))
			r = append(r, u.Trap(TrapVMCopy, buf, 8, buf+pmap.PageSize+8))
			got = append(got, u.Load64(buf+pmap.PageSize+8))
			r = append(r, u.Trap(TrapVMProtect, buf, pmap.PageSize, 0, uint64(vm.ProtRead)))
			r = append(r, u.Trap(TrapVMProtect, buf, pmap.PageSize, 0, 0x40))
			r = append(r, u.Trap(TrapVMStatistics, scratch+128))
			got = append(got, u.Load64(scratch+128), u.Load64(scratch+128+7*8))
			r = append(r, u.Trap(TrapPortDeallocate, name), u.Trap(TrapPortDeallocate, name))
			r = append(r, u.Trap(TrapVMDeallocate, buf, 2*pmap.PageSize))
			r = append(r, u.Trap(TrapVMRegion, scratch+256, scratch+264))
			r = append(r, u.Trap(TrapVMAllocate, 8, pmap.PageSize, 1))
			u.Exit(0)
		})
		tk.run(t)
		tk.wantStatus(t, task, 0)
		want := []vm.KernReturn{0, 0, 0, 0, 0, 0, 0, vm.KernInvalidArgument, 0, 0, vm.KernInvalidName, 0, 0, vm.KernInvalidAddress}
		if len(r) != len(want) {
			t.Fatalf("results %v, want %v", r, want)
		}
		for i := range want {
			if r[i] != want[i] {
				t.Errorf("trap %d returned %v, want %v (all: %v)", i, r[i], want[i], r)
			}
		}
		if got[0] != 88 || got[1] != 99 || got[2] != 88 {
			t.Errorf("after the child wrote shared memory the parent reads %d and %d (vm_copy %d), want 88, 99, 88", got[0], got[1], got[2])
		}
		if got[3] != uint64(tk.env.VM.PoolPages()) {
			t.Errorf("vm_statistics pool pages %d, want %d", got[3], tk.env.VM.PoolPages())
		}
	})
}

// TestSyscallFuzz makes random calls with random arguments, mixed with
// loads and stores at random addresses, from several tasks: the kernel
// must survive and leave the vm consistent.
func TestSyscallFuzz(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 2048)
		rng := rand.New(rand.NewPCG(7, uint64(len(a.Name))))
		nrs := []uint64{}
		for nr := range a.syscalls {
			if d := a.syscalls[nr]; d.name != "exit" && d.name != "exit_group" && d.name != "nanosleep" {
				nrs = append(nrs, nr)
			}
		}
		for tr, d := range machTraps {
			if d.name != "task_wait" {
				nrs = append(nrs, uint64(tr))
			}
		}
		addrs := []uint64{0, 8, testText, testData, 0x8000_0000, uint64(MmapBase), 1 << 46, 1<<47 - 8, 1 << 47, ^uint64(0) - 7}
		arg := func() uint64 {
			switch rng.IntN(4) {
			case 0:
				return addrs[rng.IntN(len(addrs))] + uint64(rng.IntN(3))*pmap.PageSize
			case 1:
				return uint64(rng.IntN(64))
			case 2:
				return uint64(rng.IntN(16)) * pmap.PageSize
			}
			return rng.Uint64()
		}
		// Threads and forked tasks run the same program (the fake CPU
		// starts them at the entry): a shared budget bounds the calls.
		budget := 20000
		var tasks []*Task
		for range 6 {
			tasks = append(tasks, tk.spawn(t, "fuzz", func(u *User) {
				for ; budget > 0; budget-- {
					switch rng.IntN(1000) {
					case 0:
						u.Store8(addrs[rng.IntN(len(addrs))], 1)
					case 1:
						u.Load8(arg())
					default:
						nr := nrs[rng.IntN(len(nrs))]
						u.SysNr(nr, arg(), arg(), arg(), arg(), arg(), arg())
					}
				}
				u.Exit(0)
			}))
		}
		tk.run(t)
		for _, task := range tasks {
			if task.State != TaskZombie {
				t.Errorf("task %d still %d", task.ID, task.State)
			}
		}
		if tk.Stats.Syscalls < 2000 {
			t.Errorf("only %d calls made", tk.Stats.Syscalls)
		}
		t.Logf("%s: %+v, %d tasks left, %d console bytes", a.Name, tk.Stats, len(tk.tasks), tk.out.Len())
	})
}

// TestCallTableAgreesWithTheMaps: the index the kernel looks calls up in
// finds exactly what the tables name, and nothing for other numbers.
func TestCallTableAgreesWithTheMaps(t *testing.T) {
	for _, a := range arches {
		c := newCallTable(a)
		nrs := append(callNumbers(a), 1<<63, ^uint64(0)-1000, 1<<32, uint64(len(c.linux)), -uint64(len(c.mach)))
		for _, nr := range nrs {
			want := a.syscalls[nr]
			if int64(nr) < 0 {
				want = machTraps[int64(nr)]
			}
			if got := c.lookup(nr); got != want {
				t.Errorf("%s: lookup(%#x) = %v, want %v", a.Name, nr, got, want)
			}
		}
	}
}
