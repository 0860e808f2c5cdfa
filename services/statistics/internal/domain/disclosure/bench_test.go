package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProtectCross measures the service's typical shape: a breakdown of n categories plus
// its total, by 12 months → 4 quarters → 1 year (17 columns), counts 0..30.
func BenchmarkProtectCross(b *testing.B) {
	for _, n := range []int{6, 13, 30} {
		r := rand.New(rand.NewPCG(1, 2))
		rows := &Node{Key: "all"}
		for i := range n {
			rows.Children = append(rows.Children, &Node{Key: fmt.Sprint("category ", i)})
		}
		tab, _, err := Cross(rows, yearOfMonths([12]int64{}), func(string, string) int64 { return r.Int64N(31) })
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%d_cells", len(tab.Cells)), func(b *testing.B) {
			for b.Loop() {
				if _, err := Protect(tab, DefaultThreshold); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
