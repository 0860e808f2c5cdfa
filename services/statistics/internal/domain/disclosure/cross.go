package disclosure

// CrossIndex says where each figure of a Cross table is.
type CrossIndex struct {
	rows, cols map[string]int // pre-order position of each key in its tree
}

// Cell is the index of the figure at row key row and column key col; ok is false if either key
// is unknown.
func (x CrossIndex) Cell(row, col string) (i int, ok bool) {
	r, okr := x.rows[row]
	c, okc := x.cols[col]
	if !okr || !okc {
		return 0, false
	}
	return r*len(x.cols) + c, true
}

// Cross builds the cross product of two trees of sums: one cell for every (row node, column node)
// pair, e.g. rows "all forms" → physical, psychological, sexual, economic and columns
// year → quarters → months. value gives the figure of a (row leaf, column leaf) pair; every other
// cell is a sum, and the relations say so in both directions: for every row node and every inner
// column node, the cell is the sum of the cells of the column's children in that row; for every
// inner row node and every column node, the cell is the sum of the cells of the row's children in
// that column. A figure shared by both directions is one cell, so the two families of relations
// constrain each other, as they do for a reader of the table. Node.Value is not used.
//
// Cells are numbered row-major over the pre-order of both trees. The errors are Tree's.
func Cross(rows, cols *Node, value func(row, col string) int64) (Table, CrossIndex, error) {
	rn, ri, err := preorder(rows)
	if err != nil {
		return Table{}, CrossIndex{}, err
	}
	cn, ci, err := preorder(cols)
	if err != nil {
		return Table{}, CrossIndex{}, err
	}
	x := CrossIndex{rows: ri, cols: ci}
	at := func(r, c int) int { return r*len(cn) + c }
	t := Table{Cells: make([]int64, len(rn)*len(cn))}
	// Pre-order puts children after parents, so filling backwards sees every part before its sum.
	for r := len(rn) - 1; r >= 0; r-- {
		for c := len(cn) - 1; c >= 0; c-- {
			switch {
			case len(rn[r].Children) > 0:
				for _, ch := range rn[r].Children {
					t.Cells[at(r, c)] += t.Cells[at(ri[ch.Key], c)]
				}
			case len(cn[c].Children) > 0:
				for _, ch := range cn[c].Children {
					t.Cells[at(r, c)] += t.Cells[at(r, ci[ch.Key])]
				}
			default:
				t.Cells[at(r, c)] = value(rn[r].Key, cn[c].Key)
			}
		}
	}
	for r := range rn {
		for c := range cn {
			if ch := cn[c].Children; len(ch) > 0 {
				parts := make([]int, len(ch))
				for k, nd := range ch {
					parts[k] = at(r, ci[nd.Key])
				}
				t.Relations = append(t.Relations, Relation{Total: at(r, c), Parts: parts})
			}
			if ch := rn[r].Children; len(ch) > 0 {
				parts := make([]int, len(ch))
				for k, nd := range ch {
					parts[k] = at(ri[nd.Key], c)
				}
				t.Relations = append(t.Relations, Relation{Total: at(r, c), Parts: parts})
			}
		}
	}
	return t, x, nil
}
