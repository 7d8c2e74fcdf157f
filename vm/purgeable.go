package vm

// PurgableControl is vm_purgable_control. SetState and GetState act on the
// purgable object mapped at addr (KERN_INVALID_ARGUMENT if there is
// none) and return its previous (or current) state: a volatile object's
// pages may be discarded by pageout instead of being paged out, after
// which its state is empty and it reads as zeros. PurgeAll empties every
// volatile object now.
func (m *Map) PurgableControl(addr VAddr, control PurgableControl, state PurgableState) (PurgableState, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if control == PurgablePurgeAll {
		m.sys.purgeAll()
		return 0, nil
	}
	if control != PurgableSetState && control != PurgableGetState {
		return 0, KernInvalidArgument
	}
	e, ok := m.lookup(addr)
	if !ok || e.object == nil || e.object.purgable == PurgableDeny {
		return 0, KernInvalidArgument
	}
	o := e.object
	old := o.purgable
	if control == PurgableGetState {
		return old, nil
	}
	switch state {
	case PurgableNonvolatile, PurgableVolatile:
		o.purgable = state
	case PurgableEmpty:
		m.sys.purge(o)
	default:
		return 0, KernInvalidArgument
	}
	return old, nil
}

// purge discards the pages of a purgable object: volatile → empty.
func (s *System) purge(o *Object) {
	for _, p := range o.pages {
		if p.wireCount == 0 {
			s.freePage(p)
		}
	}
	o.discardPagedOut()
	o.purgable = PurgableEmpty
}

func (s *System) purgeAll() {
	for o := range s.objects {
		if o.purgable == PurgableVolatile {
			s.purge(o)
		}
	}
}
