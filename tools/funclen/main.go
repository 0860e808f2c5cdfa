// Command funclen fails when a function of the repository is longer than the
// house allows (issue 15): it lists every function or method declared in a
// non-test, non-generated Go file whose declaration, from "func" to its closing
// brace, spans more than -max lines, unless the allow-list names it.
//
// It is run by `make lint`:
//
//	go run ./tools/funclen -allow tools/funclen/allow.txt
//
// The allow-list names the documented algorithms that are kept whole on
// purpose, one per line as "path/to/file.go:FuncName reason" (a method is named
// by its bare name; "#" starts a comment). An entry that matches no long
// function is reported too, so that the list shrinks when a function does.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	root := flag.String("root", ".", "repository root to scan")
	allowPath := flag.String("allow", "", "allow-list file (file:func reason per line)")
	limit := flag.Int("max", 60, "longest function allowed, in lines")
	flag.Parse()
	if err := run(*root, *allowPath, *limit); err != nil {
		fmt.Fprintln(os.Stderr, "funclen:", err)
		os.Exit(1)
	}
}

// longFunc is one function over the limit.
type longFunc struct {
	file  string // slash-separated, relative to the root
	name  string
	line  int
	lines int
}

func (f longFunc) key() string { return f.file + ":" + f.name }

func run(root, allowPath string, limit int) error {
	allowed := map[string]bool{}
	if allowPath != "" {
		var err error
		if allowed, err = readAllowList(allowPath); err != nil {
			return err
		}
	}
	long, err := scan(root, limit)
	if err != nil {
		return err
	}
	var bad []string
	used := map[string]bool{}
	for _, f := range long {
		if allowed[f.key()] {
			used[f.key()] = true
			continue
		}
		bad = append(bad, fmt.Sprintf("%4d lines  %s:%d %s", f.lines, f.file, f.line, f.name))
	}
	for key := range allowed {
		if !used[key] {
			bad = append(bad, fmt.Sprintf("allow-list entry %s matches no function over %d lines: remove it", key, limit))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	if allowPath == "" {
		allowPath = "an allow-list (-allow)"
	}
	return fmt.Errorf("functions over %d lines (split them, or name a documented algorithm in %s):\n%s",
		limit, allowPath, strings.Join(bad, "\n"))
}

// readAllowList reads "file:func reason" lines; the reason is required.
func readAllowList(path string) (map[string]bool, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	allowed := map[string]bool{}
	sc := bufio.NewScanner(file)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, " ")
		if !strings.Contains(key, ":") || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"path/file.go:Func reason\", got %q", path, n, line)
		}
		allowed[key] = true
	}
	return allowed, sc.Err()
}

// scan parses every non-test Go file under root, skipping hidden directories,
// node_modules, vendor and testdata, and generated files.
func scan(root string, limit int) ([]longFunc, error) {
	var long []longFunc
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if ast.IsGenerated(file) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			start, end := fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line
			if n := end - start + 1; n > limit {
				long = append(long, longFunc{file: filepath.ToSlash(rel), name: fn.Name.Name, line: start, lines: n})
			}
		}
		return nil
	})
	return long, err
}
