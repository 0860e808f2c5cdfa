package disclosure_test

import (
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// A network's victims by form of violence (rows) and sex (columns): one count of 3 is hidden,
// and three more cells so that it cannot be recomputed from the totals.
func ExampleProtect() {
	tab, g := disclosure.Grid([][]int64{
		{3, 14},  // sexual
		{21, 40}, // physical
		{9, 33},  // psychological
	})
	hidden, err := disclosure.Protect(tab, disclosure.DefaultThreshold)
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func(i int) string {
		if hidden[i] {
			return "  x"
		}
		return fmt.Sprintf("%3d", tab.Cells[i])
	}
	for r := range g.Rows {
		fmt.Println(show(g.Cell(r, 0)), show(g.Cell(r, 1)), "|", show(g.RowTotal(r)))
	}
	fmt.Println(show(g.ColTotal(0)), show(g.ColTotal(1)), "|", show(g.Grand()))
	fmt.Println("derivable:", disclosure.Derivable(tab, hidden))
	// Output:
	//   x   x |  17
	//  21  40 |  61
	//   x   x |  42
	//  33  87 | 120
	// derivable: []
}
