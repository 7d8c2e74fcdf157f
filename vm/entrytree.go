package vm

import (
	"fmt"
	"math/bits"
)

// entryTree indexes a map's entries by start address: a B+ tree whose nodes
// keep their keys in one inline array, so that a search reads a few
// contiguous cache lines per level and calls no function per comparison.
//
//	           ┌────────────────────────────┐
//	inner:     │ keys: min start of each kid│  kids[i] holds the starts
//	           │ kids: *treeNode ...        │  in [keys[i], keys[i+1])
//	           └─────┬──────────────┬───────┘
//	                 ▼              ▼
//	leaves:  ┌──────────────┐ ┌──────────────┐
//	         │ keys: starts │ │ keys: starts │   ents[i] is the entry
//	         │ ents: *Entry │ │ ents: *Entry │   starting at keys[i]
//	         └──────────────┘ └──────────────┘
//
// Every leaf is at depth height. Inserting splits full nodes on the way
// back up; deleting removes emptied nodes and merges a node with a
// neighbour when both fit in three quarters of one, and the root shrinks
// when it has one child. (The map used github.com/google/btree before: its
// generic search, a less-function closure per comparison and an iterator
// callback per result, took ~120 ns in a 1,000-entry map where this tree
// takes ~40; docs/vm.md has the numbers.)
//
// Lock legend: guarded by the map lock (M).
type entryTree struct {
	root   *treeNode
	height int // levels below the root: 0 when the root is a leaf
	n      int // entries
}

// treeSeg and treeOrder: a node holds at most treeOrder keys, 64 keys in
// 512 bytes (eight cache lines), searched as treeSeg segments of treeSeg
// keys. With nodes about three quarters full a map of 100,000 entries is
// three levels deep.
const (
	treeSeg   = 8
	treeOrder = treeSeg * treeSeg
)

// treeNode is a node of an entryTree: keys[:n] sorted, with kids (inner
// nodes) or ents (leaves) beside them.
type treeNode struct {
	n    int
	keys [treeOrder]VAddr
	kids [treeOrder]*treeNode
	ents [treeOrder]*Entry
}

// noKey fills the key slots of a node beyond n, so that search can compare
// every slot without checking n: no entry starts there (starts are page
// aligned and below it).
const noKey = ^VAddr(0)

// newTreeNode returns an empty node.
func newTreeNode() *treeNode {
	nd := &treeNode{}
	for i := range nd.keys {
		nd.keys[i] = noKey
	}
	return nd
}

// search returns the index of the last key at or below va.
// Precondition: n > 0, keys[0] <= va < noKey.
//
// Keys are sorted and the slots past n hold noKey, so the answer is the
// number of keys at or below va, less one. search counts them in two
// rounds of independent comparisons (no branch, no chain of dependent
// loads as in a binary search): the last key of each segment of treeSeg
// keys that holds keys picks the segment, then the keys of that segment
// are counted.
// A lookup in a large map makes one search per level; mispredicted
// branches and dependent loads on random keys cost more than comparisons.
func (nd *treeNode) search(va VAddr) int {
	s := 0
	for j := treeSeg - 1; j < nd.n+treeSeg-1; j += treeSeg {
		s += atOrBelow(nd.keys[j], va)
	}
	base := min(s, treeSeg-1) * treeSeg
	k := (*[treeSeg]VAddr)(nd.keys[base : base+treeSeg])
	c := atOrBelow(k[0], va) + atOrBelow(k[1], va) + atOrBelow(k[2], va) + atOrBelow(k[3], va) +
		atOrBelow(k[4], va) + atOrBelow(k[5], va) + atOrBelow(k[6], va) + atOrBelow(k[7], va)
	return base + c - 1
}

// atOrBelow is 1 if k <= va and 0 otherwise, computed from the borrow of
// va - k without a branch.
func atOrBelow(k, va VAddr) int {
	_, borrow := bits.Sub64(uint64(va), uint64(k), 0)
	return int(1 - borrow)
}

