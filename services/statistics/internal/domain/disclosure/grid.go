package disclosure

import "fmt"

// GridIndex says where each figure of a Grid table is. The layout is: the Rows×Cols interior
// cells row by row, then the row totals, then the column totals, then the grand total.
type GridIndex struct {
	Rows, Cols int
}

// Cell is the index of the interior cell at row r, column c.
func (g GridIndex) Cell(r, c int) int { return r*g.Cols + c }

// RowTotal is the index of the total of row r.
func (g GridIndex) RowTotal(r int) int { return g.Rows*g.Cols + r }

// ColTotal is the index of the total of column c.
func (g GridIndex) ColTotal(c int) int { return g.Rows*g.Cols + g.Rows + c }

// Grand is the index of the grand total.
func (g GridIndex) Grand() int { return g.Rows*g.Cols + g.Rows + g.Cols }

// Grid builds a two-way table from its interior values (values[r][c]), adding the row totals,
// the column totals and the grand total, with the relations between them: each row total is the
// sum of its row, each column total the sum of its column, and the grand total both the sum of
// the row totals and the sum of the column totals (the redundancy costs nothing and states the
// table as a statistician reads it). values must be rectangular; Grid panics otherwise.
func Grid(values [][]int64) (Table, GridIndex) {
	g := GridIndex{Rows: len(values)}
	if g.Rows > 0 {
		g.Cols = len(values[0])
	}
	for r, row := range values {
		if len(row) != g.Cols {
			panic(fmt.Sprintf("disclosure: Grid row %d has %d values, row 0 has %d", r, len(row), g.Cols))
		}
	}
	t := Table{Cells: make([]int64, g.Grand()+1)}
	rowTotals := make([]int, g.Rows)
	colTotals := make([]int, g.Cols)
	for r := range g.Rows {
		rowTotals[r] = g.RowTotal(r)
		parts := make([]int, g.Cols)
		for c := range g.Cols {
			v := values[r][c]
			t.Cells[g.Cell(r, c)] = v
			t.Cells[g.RowTotal(r)] += v
			t.Cells[g.ColTotal(c)] += v
			t.Cells[g.Grand()] += v
			parts[c] = g.Cell(r, c)
		}
		t.Relations = append(t.Relations, Relation{Total: g.RowTotal(r), Parts: parts})
	}
	for c := range g.Cols {
		colTotals[c] = g.ColTotal(c)
		parts := make([]int, g.Rows)
		for r := range g.Rows {
			parts[r] = g.Cell(r, c)
		}
		t.Relations = append(t.Relations, Relation{Total: g.ColTotal(c), Parts: parts})
	}
	t.Relations = append(t.Relations,
		Relation{Total: g.Grand(), Parts: rowTotals},
		Relation{Total: g.Grand(), Parts: colTotals})
	return t, g
}
