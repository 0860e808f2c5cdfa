package disclosure

import (
	"errors"
	"fmt"
)

// Node is a figure of a tree of sums: a leaf carries its Value; an inner node is the sum of its
// Children, and its own Value is ignored (computed). Keys name the figures ("2024", "2024-Q1",
// "2024-03") and must be unique within a tree.
type Node struct {
	Key      string
	Value    int64
	Children []*Node
}

// Tree builds the table of a tree of sums, e.g. 12 months → 4 quarters → 1 year, any depth.
// Cells are numbered in pre-order (a node before its children, children in order); the map gives
// each key's index. Every inner node gets one relation: node = sum of its children.
// It is an error for the root or a child to be nil, or for a key to appear twice (which also
// rejects a node reachable twice).
func Tree(root *Node) (Table, map[string]int, error) {
	nodes, index, err := preorder(root)
	if err != nil {
		return Table{}, nil, err
	}
	t := Table{Cells: make([]int64, len(nodes))}
	for i := len(nodes) - 1; i >= 0; i-- { // children come after their parent
		nd := nodes[i]
		if len(nd.Children) == 0 {
			t.Cells[i] = nd.Value
			continue
		}
		parts := make([]int, len(nd.Children))
		for k, ch := range nd.Children {
			parts[k] = index[ch.Key]
			t.Cells[i] += t.Cells[parts[k]]
		}
		t.Relations = append(t.Relations, Relation{Total: i, Parts: parts})
	}
	return t, index, nil
}

// preorder lists the nodes of a tree, checking it is one.
func preorder(root *Node) ([]*Node, map[string]int, error) {
	if root == nil {
		return nil, nil, errors.New("disclosure: nil tree")
	}
	var nodes []*Node
	index := map[string]int{}
	var walk func(nd *Node, path string) error
	walk = func(nd *Node, path string) error {
		if nd == nil {
			return fmt.Errorf("disclosure: nil child under %q", path)
		}
		if _, dup := index[nd.Key]; dup {
			return fmt.Errorf("disclosure: key %q appears twice in the tree", nd.Key)
		}
		index[nd.Key] = len(nodes)
		nodes = append(nodes, nd)
		for _, ch := range nd.Children {
			if err := walk(ch, nd.Key); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, ""); err != nil {
		return nil, nil, err
	}
	return nodes, index, nil
}