// floor returns the entry with the greatest start at or below va, or nil.
func (t *entryTree) floor(va VAddr) (VAddr, *Entry) {
	nd := t.root
	if nd == nil || nd.n == 0 || va < nd.keys[0] {
		return 0, nil
	}
	va = min(va, noKey-1)
	for h := t.height; h > 0; h-- {
		nd = nd.kids[nd.search(va)]
	}
	i := nd.search(va)
	return nd.keys[i], nd.ents[i]
}

// get returns the entry starting at start, or nil.
func (t *entryTree) get(start VAddr) *Entry {
	if k, e := t.floor(start); e != nil && k == start {
		return e
	}
	return nil
}

// len reports the number of entries.
func (t *entryTree) len() int { return t.n }

// insert adds e under its start and reports false, changing nothing, if an
// entry with that start is already there.
func (t *entryTree) insert(e *Entry) bool {
	if t.root == nil {
		t.root = newTreeNode()
	}
	split, ok := t.root.insert(e.start, e, t.height)
	if !ok {
		return false
	}
	if split != nil {
		old := t.root
		t.root = newTreeNode()
		t.root.n = 2
		t.root.keys[0], t.root.kids[0] = old.keys[0], old
		t.root.keys[1], t.root.kids[1] = split.keys[0], split
		t.height++
	}
	t.n++
	return true
}

// insert adds (k, e) to the subtree of nd, h levels above the leaves, and
// returns the new right sibling if nd had to split.
func (nd *treeNode) insert(k VAddr, e *Entry, h int) (*treeNode, bool) {
	i := -1
	if nd.n > 0 && k >= nd.keys[0] {
		i = nd.search(k)
	}
	if h == 0 {
		if i >= 0 && nd.keys[i] == k {
			return nil, false
		}
		return nd.put(i+1, k, nil, e), true
	}
	c := max(i, 0)
	split, ok := nd.kids[c].insert(k, e, h-1)
	if !ok {
		return nil, false
	}
	nd.keys[c] = nd.kids[c].keys[0]
	if split == nil {
		return nil, true
	}
	return nd.put(c+1, split.keys[0], split, nil), true
}

// put inserts key k with kid or e at pos, splitting nd in two halves first
// if it is full; it returns the right half of a split, or nil.
func (nd *treeNode) put(pos int, k VAddr, kid *treeNode, e *Entry) *treeNode {
	if nd.n < treeOrder {
		nd.shiftIn(pos, k, kid, e)
		return nil
	}
	const half = treeOrder / 2
	right := newTreeNode()
	right.n = treeOrder - half
	copy(right.keys[:], nd.keys[half:])
	copy(right.kids[:], nd.kids[half:])
	copy(right.ents[:], nd.ents[half:])
	for i := half; i < treeOrder; i++ {
		nd.keys[i], nd.kids[i], nd.ents[i] = noKey, nil, nil
	}
	nd.n = half
	if pos <= half {
		nd.shiftIn(pos, k, kid, e)
	} else {
		right.shiftIn(pos-half, k, kid, e)
	}
	return right
}

// shiftIn inserts at pos in a node with room.
func (nd *treeNode) shiftIn(pos int, k VAddr, kid *treeNode, e *Entry) {
	copy(nd.keys[pos+1:nd.n+1], nd.keys[pos:nd.n])
	copy(nd.kids[pos+1:nd.n+1], nd.kids[pos:nd.n])
	copy(nd.ents[pos+1:nd.n+1], nd.ents[pos:nd.n])
	nd.keys[pos], nd.kids[pos], nd.ents[pos] = k, kid, e
	nd.n++
}

// removeAt deletes slot pos.
func (nd *treeNode) removeAt(pos int) {
	copy(nd.keys[pos:], nd.keys[pos+1:nd.n])
	copy(nd.kids[pos:], nd.kids[pos+1:nd.n])
	copy(nd.ents[pos:], nd.ents[pos+1:nd.n])
	nd.n--
	nd.keys[nd.n], nd.kids[nd.n], nd.ents[nd.n] = noKey, nil, nil
}

// delete removes the entry starting at start and reports whether there
// was one.
func (t *entryTree) delete(start VAddr) bool {
	if t.root == nil || !t.root.delete(start, t.height) {
		return false
	}
	for t.height > 0 && t.root.n == 1 {
		t.root = t.root.kids[0]
		t.height--
	}
	t.n--
	return true
}

// delete removes key k from the subtree of nd, h levels above the leaves.
func (nd *treeNode) delete(k VAddr, h int) bool {
	if nd.n == 0 || k < nd.keys[0] {
		return false
	}
	i := nd.search(k)
	if h == 0 {
		if nd.keys[i] != k {
			return false
		}
		nd.removeAt(i)
		return true
	}
	c := nd.kids[i]
	if !c.delete(k, h-1) {
		return false
	}
	if c.n == 0 {
		nd.removeAt(i)
		return true
	}
	nd.keys[i] = c.keys[0]
	nd.mergeAround(i)
	return true
}

// mergeFill is the most keys two neighbours may hold together for delete
// to merge them: below treeOrder, so that a merged node is not split again
// by the next insert.
const mergeFill = treeOrder * 3 / 4

// mergeAround folds kid i into its left neighbour, or its right neighbour
// into it, when the two hold at most mergeFill keys.
func (nd *treeNode) mergeAround(i int) {
	if i > 0 && nd.kids[i-1].n+nd.kids[i].n <= mergeFill {
		i--
	} else if i+1 >= nd.n || nd.kids[i].n+nd.kids[i+1].n > mergeFill {
		return
	}
	l, r := nd.kids[i], nd.kids[i+1]
	copy(l.keys[l.n:], r.keys[:r.n])
	copy(l.kids[l.n:], r.kids[:r.n])
	copy(l.ents[l.n:], r.ents[:r.n])
	l.n += r.n
	nd.removeAt(i + 1)
}

// ascend calls f for every entry in start order until f returns false.
func (t *entryTree) ascend(f func(start VAddr, e *Entry) bool) {
	if t.root != nil {
		t.root.ascend(t.height, f)
	}
}

func (nd *treeNode) ascend(h int, f func(VAddr, *Entry) bool) bool {
	for i := 0; i < nd.n; i++ {
		if h == 0 {
			if !f(nd.keys[i], nd.ents[i]) {
				return false
			}
		} else if !nd.kids[i].ascend(h-1, f) {
			return false
		}
	}
	return true
}

// check verifies the tree's shape: keys strictly increasing in every node,
// noKey in every slot past them,
// each inner key the smallest key of its kid, no empty node but an empty
// root, every leaf at the same depth, and the entry count.
func (t *entryTree) check() error {
	if t.root == nil {
		if t.n != 0 {
			return fmt.Errorf("vm: entry tree without root counts %d entries", t.n)
		}
		return nil
	}
	n, err := t.root.check(t.height, true)
	if err == nil && n != t.n {
		err = fmt.Errorf("vm: entry tree holds %d entries, counts %d", n, t.n)
	}
	return err
}

func (nd *treeNode) check(h int, root bool) (int, error) {
	if nd.n == 0 && !root || nd.n > treeOrder {
		return 0, fmt.Errorf("vm: entry tree node with %d keys", nd.n)
	}
	total := 0
	for i := nd.n; i < treeOrder; i++ {
		if nd.keys[i] != noKey {
			return 0, fmt.Errorf("vm: entry tree slot %d past %d keys holds %v", i, nd.n, nd.keys[i])
		}
	}
	for i := 0; i < nd.n; i++ {
		if i > 0 && nd.keys[i-1] >= nd.keys[i] {
			return 0, fmt.Errorf("vm: entry tree keys out of order at %v", nd.keys[i])
		}
		if h == 0 {
			total++
			continue
		}
		if nd.kids[i].n == 0 || nd.kids[i].keys[0] != nd.keys[i] {
			return 0, fmt.Errorf("vm: entry tree separator %v is not its kid's first key", nd.keys[i])
		}
		n, err := nd.kids[i].check(h-1, false)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
